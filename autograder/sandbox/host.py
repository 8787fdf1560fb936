"""The sandbox host: a clean process that forks one confined child per test.

The grader starts ``python -m autograder.sandbox.host FD`` with a fresh, minimal
environment. The host imports the heavy libraries once, runs the notebook's
trusted setup cells (the master's locked imports and helpers), then serves
requests on the control socket FD:

``spawn``   fork a child that confines itself (own session, temp folder,
            limits, hidden course folders and shared scratch folders,
            unprivileged user when root),
            runs the requested answer cells and then answers calls over a
            fresh socket, whose other end goes back to the grader.
``finish``  kill the child and everything it started, reap it, and report
            its exit status and the first bytes of what it printed.

The host never runs student code, and holds no hidden test and no reference
value, so what a child can see in its memory is public. When the grader
goes away the control socket closes and the host kills its child and exits.
"""
from __future__ import annotations

import ctypes
import importlib
import io
import os
import random
import resource
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
import traceback
from typing import Any

import numpy as np

from autograder.sandbox import wire

PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
PR_SET_NO_NEW_PRIVS = 38
CLONE_NEWNS = 0x00020000
CLONE_NEWNET = 0x40000000
MS_BIND, MS_REC, MS_PRIVATE = 4096, 16384, 1 << 18
# World-writable folders that every process shares: a child gets empty read-only copies (and writes in its own
# folder), so that it can neither leave files for a later child nor fill memory that outlives it (/dev/shm).
SHARED_FOLDERS = ("/tmp", "/var/tmp", "/dev/shm", "/run/lock")
_libc = ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{what}: {os.strerror(errno)}")


def _prctl(option: int, value: int) -> None:
    _check(_libc.prctl(option, ctypes.c_ulong(value), 0, 0, 0), "prctl")


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    encode = lambda s: s.encode() if s is not None else None  # noqa: E731
    _check(_libc.mount(encode(source), encode(target), encode(fstype), ctypes.c_ulong(flags), encode(data)),
           f"mount {target}")


# ----------------------------------------------------------------------------- child side


class Runtime:
    """What runs inside the confined child: load answer cells, then answer calls."""

    def __init__(self, namespace: dict, array_api: str) -> None:
        self.namespace = namespace
        self.array_api = array_api
        self.objects: dict[int, Any] = {}
        self.torch = sys.modules.get("torch")

    def load(self, cells: list[dict]) -> dict:
        for cell in cells:
            try:
                exec(compile(cell["source"], f"<{cell['name']}>", "exec"), self.namespace)
            except BaseException as exc:  # noqa: BLE001 - SystemExit and friends are the student's too
                return {"loaded": False, "cell": cell["name"], "error": describe(exc)}
        return {"loaded": True}

    def serve(self, sock: socket.socket) -> None:
        while True:
            try:
                request = wire.receive(sock)
            except wire.WireError:
                return
            try:
                reply = {"ok": True, "value": self.answer(request)}
                frame = wire.encode(reply)
            except BaseException as exc:  # noqa: BLE001
                frame = wire.encode({"ok": False, "error": describe(exc)})
            sock.sendall(frame)

    def answer(self, request: dict) -> Any:
        """The wire value of a request's result: a handle when the grader asked to keep it in the child."""
        value = self.dispatch(request)
        return self.keep(value) if request.get("keep") else self.export(value, 0)

    def dispatch(self, request: dict) -> Any:
        op, name = request["op"], request.get("name", "")
        args = [self.import_(a) for a in request.get("args", [])]
        kwargs = {k: self.import_(v) for k, v in request.get("kwargs", {}).items()}
        target = self.objects[request["target"]] if request.get("target") is not None else None
        if op == "seed":
            seed = int(request["value"])
            random.seed(seed)
            np.random.seed(seed)
            if self.torch is not None:
                self.torch.manual_seed(seed)
            return None
        if op == "get":
            return self.lookup(name) if target is None else getattr(target, name)
        if op == "set":
            setattr(target, name, self.import_(request["value"]))
            return None
        if op == "call":
            function = self.lookup(name) if target is None else getattr(target, name)
            return function(*args, **kwargs)
        if op == "isinstance":
            return isinstance(target, self.lookup(name))
        if op == "find":
            from course_utils.model_tools import find_layers

            return find_layers(target, self.lookup(name))
        raise ValueError(f"unknown operation {op!r}")

    def lookup(self, name: str) -> Any:
        if name not in self.namespace:
            raise NameError(f"{name!r} is not defined by your notebook")
        return self.namespace[name]

    def keep(self, obj: Any) -> wire.Handle:
        self.objects[id(obj)] = obj
        return wire.Handle(id(obj), type(obj).__name__)

    def import_(self, value: Any) -> Any:
        if isinstance(value, np.ndarray) and self.array_api == "torch":
            return self.torch.from_numpy(value)
        if isinstance(value, wire.Handle):
            return self.objects[value.id]
        if isinstance(value, wire.DType):
            return getattr(self.torch, value.name) if self.array_api == "torch" else np.dtype(value.name)
        if isinstance(value, list):
            return [self.import_(v) for v in value]
        if isinstance(value, tuple):
            return tuple(self.import_(v) for v in value)
        if isinstance(value, dict):
            return {k: self.import_(v) for k, v in value.items()}
        return value

    def export(self, value: Any, depth: int) -> Any:
        if depth > wire.MAX_DEPTH:
            raise ValueError("returned value is nested too deeply")
        if value is None or isinstance(value, (bool, int, float, str, np.generic)):
            return value
        if self.torch is not None and isinstance(value, self.torch.Tensor):
            value = value.detach().cpu()
            if str(value.dtype).replace("torch.", "") not in wire.ALLOWED_DTYPES:
                value = value.double() if value.is_floating_point() else value.long()
            return value.numpy().copy()
        if isinstance(value, np.ndarray):
            return value if value.dtype.name in wire.ALLOWED_DTYPES else value.astype(np.float64)
        if isinstance(value, (list, tuple)):
            items = [self.export(v, depth + 1) for v in value]
            return tuple(items) if isinstance(value, tuple) else items
        if isinstance(value, dict) and all(isinstance(k, str) and not k.startswith("$") for k in value):
            return {k: self.export(v, depth + 1) for k, v in value.items()}
        return self.keep(value)


