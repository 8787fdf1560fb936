"""The sandbox host: a clean process that forks one confined child per test.

The grader starts ``python -P -m autograder.sandbox.host FD`` with a minimal
environment. The host imports the heavy libraries once, runs the notebook's
trusted setup cells (the master's locked imports and helpers), works out how far
it can confine children on this machine (``setup``: the result, and what could not
be applied, goes back to the grader, never a child's word), then serves requests on
the control socket FD:

``spawn``   fork a child that confines itself (see ``confine.py`` and ``cgroups.py``)
            and hand the grader the child's call socket and the read end of its
            output pipe;
``finish``  kill the child and everything it started, reap it, and say how it ended;
``derive``  fork a *rule host*: a copy of this host that refuses a set of rules'
            torch work once (``enforce.forbid``) and then serves the same requests on
            a control socket of its own, handed to the grader, so that the children
            of a session with rules find the refusals made before they exist.

The host never receives an answer cell, a call, a reply or a byte of output: the
grader sends cells straight to the child after the fork and reads its output
itself. So whatever a child finds in the memory it inherits is public, whoever was
graded before it. When the grader goes away the control socket closes and the host
kills its child and exits.
"""
from __future__ import annotations

import gc
import importlib
import io
import os
import shutil
import signal
import socket
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass

from autograder.sandbox import confine, enforce, resident, seccomp, wire
from autograder.sandbox.cgroups import Cgroups
from autograder.sandbox.runtime import Runtime

SETUP_FAILED = 71
# what every child may read besides the public folders: the system's libraries, settings and devices
SYSTEM_READABLE = ("/usr", "/lib", "/lib64", "/etc", "/dev", "/proc/cpuinfo", "/proc/meminfo", "/proc/stat",
                   "/sys/devices/system/cpu", "/sys/fs/cgroup")


@dataclass
class Plan:
    """How children are confined here, decided once at setup."""

    linux: bool = False  # prctl and /proc exist
    root: confine.Root | None = None  # namespaces and a root of their own, when running as root
    user_namespace: bool = False
    own_uid: bool = False  # each child gets a user id of its own
    cgroups: Cgroups | None = None
    seccomp: bool = False  # each child loads the filter of ``seccomp.py``


@dataclass
class Child:
    pid: int
    status_pipe: int  # carries a confinement failure, written before any cell runs
    report_pipe: int  # carries the index of a rule the child broke at run time (see ``enforce``)
    workdir: str | None
    oom_kills: int  # the cgroup's count before this child started


