"""Confining one sandboxed child on Linux: namespaces, a read-only root of chosen folders, its own identity.

The host forks every child as the first process (PID 1) of a fresh PID namespace
(``PidNamespaces``). Before it runs any student code the child calls, in order,
``enter_namespaces`` (mount, network, IPC, UTS and cgroup namespaces of its own),
``build_root`` (an empty tmpfs on which the folders of ``Root.binds`` appear
read-only at their own paths, ``Root.hides`` are covered by empty folders, and
``/tmp``, ``/dev/shm`` are small private tmpfs, with a fresh ``/proc`` and a few
device nodes; then it pivots into it), ``become_unprivileged`` (a user id of its own,
``UID_BASE`` + its global pid, unique among living processes; a user namespace in
which it is ``nobody``; no capability and no way back) and ``apply_limits``. When
the child exits or is killed, the kernel kills every process of its namespace.

A failure raises ``OSError``, and the caller then refuses to run student code at all.
"""
from __future__ import annotations

import ctypes
import glob
import os
import resource
import sys
import sysconfig
from dataclasses import dataclass

CLONE_NEWNS, CLONE_NEWCGROUP, CLONE_NEWUTS, CLONE_NEWIPC = 0x00020000, 0x02000000, 0x04000000, 0x08000000
CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET = 0x10000000, 0x20000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REMOUNT = 1, 2, 4, 8, 32
MS_BIND, MS_REC, MS_PRIVATE = 4096, 16384, 1 << 18
MNT_DETACH = 2
MADV_COLLAPSE = 25
PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_CAPBSET_DROP = 1, 4, 24
PR_SET_CHILD_SUBREAPER, PR_SET_NO_NEW_PRIVS, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL = 36, 38, 47, 4
LINUX_CAPABILITY_VERSION_3 = 0x20080522
UID_BASE = 1 << 30
NOBODY = 65534
DEVICES = ("null", "zero", "full", "random", "urandom")
_libc = ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{what}: {os.strerror(errno)}")


def prctl(option: int, value: int) -> None:
    _check(_libc.prctl(option, ctypes.c_ulong(value), 0, 0, 0), "prctl")


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    def encode(text: str | None) -> bytes | None:
        return text.encode() if text is not None else None

    _check(_libc.mount(encode(source), encode(target), encode(fstype), ctypes.c_ulong(flags), encode(data)),
           f"mount {target}")


@dataclass(frozen=True)
class Root:
    """What a confined child sees of the file system (made by the host at setup, from trusted facts only).

    ``binds``: folders or files shown read-only at their own paths; ``hides``: folders inside a bound one that
    are shown empty (the course, the grader's package); ``links``: top-level symbolic links such as
    ``/bin -> usr/bin``; ``stage``: an empty folder of the host's on which the root is assembled.
    """

    stage: str
    binds: tuple[str, ...]
    hides: tuple[str, ...] = ()
    links: tuple[tuple[str, str], ...] = ()
    scratch_bytes: int = 128 * 2**20
    shm_bytes: int = 32 * 2**20


def system_root(stage: str, folders: list[str], hides: list[str], libraries: list[str] | None = None) -> Root:
    """The system's read-only folders (``/usr``, ``/etc`` and the top-level library and program folders)
    plus ``folders`` (Python's own, the course's public ones), with ``hides`` shown empty: a folder inside a
    hidden one (the virtualenv inside the course) is bound again on top of it. Given ``libraries`` (files),
    only those of the system's files are shown, with ``/etc``: not its programs, data or other libraries."""
    hides = sorted({os.path.abspath(h) for h in hides})
    binds, links = (["/usr", "/etc"] if libraries is None else ["/etc"]), []
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        path = f"/{name}"
        if os.path.islink(path):
            links.append((path, os.readlink(path)))
        elif os.path.isdir(path) and libraries is None:
            binds.append(path)

    def visible(path: str) -> bool:
        return any(_inside(path, b) and not any(_inside(path, h) and _inside(h, b) for h in hides) for b in binds)

    candidates = {p for folder in folders for p in (os.path.abspath(folder), os.path.realpath(folder))}
    for path in sorted(candidates, key=lambda p: p.count("/")):
        if os.path.exists(path) and path not in hides and not visible(path):
            binds.append(path)
    for path in libraries or []:
        if os.path.isfile(path) and not visible(path):
            binds.append(path)
    covered = [h for h in hides if any(_inside(h, b) for b in binds)]
    return Root(stage, tuple(sorted(set(binds))), tuple(covered), tuple(links))