def describe(exc: BaseException) -> dict:
    """Type, message and the answer-cell line where an exception was raised."""
    try:
        message = str(exc)[:500]
    except BaseException:  # noqa: BLE001 - a hostile __str__
        message = ""
    where = ""
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename.startswith("<") and frame.filename.endswith(">") and frame.filename != "<string>":
            where = f"{frame.filename[1:-1]}, line {frame.lineno}"
    return {"type": type(exc).__name__, "message": message, "where": where}


def _confine(config: dict, limits: dict, workdir: str) -> list[str]:
    """Apply every restriction that must hold before student code runs; return notes on what was not possible."""
    notes = []
    uid = config.get("uid")
    if os.geteuid() == 0:
        try:
            _check(_libc.unshare(CLONE_NEWNS | CLONE_NEWNET), "unshare")
            _mount(None, "/", None, MS_REC | MS_PRIVATE)
            hide = config.get("hide", [])
            python = {p for p in (sys.prefix, sys.base_prefix, *sys.path) if p and _inside(p, SHARED_FOLDERS)
                      and not _inside(p, hide)}
            _hide([*hide, *SHARED_FOLDERS], [*config.get("keep", []), *sorted(python), workdir])
        except OSError as exc:
            notes.append(f"course folders not hidden ({exc})")
        if uid is not None:
            os.setgroups([])
            os.setresgid(uid, uid, uid)
            os.setresuid(uid, uid, uid)
            resource.setrlimit(resource.RLIMIT_NPROC, (limits["processes"], limits["processes"]))
    _prctl(PR_SET_NO_NEW_PRIVS, 1)
    address_space = _current_address_space() + limits["memory_bytes"]
    resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))
    resource.setrlimit(resource.RLIMIT_CPU, (limits["cpu_seconds"], limits["cpu_seconds"] + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits["file_bytes"], limits["file_bytes"]))
    return notes


def _hide(hide: list[str], keep: list[str]) -> None:
    """Cover each folder of ``hide`` with an empty tmpfs, then bind each of ``keep`` back in place."""
    kept = [(path, os.open(path, os.O_PATH | os.O_DIRECTORY)) for path in keep if os.path.isdir(path)]
    for path in hide:
        if os.path.isdir(path):
            _mount("tmpfs", path, "tmpfs", 0, "mode=755,size=1m")
    for path, fd in kept:
        os.makedirs(path, exist_ok=True)
        _mount(f"/proc/self/fd/{fd}", path, None, MS_BIND | MS_REC)
        os.close(fd)


def _inside(path: str, folders: list[str] | tuple[str, ...]) -> bool:
    path = os.path.abspath(path)
    return any(os.path.commonpath([path, folder]) == folder for folder in folders)