class Host:
    def __init__(self, control: socket.socket) -> None:
        self.control = control
        self.config: dict = {}
        self.namespace: dict = {"__name__": "__main__"}
        self.child: Child | None = None
        self.plan = Plan()
        _remove_stale_scratch()
        self.scratch = tempfile.mkdtemp(prefix=f"course-sandbox-{os.getpid()}-")
        self.pid_namespaces: confine.PidNamespaces | None = None
        self.readable: list[str] = []  # the public folders (the children's root, where there are namespaces)
        self.audit_readable: tuple[str, ...] = ()  # what a child's audit hook lets it open for reading
        self.loaded = enforce.Loaded(frozenset(), frozenset())  # what children find loaded
        self.pinned = resident.Pinned()  # the files of the children's view, kept in the page cache
        self.forbid: list[list[str]] = []  # a rule host's rules: the groups of torch work its children refuse
        self.rule_hosts: list[int] = []  # the pids of the rule hosts this host forked

    def setup(self, config: dict) -> dict:
        self.config = config
        for module in config.get("preload", []):
            importlib.import_module(module)
        torch = sys.modules.get("torch")
        if torch is not None:
            torch.set_num_threads(1)
        saved = sys.stdout, sys.stderr
        sys.stdout = sys.stderr = io.StringIO()
        try:
            for cell in config.get("setup", []):
                exec(compile(cell["source"], f"<{cell['name']}>", "exec"), self.namespace)
        except Exception as exc:  # noqa: BLE001 - reported to the grader, which stops
            return {"ok": False, "error": f"setup cell {cell['name']} failed: {type(exc).__name__}: {exc}"}
        finally:
            sys.stdout, sys.stderr = saved
        os.chmod(self.scratch, 0o755)
        self.readable = _public_folders(config)
        self.audit_readable = tuple(os.path.realpath(p) for p in (*SYSTEM_READABLE, *self.readable))
        self.loaded = enforce.loaded_modules()
        notes = self._decide_plan(config)
        _prepare_for_forks()
        return {"ok": True, "notes": notes, "confinement": self.describe_plan()}

    # ------------------------------------------------------------------ what can be applied here

    def _decide_plan(self, config: dict) -> list[str]:
        """Try each restriction on a probe child that runs no student code; keep those that work."""
        try:
            confine.prctl(confine.PR_SET_CHILD_SUBREAPER, 1)
        except (OSError, AttributeError):
            return ["children are not confined: this is not Linux (only per-process limits apply)"]
        self.plan.linux = True
        notes = self._try_seccomp()
        if os.geteuid() != 0:
            return [*notes, "grading does not run as root: children run as the grader's own user and share its "
                    "files, network and process table, without cgroup limits"]
        try:
            self.plan.cgroups = Cgroups(f"course-sandbox-{os.getpid()}")
            missing = [c for c in ("memory", "pids", "cpu") if c not in self.plan.cgroups.controllers]
            if missing:
                notes.append(f"no cgroup controller for {', '.join(missing)}")
        except OSError as exc:
            notes.append(f"no cgroup limits ({exc.strerror or exc})")
        self.plan.own_uid = True
        try:
            self.pid_namespaces = confine.PidNamespaces()
            self.plan.root = self._root(config)
            self.plan.user_namespace = True
        except OSError as exc:
            notes.append(f"no namespaces ({exc.strerror or exc})")
        problem = self._probe()
        if problem and self.plan.seccomp and "seccomp" in problem:
            notes.append(f"no seccomp filter ({problem})")
            self.plan.seccomp = False
            problem = self._probe()
        if problem and self.plan.user_namespace:
            notes.append(f"no user namespace ({problem})")
            self.plan.user_namespace = False
            problem = self._probe()
        if problem and self.plan.root is not None:
            notes.append(f"no namespaces ({problem})")
            notes += self.without_namespaces()
            problem = self._probe()
        if problem:
            raise RuntimeError(f"cannot start even an unconfined child: {problem}")
        if self.plan.root is not None:
            try:
                self.pinned = resident.pin(self.plan.root.binds, self.plan.root.hides)
            except OSError as exc:
                notes.append(f"the files children see are not pinned in the page cache ({exc})")
            if self.pinned.left_out:
                notes.append(f"{self.pinned.left_out} files children see are not pinned in the page cache (a child "
                             f"could signal a later one through them), such as {self.pinned.first_left_out}")
        notes += self._join_cgroups()
        return notes

    def _join_cgroups(self) -> list[str]:
        """Move this host into its groups, last (the keeper of pinned files must not be born in them)."""
        if self.plan.cgroups is None:
            return []
        try:
            self.plan.cgroups.join()
        except OSError as exc:
            self.plan.cgroups.remove()
            self.plan.cgroups = None
            return [f"no cgroup limits ({exc.strerror or exc})"]
        return []

    def _try_seccomp(self) -> list[str]:
        """Children load the seccomp filter if one is written for this machine and a probe child can load it."""
        try:
            seccomp.prepared()
        except OSError as exc:
            return [f"no seccomp filter ({exc.strerror})"]
        self.plan.seccomp = True
        if os.geteuid() != 0:  # as root, the full probe below tries it with the rest
            problem = self._probe()
            if problem:
                self.plan.seccomp = False
                return [f"no seccomp filter ({problem})"]
        return []

    def without_namespaces(self) -> list[str]:
        """Fall back to plain children. They get a user id of their own only if that user can still read
        Python (children import modules the host did not); the note says when they cannot."""
        self.plan.root, self.plan.user_namespace = None, False
        self.pinned.release()  # children that see the whole machine gain nothing from it
        self.pinned = resident.Pinned()
        private = [folder for folder in {sys.prefix, sys.base_prefix} if not _open_to_others(folder)]
        if private and self.plan.own_uid:
            self.plan.own_uid = False
            return [f"children keep the grader's user: Python lives in {private[0]}, which other users cannot read"]
        return []

    def _root(self, config: dict) -> confine.Root:
        """Python's folders and the course's public ones, read-only; the course and this package hidden."""
        hides = [*config.get("hide", []), os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                 *confine.unused_python_folders()]
        stage = os.path.join(self.scratch, "root")
        os.mkdir(stage, 0o700)
        return confine.system_root(stage, self.readable, hides, confine.loaded_libraries())

    def _probe(self) -> str:
        """Start a child that confines itself and exits at once; the reason it failed, if it did."""
        limits = {"memory_bytes": 2**30, "output_bytes": 1024, "file_bytes": 2**20, "processes": 64,
                  "cpu_seconds": 10}
        try:
            self.child, _, _ = self._fork({"limits": limits, "array_api": "numpy"}, probe=True)
        except OSError as exc:
            return str(exc)
        result = self.finish(ended=True)
        if result.get("setup_error"):
            return result["setup_error"]
        return "" if result["status"] == "exit code 0" else result["status"]

    def describe_plan(self) -> list[str]:
        plan = self.plan
        applied = ["process limits", "own session"]
        if plan.own_uid:
            applied.append("own user id")
        if plan.root is not None:
            applied += ["PID, mount, network, IPC, UTS and cgroup namespaces", "read-only root of public folders",
                        "private /tmp and /dev/shm"]
        if plan.user_namespace:
            applied.append("user namespace without capabilities")
        if plan.cgroups is not None:
            applied.append("cgroup limits: " + ", ".join(plan.cgroups.controllers))
        if plan.seccomp:
            applied.append("seccomp filter: no page-cache eviction or probe, no io_uring, ptrace, bpf, mount...")
        if self.pinned.files:
            applied.append(f"the files children see ({self.pinned.files}, {self.pinned.bytes / 2**20:.0f} MB) pinned "
                           f"in the page cache")
        return applied

    # ------------------------------------------------------------------ children

    def _fork(self, request: dict, probe: bool = False) -> tuple[Child, socket.socket, int]:
        """Fork a child (PID 1 of a new PID namespace, where there are namespaces) that confines itself."""
        limits, plan = request["limits"], self.plan
        oom_kills = 0
        if plan.cgroups is not None:
            plan.cgroups.limit(limits["memory_bytes"] + confine.status_bytes("VmRSS") + _scratch_bytes(plan), limits["processes"])
            oom_kills = plan.cgroups.oom_kills()
        workdir = None if plan.root is not None else tempfile.mkdtemp(dir=self.scratch)
        rpc_host, rpc_child = socket.socketpair()
        output_read, output_write = os.pipe()
        status_read, status_write = os.pipe()
        report_read, report_write = os.pipe()
        if plan.root is not None:
            self.pid_namespaces.before_fork()
        try:
            pid = os.fork()
        except OSError:
            if plan.root is not None:
                self.pid_namespaces.after_fork()
            raise
        if pid == 0:
            try:
                self.control.close()
                rpc_host.close()
                os.close(output_read)
                os.close(status_read)
                os.close(report_read)
                _child(self, request, (rpc_child, output_write, status_write, report_write), workdir, probe)
            except BaseException:  # noqa: BLE001 - the child must never return into the host loop
                traceback.print_exc()
            os._exit(70)
        if plan.root is not None:
            self.pid_namespaces.after_fork()
        for fd in (output_write, status_write, report_write):
            os.close(fd)
        rpc_child.close()
        return Child(pid, status_read, report_read, workdir, oom_kills), rpc_host, output_read

    def spawn(self, request: dict) -> None:
        if self.child is not None:
            self.finish()
        try:
            self.child, rpc, output = self._fork(request)
        except OSError as exc:
            wire.send(self.control, {"ok": False, "error": f"could not start a child: {exc}"})
            return
        wire.send(self.control, {"ok": True, "pid": self.child.pid})
        socket.send_fds(self.control, [b"F"], [rpc.fileno(), output])
        rpc.close()
        os.close(output)

    def derive(self, request: dict) -> None:
        """Fork a rule host for ``request["forbid"]`` and hand the grader its control socket."""
        self.finish()
        ours, theirs = socket.socketpair()
        try:
            pid = os.fork()
        except OSError as exc:
            wire.send(self.control, {"ok": False, "error": f"could not start a rule host: {exc}"})
            return
        if pid == 0:
            try:
                ours.close()
                self.control.close()
                self._become_rule_host(theirs, request.get("forbid") or [])
                self.serve()
            except BaseException:  # noqa: BLE001 - the rule host must never return into this host's loop
                traceback.print_exc()
            os._exit(0)
        theirs.close()
        self.rule_hosts.append(pid)
        wire.send(self.control, {"ok": True, "pid": pid})
        socket.send_fds(self.control, [b"R"], [ours.fileno()])
        ours.close()

    def _become_rule_host(self, control: socket.socket, forbid: list[list[str]]) -> None:
        self.control, self.forbid, self.rule_hosts = control, forbid, []
        if self.plan.linux:
            confine.prctl(confine.PR_SET_PDEATHSIG, signal.SIGKILL)
            confine.prctl(confine.PR_SET_CHILD_SUBREAPER, 1)
        if self.plan.cgroups is not None:  # a group of its own, next to its parent's
            self.plan.cgroups = Cgroups(f"course-sandbox-{os.getpid()}", self.plan.cgroups.hierarchies)
            self.plan.cgroups.join()
        enforce.forbid(forbid)
        self.loaded = enforce.loaded_modules()
        gc.freeze()  # not ``_prepare_for_forks``: collapsing a heap shared with the parent copies all of it

    def finish(self, ended: bool = False) -> dict:
        """Kill the child and all it started; ``ended``: the grader saw it end, so give it a moment to exit
        by itself and report how."""
        child, self.child = self.child, None
        if child is None:
            return {"ok": True, "status": "no child"}
        if ended:
            _await_exit(child.pid)
        if self.plan.root is not None:
            try:
                os.kill(child.pid, signal.SIGKILL)  # PID 1 of its namespace: the kernel kills all the rest
            except ProcessLookupError:
                pass
            status = _describe_status(os.waitpid(child.pid, 0)[1])
        else:
            try:
                os.killpg(child.pid, signal.SIGKILL)
            except OSError:
                pass
            status = _kill_descendants(child.pid, spare=set(self.rule_hosts))
        out_of_memory = False
        if self.plan.cgroups is not None:
            self.plan.cgroups.kill()
            out_of_memory = self.plan.cgroups.oom_kills() > child.oom_kills
        report = _read_all(child.status_pipe)
        broken = _read_all(child.report_pipe).split("\n", 1)[0]
        if child.workdir is not None:
            shutil.rmtree(child.workdir, ignore_errors=True)
        setup_error = report[len("setup failed: "):].strip() if report.startswith("setup failed: ") else ""
        return {"ok": True, "status": status, "out_of_memory": out_of_memory, "setup_error": setup_error,
                "rule_broken": int(broken) if broken.isdigit() and len(broken) < 4 else None}

    def serve(self) -> None:
        while True:
            try:
                request = wire.receive(self.control)
            except wire.WireError:
                break
            if request["op"] == "setup":
                wire.send(self.control, self.setup(request))
            elif request["op"] == "spawn":
                self.spawn(request)
            elif request["op"] == "finish":
                wire.send(self.control, self.finish(bool(request.get("ended"))))
            elif request["op"] == "derive":
                self.derive(request)
        self.finish()
        if self.plan.cgroups is not None:
            self.plan.cgroups.remove()
        if self.forbid:  # a rule host: the view and the scratch folder are its parent's
            return
        self.pinned.release()
        shutil.rmtree(self.scratch, ignore_errors=True)
        for pid in self.rule_hosts:  # they end when the grader closes their sockets (or with this host)
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass


