"""Keep the files children can read in the page cache, so that no read tells what an earlier child did.

A child that cannot evict a page (``seccomp.py``) can still cache one by reading it, and a later child can time
its reads: a page that was not cached waits for the disk. So every file of the children's read-only view is
pinned before the first child starts: a keeper process maps each one read-only and locks it in memory
(``mlock``), which brings every page in and keeps it there against memory pressure and DAMON.

One keeper serves every host of the machine that shows its children the same view (the same binds and
hides): pinning 50,000 files takes seconds, which each host would otherwise pay, and pages in the cache are
shared anyway. A host connects to the keeper's abstract socket (``\\0course-sandbox-pinned-<digest>``, which
no child reaches: each has a network namespace of its own), starting the keeper if there is none, waits until
it says how many files and bytes it pinned, and stays connected while it runs. The keeper ends
``LINGER_SECONDS`` after its last host, so that the hosts of one batch, and of the next, share it (a host
starting on a loaded machine can take a minute before it asks). It holds
``FILES_PER_MAPPER`` files per process (the kernel allows 65,530 mappings per process).
"""
from __future__ import annotations

import ctypes
import hashlib
import json
import mmap
import os
import select
import socket
import stat
import subprocess
import sys
import time
from dataclasses import dataclass

VERSION = 1
LINGER_SECONDS = 300.0
FILES_PER_MAPPER = 30_000
BUDGET_BYTES = 4 * 2**30  # files beyond it are left out (and the host says so)
GRADING_RESERVE = 2**30  # what grading itself needs of a memory-limited machine: under 1 GB, nothing is pinned
MAP_FAILED = ctypes.c_void_p(-1).value


@dataclass
class Pinned:
    """A host's link to the keeper of its children's view."""

    files: int = 0
    bytes: int = 0
    left_out: int = 0  # files the keeper could not pin (budget, errors)
    first_left_out: str = ""
    connection: socket.socket | None = None

    def release(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def address(binds: tuple[str, ...], hides: tuple[str, ...]) -> str:
    digest = hashlib.sha256(json.dumps([VERSION, binds, hides]).encode()).hexdigest()[:24]
    return f"\0course-sandbox-pinned-{digest}"


def pin(binds: tuple[str, ...], hides: tuple[str, ...], timeout: float = 600.0) -> Pinned:
    """Connect to the keeper of this view (starting it if needed) and wait until its files are pinned;
    raises ``OSError`` if that fails, or if the memory limit leaves no room to pin anything (no keeper is started)."""
    if budget_bytes() == 0:
        raise OSError(f"this machine's memory limit leaves no room: under {GRADING_RESERVE // 2**20} MB, grading needs "
                      "it all")
    name = address(binds, hides)
    deadline = time.monotonic() + timeout
    started = False
    while True:
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM | socket.SOCK_CLOEXEC)
        try:
            connection.connect(name)
            break
        except (ConnectionRefusedError, FileNotFoundError):
            connection.close()
            if not started:
                subprocess.Popen([sys.executable, "-P", "-m", "autograder.sandbox.resident", json.dumps([binds, hides])],
                                 stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                 start_new_session=True, env={**os.environ}, cwd="/")
                started = True
            if time.monotonic() > deadline:
                raise OSError(f"no keeper of pinned files answers at {name[1:]}") from None
            time.sleep(0.05)
    connection.settimeout(max(1.0, deadline - time.monotonic()))
    report = b""
    while not report.endswith(b"\n"):
        chunk = connection.recv(4096)
        if not chunk:
            connection.close()
            raise OSError("the keeper of pinned files ended before it had pinned them")
        report += chunk
    connection.settimeout(None)
    found = json.loads(report)
    return Pinned(found["files"], found["bytes"], found["left_out"], found["first_left_out"], connection)


def view_files(binds: tuple[str, ...], hides: tuple[str, ...]) -> list[tuple[str, int]]:
    """Every regular file (path, size) a child sees under ``binds`` (folders or files) but not under ``hides``,
    once each."""
    seen, found = set(), []

    def add(path: str, info: os.stat_result) -> None:
        if stat.S_ISREG(info.st_mode) and info.st_size and (info.st_dev, info.st_ino) not in seen:
            seen.add((info.st_dev, info.st_ino))
            found.append((path, info.st_size))

    for top in binds:
        if os.path.isfile(top):
            add(top, os.stat(top))
        for folder, folders, names in os.walk(top):
            if any(folder == h or folder.startswith(h.rstrip("/") + "/") for h in hides):
                folders[:] = []
                continue
            for name in names:
                try:
                    add(os.path.join(folder, name), os.lstat(os.path.join(folder, name)))
                except OSError:
                    continue
    return found


