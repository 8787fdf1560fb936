"""Control groups: memory, process and CPU limits that cover a sandboxed child and everything it starts.

The host makes one group below its own cgroup in each hierarchy it finds (cgroup
v2, or v1's ``memory``, ``pids`` and ``cpu`` hierarchies, whichever the kernel has
mounted) and moves itself into it once, so that each of its children, one at a time,
is born in it (moving a process costs 1 to 20 ms, too much for every child). The
group caps the child's memory (and swap) on top of what the host holds, its number of
processes and threads, and its CPU use to one core, whatever it starts, so that a
submission with many processes neither exhausts the machine nor starves the child of
another worker; ``kill`` spares only the host. Only the host writes these files;
children never see them.
"""
from __future__ import annotations

import errno
import os
import signal
import time
from dataclasses import dataclass

CONTROLLERS = ("memory", "pids", "cpu")
CPU_PERIOD_US = 100_000


@dataclass(frozen=True)
class Hierarchy:
    """Where ``controllers`` are mounted (``version`` 1 or 2) and the host's own group there."""

    mount: str
    version: int
    controllers: tuple[str, ...]
    own: str

    @property
    def own_folder(self) -> str:
        return os.path.normpath(os.path.join(self.mount, self.own.lstrip("/")))


def hierarchies(proc_cgroup: str | None = None, mountinfo: str | None = None) -> list[Hierarchy]:
    """The hierarchies that hold the controllers we need: v1 ones first, v2 for the controllers v1 lacks
    (read from ``/proc/self/cgroup`` and ``/proc/self/mountinfo`` unless their text is given)."""
    proc_cgroup = proc_cgroup if proc_cgroup is not None else _read("/proc/self/cgroup")
    mountinfo = mountinfo if mountinfo is not None else _read("/proc/self/mountinfo")
    own = {}
    for line in proc_cgroup.splitlines():
        _, names, path = line.split(":", 2)
        own[names] = path
    found: list[Hierarchy] = []
    v2_mount = None
    for line in mountinfo.splitlines():
        fields = line.split()
        separator = fields.index("-")
        fstype, options, root, mount = fields[separator + 1], fields[separator + 3], fields[3], fields[4]
        if fstype == "cgroup2":
            v2_mount = mount
        elif fstype == "cgroup":
            names = [o for o in options.split(",") if o in CONTROLLERS]
            key = next((k for k in own if set(names) & set(k.split(","))), None)
            if names and key is not None and root == "/":
                found.append(Hierarchy(mount, 1, tuple(names), own[key]))
    missing = [c for c in CONTROLLERS if not any(c in h.controllers for h in found)]
    if missing and v2_mount is not None and "" in own:
        try:
            offered = _read(os.path.join(v2_mount, "cgroup.controllers")).split()
        except OSError:
            offered = []
        usable = tuple(c for c in missing if c in offered)
        if usable:
            found.append(Hierarchy(v2_mount, 2, usable, own[""]))
    return found