def _public_folders(config: dict) -> list[str]:
    """Python's folders, the preloaded libraries' and the course's public ones (``config["folders"]``)."""
    folders = [p for p in (sys.prefix, sys.base_prefix, sys.exec_prefix, *sys.path) if p and os.path.exists(p)]
    for module in config.get("preload", []):
        top = sys.modules.get(module.split(".")[0])
        if getattr(top, "__file__", None):
            folders.append(os.path.dirname(os.path.abspath(top.__file__)))
    return folders + list(config.get("folders", []))


def _open_to_others(folder: str) -> bool:
    """Whether any user may enter ``folder`` and every folder above it."""
    path = os.path.realpath(folder)
    while True:
        if not os.stat(path).st_mode & 0o001:
            return False
        if path == os.path.dirname(path):
            return True
        path = os.path.dirname(path)


def _remove_stale_scratch() -> None:
    """Remove the (empty) scratch folders of hosts that were killed before they could remove their own."""
    for entry in os.listdir(tempfile.gettempdir()):
        parts = entry.split("-")
        if entry.startswith("course-sandbox-") and len(parts) == 4 and parts[2].isdigit() \
                and not os.path.exists(f"/proc/{parts[2]}"):
            folder = os.path.join(tempfile.gettempdir(), entry)
            for path in (os.path.join(folder, "root"), folder):
                try:
                    os.rmdir(path)
                except OSError:
                    pass