def loaded_libraries() -> list[str]:
    """The system's files this process has mapped (its shared libraries, locale data, under ``/usr``, ``/lib*``
    or ``/opt``) and the dynamic loader, at paths without a symbolic link in their folders (``/lib`` may be a
    link to ``usr/lib``)."""
    with open("/proc/self/maps") as maps:
        paths = {line.split(None, 5)[5].strip() for line in maps if len(line.split(None, 5)) == 6}
    paths |= set(glob.glob("/lib*/ld-linux*.so*"))
    found = {os.path.join(os.path.realpath(os.path.dirname(p)), os.path.basename(p)) for p in paths
             if p.startswith("/") and os.path.isfile(p)}
    return sorted(p for p in found if p.startswith(("/usr/", "/lib", "/opt/")))


def unused_python_folders() -> list[str]:
    """Folders of the Python installation that children never need: the base Python's own site-packages when
    this is a virtualenv (not on ``sys.path``), the standard library's tests, its GUI and installer folders
    and the static library."""
    stdlib = sysconfig.get_paths()["stdlib"]
    found = [os.path.join(stdlib, name) for name in ("test", "idlelib", "tkinter", "turtledemo", "ensurepip")]
    found += glob.glob(os.path.join(stdlib, "config-*"))
    if sys.prefix != sys.base_prefix:
        base = sysconfig.get_paths(vars={"base": sys.base_prefix, "platbase": sys.base_prefix})
        found += [base[key] for key in ("purelib", "platlib") if base[key] not in sys.path]
    return sorted({os.path.realpath(p) for p in found if os.path.isdir(p)})


def _inside(path: str, folder: str) -> bool:
    return os.path.commonpath([path, folder]) == folder


class PidNamespaces:
    """Makes the host's next fork the first process (PID 1) of a new PID namespace, once per fork."""

    def __init__(self) -> None:
        self._own = os.open("/proc/self/ns/pid", os.O_RDONLY | os.O_CLOEXEC)

    def before_fork(self) -> None:
        _check(_libc.setns(self._own, CLONE_NEWPID), "setns")
        _check(_libc.unshare(CLONE_NEWPID), "unshare(CLONE_NEWPID)")

    def after_fork(self) -> None:
        """In the host: later forks (and subprocesses) land in the host's own namespace again."""
        _check(_libc.setns(self._own, CLONE_NEWPID), "setns")


def collapse_heap() -> None:
    """Back this process's heap and large anonymous mappings with huge pages now (``MADV_COLLAPSE``, Linux 6.1;
    refused on older kernels, and then nothing changes), so that a fork copies a tenth of the page tables."""
    _libc.madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    with open("/proc/self/maps") as maps:
        for line in maps:
            fields = line.split()
            start, end = (int(x, 16) for x in fields[0].split("-"))
            if fields[1].startswith("rw") and (len(fields) < 6 or fields[5] == "[heap]") and end - start >= 2**21:
                _libc.madvise(start, end - start, MADV_COLLAPSE)


def global_pid() -> int:
    """This process's pid as the host sees it (read through the host's /proc before it is replaced)."""
    return int(os.readlink("/proc/self"))


def enter_namespaces() -> None:
    _check(_libc.unshare(CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWCGROUP),
           "unshare")
    _check(_libc.sethostname(b"sandbox", 7), "sethostname")