def _current_address_space() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def _child_main(config: dict, request: dict, rpc: socket.socket, output_fd: int, workdir: str,
                namespace: dict) -> None:
    os.setsid()
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(output_fd, 1)
    os.dup2(output_fd, 2)
    os.closerange(3, rpc.fileno())
    os.closerange(rpc.fileno() + 1, 4096)
    sys.stdin = open(os.devnull)
    sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), write_through=True)
    sys.stderr = io.TextIOWrapper(io.FileIO(2, "w", closefd=False), write_through=True)
    notes = _confine(config, request["limits"], workdir)
    os.chdir(workdir)
    os.environ["HOME"] = os.environ["TMPDIR"] = tempfile.tempdir = workdir
    runtime = Runtime(namespace, request.get("array_api") or config.get("array_api", "torch"))
    runtime.dispatch({"op": "seed", "value": 0})
    report = runtime.load(request["cells"])
    report["notes"] = notes
    rpc.sendall(wire.encode(report))
    if report["loaded"]:
        runtime.serve(rpc)


# ----------------------------------------------------------------------------- host side


class Host:
    def __init__(self, control: socket.socket) -> None:
        self.control = control
        self.config: dict = {}
        self.namespace: dict = {"__name__": "__main__"}
        self.child: dict | None = None

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
            return {"ok": False, "error": f"setup cell failed: {describe(exc)}"}
        finally:
            sys.stdout, sys.stderr = saved
        _prctl(PR_SET_CHILD_SUBREAPER, 1)
        self.base = tempfile.mkdtemp(prefix="course-sandbox-")
        os.chmod(self.base, 0o755)
        return {"ok": True}

    def spawn(self, request: dict) -> None:
        if self.child is not None:
            self.finish()
        rpc_host, rpc_child = socket.socketpair()
        out_read, out_write = os.pipe()
        workdir = tempfile.mkdtemp(dir=self.base)
        uid = self.config.get("uid")
        if os.geteuid() == 0 and uid is not None:
            os.chown(workdir, uid, uid)
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                self.control.close()
                rpc_host.close()
                os.close(out_read)
                _child_main(self.config, request, rpc_child, out_write, workdir, self.namespace)
            except BaseException:  # noqa: BLE001 - the child must never return into the host loop
                traceback.print_exc()
                code = 70
            os._exit(code)
        os.close(out_write)
        rpc_child.close()
        captured = {"data": bytearray(), "total": 0}
        drain = threading.Thread(target=_drain, args=(out_read, captured, request["limits"]["output_bytes"]),
                                 daemon=True)
        drain.start()
        self.child = {"pid": pid, "workdir": workdir, "drain": drain, "captured": captured}
        wire.send(self.control, {"ok": True, "pid": pid})
        socket.send_fds(self.control, [b"F"], [rpc_host.fileno()])
        rpc_host.close()

    def finish(self) -> dict:
        child, self.child = self.child, None
        if child is None:
            return {"ok": True, "status": "no child"}
        try:
            os.killpg(child["pid"], signal.SIGKILL)
        except OSError:
            pass
        status = _kill_descendants(child["pid"])
        child["drain"].join(timeout=5)
        shutil.rmtree(child["workdir"], ignore_errors=True)
        captured = child["captured"]
        return {"ok": True, "status": status, "output": captured["data"].decode("utf-8", "replace"),
                "output_bytes": captured["total"]}

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
                wire.send(self.control, self.finish())
        self.finish()
        shutil.rmtree(getattr(self, "base", ""), ignore_errors=True)


def _drain(fd: int, captured: dict, cap: int) -> None:
    with open(fd, "rb", buffering=0) as pipe:
        while chunk := pipe.read(65536):
            captured["total"] += len(chunk)
            room = cap - len(captured["data"])
            if room > 0:
                captured["data"] += chunk[:room]


def _kill_descendants(pid: int) -> str:
    """SIGKILL every process below the host (orphans are re-parented to it, the subreaper),
    reap them all, and describe how ``pid`` ended."""
    status = "unknown"
    while True:
        family = _descendants(os.getpid())
        for other in family:
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
            if reaped == pid:
                status = _describe_status(code)
        time.sleep(0.002)


def _descendants(root: int) -> list[int]:
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
        frontier = {pid for pid, parent in parents.items() if parent in frontier and pid not in found}
        found.extend(frontier)
    return found


def _describe_status(code: int) -> str:
    if os.WIFSIGNALED(code):
        return f"killed by {signal.Signals(os.WTERMSIG(code)).name}"
    return f"exit code {os.WEXITSTATUS(code)}"


def main() -> None:
    control = socket.socket(fileno=int(sys.argv[1]))
    Host(control).serve()


if __name__ == "__main__":
    main()