def cpu_quota(h: Hierarchy) -> int:
    """The group's CPU time per ``CPU_PERIOD_US``: one core, or the share the host's own group has if it is less
    (Gradescope's half a CPU): the kernel refuses a group more than its parent has."""
    try:
        if h.version == 1:
            quota, period = _read_int(h.own_folder, "cpu.cfs_quota_us"), _read_int(h.own_folder, "cpu.cfs_period_us")
        else:
            text = _read(os.path.join(h.own_folder, "cpu.max")).split()
            quota, period = (-1 if text[0] == "max" else int(text[0])), int(text[1])
    except (OSError, ValueError, IndexError):
        return CPU_PERIOD_US
    return CPU_PERIOD_US if quota <= 0 else max(1000, min(CPU_PERIOD_US, quota * CPU_PERIOD_US // period))


def memory_limit(found: list[Hierarchy] | None = None,
                 mounted: tuple[str, ...] = ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes")
                 ) -> int | None:
    """The smallest memory limit set on this process's memory cgroup or an ancestor (and on the cgroup mounted
    at ``/sys/fs/cgroup``, which is the container's own in a container), or None if there is none."""
    files = list(mounted)
    for h in hierarchies() if found is None else found:
        if "memory" in h.controllers:
            folder, top = h.own_folder, os.path.normpath(h.mount)
            while folder.startswith(top):
                files.append(os.path.join(folder, "memory.limit_in_bytes" if h.version == 1 else "memory.max"))
                if folder == top:
                    break
                folder = os.path.dirname(folder)
    limits = []
    for path in files:
        try:
            text = _read(path).strip()
        except OSError:
            continue
        if text.isdigit() and int(text) < 2**60:  # v1 writes "no limit" as a huge number, v2 as "max"
            limits.append(int(text))
    return min(limits) if limits else None


def _read(path: str) -> str:
    with open(path) as stream:
        return stream.read()


class Cgroups:
    """The group, one per hierarchy, that holds the host and its current child (a host runs one child at a time,
    so one group serves all of them in turn; only the host is left in it between children)."""

    def __init__(self, name: str, found: list[Hierarchy] | None = None) -> None:
        """Create the groups (in ``found``, default: the hierarchies of this machine); raises ``OSError`` when
        the kernel or our privileges do not allow it."""
        self.hierarchies = found if found is not None else hierarchies()
        if not self.hierarchies:
            raise OSError(errno.ENOENT, "no cgroup hierarchy with the memory, pids or cpu controller")
        self.folders: list[tuple[Hierarchy, str]] = []
        self._limits: dict[str, str] = {}
        try:
            for h in self.hierarchies:
                _remove_stale(h.own_folder, name)
                if h.version == 2:
                    _enable(h.own_folder, h.controllers)
                folder = os.path.join(h.own_folder, name)
                os.mkdir(folder)
                self.folders.append((h, folder))
                if "cpu" in h.controllers:
                    quota = str(cpu_quota(h))
                    self._set(h, folder, *(("cpu.cfs_period_us", str(CPU_PERIOD_US)), ("cpu.cfs_quota_us", quota))
                              if h.version == 1 else (("cpu.max", f"{quota} {CPU_PERIOD_US}"),))
        except OSError:
            self.remove()
            raise

    @property
    def controllers(self) -> list[str]:
        return [c for h in self.hierarchies for c in h.controllers]

    def limit(self, memory_bytes: int, processes: int) -> None:
        """Memory (and swap, where the kernel accounts for it) and the number of processes and threads of the
        next child (the host's own threads come on top)."""
        processes += len(os.listdir("/proc/self/task"))
        for h, folder in self.folders:
            if "memory" in h.controllers:
                memory, swap = ("memory.limit_in_bytes", "memory.memsw.limit_in_bytes") if h.version == 1 else \
                    ("memory.max", "memory.swap.max")
                settings = [(memory, str(memory_bytes))]
                if os.path.exists(os.path.join(folder, swap)):
                    # v1 refuses a memory limit above the memory+swap one: raise them in the right order
                    both = str(memory_bytes) if h.version == 1 else "0"
                    raising = h.version == 1 and _read_int(folder, memory) < memory_bytes
                    settings = [(swap, both), *settings] if raising else [*settings, (swap, both)]
                self._set(h, folder, *settings)
            if "pids" in h.controllers:
                self._set(h, folder, ("pids.max", str(processes)))

    def _set(self, h: Hierarchy, folder: str, *settings: tuple[str, str]) -> None:
        for name, value in settings:
            if self._limits.get(name) != value:
                _write(folder, name, value)
                self._limits[name] = value

    def join(self) -> None:
        """Move the calling process (the host) into every group: its later children are born there."""
        for _, folder in self.folders:
            _write(folder, "cgroup.procs", "0")

    def kill(self) -> None:
        """SIGKILL every process in the groups but the host, until none is left."""
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            pids = self._pids() - {os.getpid()}
            if not pids:
                return
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.001)

    def _pids(self) -> set[int]:
        pids: set[int] = set()
        for _, folder in self.folders:
            with open(os.path.join(folder, "cgroup.procs")) as procs:
                pids.update(int(line) for line in procs if line.strip())
        return pids

    def oom_kills(self) -> int:
        """How many processes the kernel has killed in these groups for exceeding their memory limit."""
        total = 0
        for h, folder in self.folders:
            if "memory" in h.controllers:
                name = "memory.oom_control" if h.version == 1 else "memory.events"
                with open(os.path.join(folder, name)) as events:
                    counts = dict(line.split() for line in events if len(line.split()) == 2)
                total += int(counts.get("oom_kill", 0))
        return total

    def remove(self) -> None:
        """Kill what is left, take the host back to the group it came from, and remove the groups (a group
        the host cannot leave is removed by the next host, once this one has ended)."""
        if self.folders:
            self.kill()
        for h, folder in self.folders:
            try:
                _write(h.own_folder, "cgroup.procs", "0")
                _rmdir(folder)
            except OSError:
                pass
        self.folders = []


def _remove_stale(folder: str, name: str) -> None:
    """Remove the empty groups of hosts that were killed before they could (``<prefix>-<pid>``, pid gone)."""
    prefix = name.rsplit("-", 1)[0] + "-"
    for entry in os.listdir(folder):
        pid = entry[len(prefix):]
        if entry.startswith(prefix) and pid.isdigit() and not os.path.exists(f"/proc/{pid}"):
            try:
                os.rmdir(os.path.join(folder, entry))
            except OSError:
                pass


def _enable(folder: str, controllers: tuple[str, ...]) -> None:
    with open(os.path.join(folder, "cgroup.subtree_control")) as current:
        enabled = current.read().split()
    wanted = [c for c in controllers if c not in enabled]
    if wanted:
        _write(folder, "cgroup.subtree_control", " ".join(f"+{c}" for c in wanted))


def _read_int(folder: str, name: str) -> int:
    return int(_read(os.path.join(folder, name)))


def _write(folder: str, name: str, value: str) -> None:
    with open(os.path.join(folder, name), "w") as control:
        control.write(value)


def _rmdir(folder: str) -> None:
    """Remove an emptied group; its last processes may take a moment to leave it."""
    deadline = time.monotonic() + 5
    while True:
        try:
            os.rmdir(folder)
            return
        except FileNotFoundError:
            return
        except OSError as exc:
            if exc.errno != errno.EBUSY or time.monotonic() > deadline:
                raise
            time.sleep(0.002)