def _await_exit(pid: int, seconds: float = 2.0) -> None:
    """Give a child that is ending by itself a moment, so that its own exit status is what gets reported."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None:
            return
        time.sleep(0.001)


def _scratch_bytes(plan: Plan) -> int:
    return plan.root.scratch_bytes + plan.root.shm_bytes if plan.root is not None else 0


def _read_all(fd: int) -> str:
    chunks = []
    with open(fd, "rb", buffering=0) as pipe:
        while chunk := pipe.read(4096):
            chunks.append(chunk)
    return b"".join(chunks).decode("utf-8", "replace")


# ----------------------------------------------------------------------------- in the child


def _child(host: Host, request: dict, pipes: tuple, workdir: str | None, probe: bool) -> None:
    """Confine this process (PID 1 of its namespace when there are namespaces), then run the cells."""
    rpc, output_write, status_write, report_write = pipes
    plan, limits = host.plan, request["limits"]
    try:
        os.setsid()
        if plan.linux:
            confine.prctl(confine.PR_SET_PDEATHSIG, signal.SIGKILL)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(output_write, 1)
        os.dup2(output_write, 2)
        os.dup2(report_write, enforce.REPORT_FD, inheritable=False)  # where the rule host's refusals write
        keep = [2, *sorted({rpc.fileno(), status_write}), enforce.REPORT_FD, 4096]
        for low, high in zip(keep, keep[1:]):
            os.closerange(low + 1, high)
        uid = confine.UID_BASE + confine.global_pid() if plan.own_uid else os.getuid()
        if plan.root is not None:
            confine.enter_namespaces()
            confine.build_root(plan.root)
            workdir = "/tmp"
        if plan.own_uid:
            with open("/proc/self/oom_score_adj", "w") as score:
                score.write("1000")  # out of memory, the kernel kills this process tree first
            if plan.root is None:
                os.chown(workdir, uid, uid)
            confine.become_unprivileged(uid, plan.user_namespace)
        elif plan.linux:
            confine.prctl(confine.PR_SET_NO_NEW_PRIVS, 1)
        confine.apply_limits(limits["memory_bytes"], limits["cpu_seconds"], limits["file_bytes"],
                             limits["processes"] if plan.own_uid else None)
        os.chdir(workdir)
        os.environ["HOME"] = os.environ["TMPDIR"] = tempfile.tempdir = workdir
        if plan.seccomp:
            seccomp.install()  # last: it refuses unshare and mount, which the steps above use
    except OSError as exc:
        _setup_failed(status_write, exc)
    os.close(status_write)
    if probe:
        os._exit(0)
    if host.config.get("audit", True):
        own = (os.path.realpath(f"/proc/{os.getpid()}"), os.path.realpath(os.getcwd()))
        enforce.install_audit_hook((*host.audit_readable, *own), (own[1], "/dev/null", "/dev/shm"), host.loaded)
    sys.stdin = open(os.devnull)
    sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), write_through=True)
    sys.stderr = io.TextIOWrapper(io.FileIO(2, "w", closefd=False), write_through=True)
    runtime = Runtime(host.namespace, request.get("array_api") or host.config.get("array_api", "torch"),
                      torch_allowed=not any("*" in group for group in host.forbid))
    runtime.dispatch({"op": "seed", "value": 0})
    runtime.run(rpc)
    os._exit(0)


def _setup_failed(status_write: int, exc: OSError) -> None:
    """Report a confinement step that failed (with where it failed) and end the child before any cell runs."""
    frame = traceback.extract_tb(exc.__traceback__)[-1]
    where = f"{os.path.basename(frame.filename)}:{frame.lineno}"
    os.write(status_write, f"setup failed: {exc} ({where})\n".encode())
    os._exit(SETUP_FAILED)


def _kill_descendants(pid: int, spare: set[int]) -> str:
    """SIGKILL every process below the host but the rule hosts in ``spare`` and theirs (orphans are
    re-parented to the host, the subreaper), reap them all, and describe how ``pid`` ended (without
    namespaces, where no PID 1 does this)."""
    status = "unknown"
    while True:
        for other in _descendants(os.getpid(), spare):
            try:
                os.kill(other, signal.SIGKILL)
            except OSError:
                pass
        while True:
            try:
                reaped, code = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return status
            if reaped == 0:
                break
            if reaped in spare:
                spare.discard(reaped)  # a rule host that ended: the grader hears of it on its socket
            if reaped == pid:
                status = _describe_status(code)
        time.sleep(0.002)


def _descendants(root: int, spare: set[int]) -> list[int]:
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
                parents[int(entry)] = int(fields[1])
            except (OSError, IndexError, ValueError):
                continue
    found, frontier = [], {root}
    while frontier:
        frontier = {pid for pid, parent in parents.items()
                    if parent in frontier and pid not in found and pid not in spare}
        found.extend(frontier)
    return found


def _prepare_for_forks() -> None:
    """Make this process cheap to fork: its objects leave the garbage collector's generations (a child's
    collection would otherwise write to, and so copy, every page of the heap), and its anonymous memory is
    backed by huge pages where the kernel can (a fork copies a tenth of the page tables: about 9 ms to 3)."""
    gc.freeze()
    if sys.platform.startswith("linux"):
        confine.collapse_heap()


def _describe_status(code: int) -> str:
    if os.WIFSIGNALED(code):
        return f"killed by {signal.Signals(os.WTERMSIG(code)).name}"
    return f"exit code {os.WEXITSTATUS(code)}"


def main() -> None:
    control = socket.socket(fileno=int(sys.argv[1]))
    Host(control).serve()


if __name__ == "__main__":
    main()