def build_root(root: Root) -> None:
    """Assemble ``root`` on its stage and make it this mount namespace's ``/`` (see the module docstring)."""
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    stage = root.stage
    _mount("tmpfs", stage, "tmpfs", MS_NOSUID | MS_NODEV, "mode=755,size=4m")
    scratch = {"/tmp": root.scratch_bytes, "/dev/shm": root.shm_bytes}
    # shallower first, so that a folder inside /tmp or inside a hidden folder (a course checked out under /tmp,
    # a virtualenv inside the course) is mounted on top of it
    for path in sorted([*root.binds, *root.hides, *scratch], key=lambda p: (p.count("/"), p in root.hides, p)):
        target = stage + path
        if path in scratch:
            os.makedirs(target, exist_ok=True)
            _mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV, f"mode=1777,size={scratch[path]}")
        elif path in root.hides:
            _mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV | MS_RDONLY, "mode=755,size=4k")
        else:
            if os.path.isdir(path):
                os.makedirs(target, exist_ok=True)
            else:
                os.makedirs(os.path.dirname(target), exist_ok=True)
                open(target, "a").close()
            _mount(path, target, None, MS_BIND | MS_REC)
    _read_only_below(stage, writable={stage + path for path in scratch})
    for link, destination in root.links:
        os.symlink(destination, stage + link)
    for device in DEVICES:
        open(f"{stage}/dev/{device}", "a").close()
        _mount(f"/dev/{device}", f"{stage}/dev/{device}", None, MS_BIND)
    for name, target in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"), ("stdout", "/proc/self/fd/1"),
                         ("stderr", "/proc/self/fd/2")):
        os.symlink(target, f"{stage}/dev/{name}")
    os.makedirs(f"{stage}/proc", exist_ok=True)
    os.makedirs(f"{stage}/.old-root")
    _check(_libc.pivot_root(stage.encode(), f"{stage}/.old-root".encode()), "pivot_root")
    os.chdir("/")
    _check(_libc.umount2(b"/.old-root", MNT_DETACH), "umount the old root")
    os.rmdir("/.old-root")
    _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    _mount(None, "/", None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)


def _read_only_below(stage: str, writable: set[str]) -> None:
    """Remount read-only every mount below ``stage`` but ``writable``: the binds and what a recursive bind
    brought along (``/etc/hosts``...)."""
    with open("/proc/self/mountinfo") as table:
        points = [line.split()[4].encode().decode("unicode_escape") for line in table]
    for point in points:
        if point.startswith(stage + "/") and point not in writable:
            _mount(None, point, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


def become_unprivileged(uid: int, user_namespace: bool) -> None:
    """Take user and group ``uid`` with no supplementary group; then, if asked, enter a user namespace in
    which this process is ``nobody``, forbid nested user namespaces, and drop every capability."""
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)
    prctl(PR_SET_DUMPABLE, 1)  # a changed identity makes /proc/self root's; the maps below need it ours
    if user_namespace:
        _check(_libc.unshare(CLONE_NEWUSER), "unshare(CLONE_NEWUSER)")
        for name, text in (("setgroups", "deny"), ("uid_map", f"{NOBODY} {uid} 1"),
                           ("gid_map", f"{NOBODY} {uid} 1")):
            with open(f"/proc/self/{name}", "w") as mapping:
                mapping.write(text)
        with open("/proc/sys/user/max_user_namespaces", "w") as limit:
            limit.write("0")
        with open("/proc/sys/kernel/cap_last_cap") as last:
            for capability in range(int(last.read()) + 1):
                prctl(PR_CAPBSET_DROP, capability)
        _check(_libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0), "prctl(ambient)")
        header, data = _CapHeader(LINUX_CAPABILITY_VERSION_3, 0), (_CapData * 2)()
        _check(_libc.capset(ctypes.byref(header), data), "capset")
    prctl(PR_SET_NO_NEW_PRIVS, 1)


def apply_limits(memory_bytes: int, cpu_seconds: int, file_bytes: int, processes: int | None) -> None:
    """Per-process limits: address space (on top of what the fork already maps), CPU time, file size, no core
    dumps, and (for a user id of its own) the number of processes and threads."""
    if os.path.exists("/proc/self/status"):  # elsewhere the address space already mapped is not known
        address_space = status_bytes("VmSize") + memory_bytes
        resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_FSIZE, (file_bytes, file_bytes))
    if processes is not None:
        resource.setrlimit(resource.RLIMIT_NPROC, (processes, processes))


def status_bytes(field: str) -> int:
    """A size this process's ``/proc/self/status`` gives in kB (``VmSize``, ``VmRSS``), in bytes."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) * 1024
    return 0