def budget_bytes() -> int:
    """How many bytes of files to pin: ``BUDGET_BYTES``, or what this process's memory limit (its cgroup's or an
    ancestor's, in a container or on Gradescope) leaves above ``GRADING_RESERVE``, whichever is less."""
    from autograder.sandbox.cgroups import memory_limit

    limit = memory_limit()
    return BUDGET_BYTES if limit is None else max(0, min(BUDGET_BYTES, limit - GRADING_RESERVE))


def _lock(paths: list[str]) -> list[str]:
    """Map and lock each file in this process; the paths that failed."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mmap.restype = ctypes.c_void_p
    libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]
    libc.mlock.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
    failed = []
    for path in paths:
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
        except OSError:
            failed.append(path)
            continue
        size = os.fstat(fd).st_size
        address_ = libc.mmap(None, size, mmap.PROT_READ, mmap.MAP_SHARED, fd, 0)
        os.close(fd)
        if address_ in (None, MAP_FAILED) or libc.mlock(address_, size) != 0:
            failed.append(path)
    return failed


def keep(binds: tuple[str, ...], hides: tuple[str, ...]) -> None:
    """The keeper: claim the view's address, pin its files, then serve hosts until none has been connected for
    ``LINGER_SECONDS``."""
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        server.bind(address(binds, hides))
    except OSError:
        return  # another keeper of this view is starting: the host will connect to it
    server.listen(64)
    files, chosen, total = view_files(binds, hides), [], 0
    budget = budget_bytes()
    for path, size in sorted(files, key=lambda entry: entry[1]):  # the smallest first: the most files pinned
        if total + size > budget:
            break
        chosen.append(path)
        total += size
    kept = set(chosen)
    left_out = [path for path, _ in files if path not in kept]
    mappers, reports = [], []
    for first in range(FILES_PER_MAPPER, len(chosen), FILES_PER_MAPPER):  # helpers side by side, beyond the first
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(read)
            server.close()
            ctypes.CDLL(None).prctl(1, 9, 0, 0, 0)  # PR_SET_PDEATHSIG, SIGKILL: it ends with the keeper
            failed = _lock(chosen[first:first + FILES_PER_MAPPER])
            os.write(write, "".join(f"{p}\n" for p in failed).encode() + b"\0")
            os.read(os.pipe()[0], 1)  # holds its locks until the keeper kills it
            os._exit(0)
        os.close(write)
        mappers.append(pid)
        reports.append(read)
    left_out += _lock(chosen[:FILES_PER_MAPPER])
    for report in reports:
        text = b""
        while not text.endswith(b"\0"):
            chunk = os.read(report, 65536)
            if not chunk:
                break
            text += chunk
        left_out += [line for line in text.rstrip(b"\0").decode().splitlines() if line]
        os.close(report)
    missing = set(left_out)
    left_bytes = sum(size for path, size in files if path in missing)
    message = (json.dumps({"files": len(files) - len(left_out), "bytes": sum(s for _, s in files) - left_bytes,
                           "left_out": len(left_out), "first_left_out": left_out[0] if left_out else ""})
               + "\n").encode()
    hosts: list[socket.socket] = []
    idle_since = time.monotonic()
    try:
        while hosts or time.monotonic() - idle_since < LINGER_SECONDS:
            ready, _, _ = select.select([server, *hosts], [], [], 1.0)
            for sock in ready:
                if sock is server:
                    host, _ = server.accept()
                    try:
                        host.sendall(message)
                        hosts.append(host)
                    except OSError:
                        host.close()
                elif not sock.recv(1):
                    sock.close()
                    hosts.remove(sock)
                    if not hosts:
                        idle_since = time.monotonic()
    finally:
        for pid in mappers:
            os.kill(pid, 9)
            os.waitpid(pid, 0)


if __name__ == "__main__":
    keep(*(tuple(part) for part in json.loads(sys.argv[1])))
