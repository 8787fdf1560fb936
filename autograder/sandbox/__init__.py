"""Run student code in a confined child process and talk to it with plain values.

``Sandbox`` owns one host process (see ``host.py``). ``Sandbox.session(cells,
limits)`` has the host fork a fresh confined child, sends it the answer cells
directly (they never pass through the host), and returns a ``Session`` that calls
functions and methods inside the child and receives plain values (numpy arrays,
numbers, strings, lists, dicts, tuples) or handles to objects that stay in the
child. One absolute deadline per session covers every byte received; the child's
printed output is read here, capped. A child that hangs, dies or misbehaves turns
into a ``SandboxError``, and the child is always killed with everything it
started when the session ends.

Nothing a child says is trusted: its strings arrive cleaned of control characters
and capped, its type names must be identifiers, and what the host could not apply
(``Sandbox.notes``) is the host's own finding, made before any child ran.
"""
from __future__ import annotations

import dataclasses
import os
import pkgutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autograder.sandbox import wire
from autograder.sandbox.wire import DType, Handle

__all__ = ["DType", "Limits", "Outcome", "Remote", "RuleBroken", "Sandbox", "SandboxConfig", "SandboxError",
           "SandboxFailure", "Session", "clean"]

# imported once in the host, so that no child pays for them: the libraries notebooks use (with torch._dynamo,
# which an optimizer imports on its first use: 823 modules, 2.1 s in every child that trains with one), the
# standard modules they commonly import, and every module of course_utils (``preload_modules``)
LIBRARIES = (
    "numpy", "numpy.random", "torch", "torch._dynamo", "matplotlib", "matplotlib.pyplot", "math", "random",
    "itertools", "functools", "collections", "copy", "time", "json", "re", "typing", "dataclasses", "statistics",
    "warnings", "inspect", "textwrap", "string", "operator", "contextlib", "abc", "enum", "numbers", "decimal",
    "fractions",
)


def preload_modules() -> tuple[str, ...]:
    """``LIBRARIES``, then ``course_utils`` and each of its modules as the package holds them today."""
    import course_utils

    helpers = sorted(info.name for info in pkgutil.iter_modules(course_utils.__path__) if not info.name.startswith("_"))
    return (*LIBRARIES, "course_utils", *(f"course_utils.{name}" for name in helpers))


STRING_LIMIT = 10_000
KEY_LIMIT = 200
REPLY_LIMIT = 64 * 2**20  # the grader decodes and converts what it receives: a child gets this much of its memory
# Python's own exception types that a test next to reference cells may name: a short, fixed list, so that the
# choice of exception carries next to nothing
NAMED_EXCEPTIONS = frozenset([
    "AssertionError", "AttributeError", "IndexError", "KeyError", "MemoryError", "NameError",
    "NotImplementedError", "RecursionError", "RuntimeError", "SyntaxError", "SystemExit", "TypeError",
    "ValueError", "ZeroDivisionError",
])


def clean(text: str, limit: int, keep_newlines: bool = False) -> str:
    """``text`` with control characters (and unpaired surrogates) replaced by spaces, at most ``limit`` long."""
    text = "".join(ch if ch.isprintable() or (keep_newlines and ch in "\n\t") else " " for ch in text[: limit + 1])
    return text if len(text) <= limit else text[: limit - 3] + "..."


@dataclass(frozen=True)
class Limits:
    """What one test may use. CPU seconds default to the wall-clock limit plus a margin; ``processes``
    counts threads too and covers everything the child starts."""

    wall_seconds: float = 30.0
    memory_bytes: int = 2 * 2**30
    output_bytes: int = 32 * 2**10
    file_bytes: int = 64 * 2**20
    processes: int = 64
    cpu_seconds: int | None = None

    def as_dict(self) -> dict:
        cpu = self.cpu_seconds if self.cpu_seconds is not None else int(self.wall_seconds) + 5
        return {"memory_bytes": self.memory_bytes, "output_bytes": self.output_bytes, "file_bytes": self.file_bytes,
                "processes": self.processes, "cpu_seconds": cpu}


@dataclass(frozen=True)
class SandboxConfig:
    """How a host is prepared: modules to import and trusted setup cells to run before any fork, folders that
    children may read besides Python's (``folders``), folders they must not (``hide``), the array type.
    ``audit=False`` leaves out the children's audit hook (``enforce``): only for tests of the layers beneath."""

    setup_cells: tuple[tuple[str, str], ...] = ()
    preload: tuple[str, ...] = field(default_factory=preload_modules)
    folders: tuple[str, ...] = ()
    hide: tuple[str, ...] = ()
    array_api: str = "torch"
    environment: dict[str, str] = field(default_factory=dict)
    audit: bool = True


class SandboxError(Exception):
    """Student code could not produce a value. ``describe()`` says why in words a student may see: nothing the
    child chose but, at most, one of a few exception types. ``str()`` is the whole story, child's words
    included, for an instructor's eyes (a debugger, a log), never for feedback."""

    def describe(self) -> str:
        return str(self)


class SandboxFailure(RuntimeError):
    """The sandbox itself failed (not the student's code): a grader problem."""


class StudentException(SandboxError):
    """The student's code raised an exception; ``error`` is what the child reported (anything, if forged)."""

    def __init__(self, error: Any) -> None:
        error = error if isinstance(error, dict) else {}
        self.type = clean(str(error.get("type", "Exception")), 80)
        self.message = clean(str(error.get("message", "")), 300)
        self.where = clean(str(error.get("where", "")), 120)
        where = f" ({self.where})" if self.where else ""
        super().__init__(f"{self.type}: {self.message}{where}" if self.message else f"{self.type}{where}")

    @property
    def kind(self) -> str:
        return self.type if self.type in NAMED_EXCEPTIONS else "an exception"

    def describe(self) -> str:
        if self.kind == "NameError":
            return ("your code raised NameError (a name that another answer cell defines? Each answer cell is graded "
                    "next to the course's own versions of the others: keep the helpers and imports a cell needs in it)")
        return f"your code raised {self.kind}"


class CellFailed(StudentException):
    """An answer cell raised while it was being run; ``cell`` is the grader's name for it."""

    def __init__(self, cell: str, error: Any) -> None:
        super().__init__(error)
        self.cell = cell
        self.args = (f"running the cell {cell} raised {self.args[0]}",)

    def describe(self) -> str:
        return f"running the cell {self.cell} raised {self.kind}"


class SandboxTimeout(SandboxError):
    pass


class RuleBroken(SandboxError):
    """The child tried what the ``index``-th group of its ``forbid`` refuses, and was ended for it."""

    def __init__(self, index: int) -> None:
        super().__init__(f"your code broke rule {index} of this test")
        self.index = index


class SandboxCrash(SandboxError):
    """The child ended or broke the protocol; ``detail`` (its exit status, its last output) is for ``str()``."""

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(f"{message} ({detail})" if detail else message)
        self.message = message

    def describe(self) -> str:
        return self.message


@dataclass(frozen=True)
class Outcome:
    """How a child ended and what it printed (the first ``output_bytes`` of it)."""

    status: str
    output: str
    output_bytes: int
    out_of_memory: bool = False
    setup_error: str = ""
    rule_broken: int | None = None  # the index of the ``forbid`` group the child tried to get round


class Sandbox:
    """A host process, started lazily and restarted if it dies. Not thread-safe: one per worker."""

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self._process: subprocess.Popen | None = None
        self._control: socket.socket | None = None
        self._rule_hosts: dict[tuple[tuple[str, ...], ...], socket.socket] = {}  # control sockets, by rules
        self.notes: set[str] = set()
        self.confinement: list[str] = []

    def __enter__(self) -> "Sandbox":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _start(self) -> socket.socket:
        if self._control is not None and self._process is not None and self._process.poll() is None:
            return self._control
        self.close()
        ours, theirs = socket.socketpair()
        package_parent = str(Path(__file__).resolve().parents[2])
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LANG": "C.UTF-8",
            "PYTHONPATH": package_parent,
            "PYTHONDONTWRITEBYTECODE": "1",
            "MPLBACKEND": "Agg",
            "OMP_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1",
            "OPENBLAS_NUM_THREADS": "1",
            **self.config.environment,
        }
        self._log = tempfile.TemporaryFile()
        # -P: no current folder on the host's import path, where a child could plant modules for a later host
        self._process = subprocess.Popen(
            [sys.executable, "-P", "-m", "autograder.sandbox.host", str(theirs.fileno())],
            pass_fds=[theirs.fileno()], env=env, cwd=tempfile.gettempdir(),
            stdin=subprocess.DEVNULL, stdout=self._log, stderr=self._log,
        )
        theirs.close()
        self._control = ours
        wire.send(ours, {
            "op": "setup", "preload": list(self.config.preload), "array_api": self.config.array_api,
            "setup": [{"name": n, "source": s} for n, s in self.config.setup_cells],
            "folders": list(self.config.folders), "hide": list(self.config.hide), "audit": self.config.audit,
        })
        reply = self._control_reply(timeout=120)
        if not reply.get("ok"):
            raise SandboxFailure(f"sandbox host failed to start: {reply.get('error')}")
        self.notes = set(reply.get("notes", []))
        self.confinement = list(reply.get("confinement", []))
        return ours

    def _control_reply(self, timeout: float, control: socket.socket | None = None) -> dict:
        control = control or self._control
        assert control is not None
        control.settimeout(timeout)
        try:
            return wire.receive(control)
        except (OSError, wire.WireError) as exc:
            self._log.seek(0)
            log = self._log.read()[-2000:].decode("utf-8", "replace")
            self.close()
            raise SandboxFailure(f"sandbox host stopped answering ({type(exc).__name__}); its log:\n{log}"
                                 ) from None

    def session(self, cells: list[tuple[str, str]], limits: Limits = Limits(), array_api: str | None = None,
                forbid: tuple[tuple[str, ...], ...] = ()) -> "Session":
        """Fork a child that runs ``cells`` (name, source) in order; raise ``CellFailed`` if one raises.
        ``array_api`` ("torch" or "numpy") overrides the config's array type for this child. ``forbid``: groups
        of torch operator patterns the child refuses (``enforce.forbid``, made once in the rule host that forks
        the children of this set of rules); a child that tries one is ended and the session raises
        ``RuleBroken`` with the group's index. Such a child may start no thread or process."""
        if array_api not in (None, "torch", "numpy"):
            raise ValueError(f"unknown array_api {array_api!r}")
        if forbid:
            limits = dataclasses.replace(limits, processes=1)
        control = self._rule_host(tuple(tuple(group) for group in forbid))
        wire.send(control, {"op": "spawn", "limits": limits.as_dict(), "array_api": array_api or self.config.array_api})
        reply = self._control_reply(60, control)
        if not reply.get("ok"):
            raise SandboxFailure(str(reply.get("error")))
        _, fds, _, _ = socket.recv_fds(control, 1, 2)
        session = Session(self, control, socket.socket(fileno=fds[0]), fds[1], limits, reply["pid"])
        try:
            session.load(cells)
        except BaseException:
            session.finish()
            raise
        return session

    def _rule_host(self, forbid: tuple[tuple[str, ...], ...]) -> socket.socket:
        """The control socket of the host whose children refuse ``forbid`` (the host itself when it is empty);
        the host forks a rule host the first time a set of rules is asked for."""
        control = self._start()
        if not forbid:
            return control
        if forbid not in self._rule_hosts:
            wire.send(control, {"op": "derive", "forbid": [list(group) for group in forbid]})
            reply = self._control_reply(60)
            if not reply.get("ok"):
                raise SandboxFailure(str(reply.get("error")))
            _, fds, _, _ = socket.recv_fds(control, 1, 1)
            self._rule_hosts[forbid] = socket.socket(fileno=fds[0])
        return self._rule_hosts[forbid]

    def _finish_child(self, control: socket.socket, ended: bool) -> dict:
        try:
            wire.send(control, {"op": "finish", "ended": ended})
        except OSError:  # the host ended (or was closed) while the session was open: nothing is left to kill
            self.close()
            return {"ok": True, "status": "the sandbox host ended"}
        return self._control_reply(60, control)

    def close(self) -> None:
        for control in self._rule_hosts.values():
            control.close()
        self._rule_hosts = {}
        if self._control is not None:
            self._control.close()
            self._control = None
        if self._process is not None:
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            self._process = None


class _Output:
    """Reads a child's stdout and stderr on a thread, keeping the first ``cap`` bytes and counting the rest."""

    def __init__(self, fd: int, cap: int) -> None:
        self.data = bytearray()
        self.total = 0
        self._thread = threading.Thread(target=self._drain, args=(fd, cap), daemon=True)
        self._thread.start()

    def _drain(self, fd: int, cap: int) -> None:
        with open(fd, "rb", buffering=0) as pipe:
            while chunk := pipe.read(65536):
                self.total += len(chunk)
                room = cap - len(self.data)
                if room > 0:
                    self.data += chunk[:room]

    def text(self) -> str:
        self._thread.join(timeout=5)
        return clean(self.data.decode("utf-8", "replace"), len(self.data) + 1, keep_newlines=True)


class Session:
    """One child process running some answer cells, answering calls until ``finish``."""

    def __init__(self, sandbox: Sandbox, control: socket.socket, sock: socket.socket, output_fd: int, limits: Limits,
                 pid: int) -> None:
        self.sandbox = sandbox
        self.control = control  # of the host that forked the child
        self.sock = sock
        self.pid = pid  # the child's process id as the grader sees it
        self.limits = limits
        self.deadline = time.monotonic() + limits.wall_seconds
        self.outcome: Outcome | None = None
        self.calls = 0
        self._output = _Output(output_fd, limits.output_bytes)
        self._ended = False

    def __enter__(self) -> "Session":
        return self

    def __exit__(self, *exc: object) -> None:
        self.finish()

    def load(self, cells: list[tuple[str, str]]) -> None:
        """Send the cells to the child, which runs them in order; ``CellFailed`` names the one that raised."""
        self._send({"op": "load", "cells": [{"name": n, "source": s} for n, s in cells]})
        report = self._receive()
        if not isinstance(report, dict) or not isinstance(report.get("loaded"), bool):
            raise self._fail(SandboxCrash("sent a malformed reply"))
        if not report["loaded"]:
            index = report.get("index")
            if type(index) is not int or not 0 <= index < len(cells):
                raise self._fail(SandboxCrash("sent a malformed reply"))
            raise CellFailed(cells[index][0], report.get("error"))

    def _send(self, message: dict) -> None:
        if self.outcome is not None:
            raise SandboxCrash("the process running your code has already ended")
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise self._fail(self._timeout())
        self.sock.settimeout(remaining)
        try:
            self.sock.sendall(wire.encode(message))
        except socket.timeout:
            raise self._fail(self._timeout()) from None
        except OSError:
            self._ended = True
            raise self._fail(None) from None

    def _timeout(self) -> SandboxTimeout:
        return SandboxTimeout(f"exceeded the time limit of {self.limits.wall_seconds:g} s")

    def _receive(self) -> Any:
        try:
            return wire.receive(self.sock, self.deadline, REPLY_LIMIT)
        except wire.Deadline:
            raise self._fail(self._timeout()) from None
        except wire.PeerClosed:
            self._ended = True
            raise self._fail(None) from None
        except (OSError, wire.WireError) as exc:
            raise self._fail(SandboxCrash("sent a malformed reply", str(exc))) from None

    def _fail(self, error: SandboxError | None) -> Exception:
        outcome = self.finish()
        if outcome.setup_error:
            return SandboxFailure(f"the sandbox could not confine a child: {outcome.setup_error}")
        if outcome.rule_broken is not None:
            return RuleBroken(outcome.rule_broken)
        if error is not None:
            return error
        if outcome.out_of_memory:
            limit = f"{self.limits.memory_bytes / 2**30:g} GB"
            return SandboxCrash(f"the process running your code ran out of memory (the limit is {limit})")
        last = f"; its last output: {clean(outcome.output[-300:], 300)}" if outcome.output else ""
        return SandboxCrash("the process running your code ended unexpectedly", f"{outcome.status}{last}")

    @staticmethod
    def plan(op: str, name: str = "", target: Handle | None = None, args: tuple = (), kwargs: dict | None = None,
             **extra: Any) -> dict:
        """The message of one operation, as ``request`` sends it; ``batch`` sends many at once."""
        return {"op": op, "name": name, "target": target.id if target else None, "args": list(_unwrap(args)),
                "kwargs": _unwrap(kwargs or {}), **_unwrap(extra)}

    def request(self, op: str, name: str = "", target: Handle | None = None, args: tuple = (),
                kwargs: dict | None = None, **extra: Any) -> Any:
        """Send one operation to the child and return its value; raise ``SandboxError`` if none came."""
        self.calls += 1
        self._send(self.plan(op, name, target, args, kwargs, **extra))
        reply = self._receive()
        if not isinstance(reply, dict) or not isinstance(reply.get("ok"), bool):
            raise self._fail(SandboxCrash("sent a malformed reply"))
        if not reply["ok"]:
            raise StudentException(reply.get("error"))
        return self._wrap(reply.get("value"))

    def _wrap(self, value: Any) -> Any:
        if isinstance(value, str):
            return clean(value, STRING_LIMIT)
        if isinstance(value, Handle):
            return Remote(self, value)
        if isinstance(value, list):
            return [self._wrap(v) for v in value]
        if isinstance(value, tuple):
            return tuple(self._wrap(v) for v in value)
        if isinstance(value, dict):
            return {clean(k, KEY_LIMIT): self._wrap(v) for k, v in value.items()}
        return value

    def call(self, function: str, *args: Any, **kwargs: Any) -> Any:
        """Call a function that the notebook defines: ``session.call("train_model", model, ...)``."""
        return self.request("call", function, None, args, kwargs)

    def planned_call(self, function: str, *args: Any, **kwargs: Any) -> dict:
        """``call``'s message, to send with others in one ``batch``."""
        return self.plan("call", function, None, args, kwargs)

    def batch(self, plans: list[dict]) -> tuple[list[Any], "StudentException | None"]:
        """Send many operations (``plan``s: calls, gets, sets) in one round trip; the child runs them in order, as
        if they came one by one. Their values, in order, and the error of the one that raised (``None`` if none
        did; the operations after it did not run)."""
        reply = self.request("batch", requests=list(plans))
        values = reply.get("values") if isinstance(reply, dict) else None
        error = reply.get("error") if isinstance(reply, dict) else None
        if not isinstance(values, list) or len(values) > len(plans) or (error is None) != (len(values) == len(plans)):
            raise self._fail(SandboxCrash("sent a malformed reply"))
        return values, None if error is None else StudentException(error)

    def call_kept(self, function: str, *args: Any, **kwargs: Any) -> "Remote":
        """Call a function but keep its result in the child (a data set, say): a ``Remote`` comes back."""
        return self.request("call", function, None, args, kwargs, keep=True)

    def new(self, cls: str, *args: Any, **kwargs: Any) -> "Remote":
        value = self.call(cls, *args, **kwargs)
        if not isinstance(value, Remote):
            raise SandboxError(f"{cls}(...) did not return an object")
        return value

    def keep(self, value: Any) -> "Remote":
        """Send a value (a ``bn_param`` dict, say) to live in the child, where the student's code may change it."""
        return self.request("keep", value=value, keep=True)

    def get(self, name: str) -> Any:
        """A global variable of the notebook."""
        return self.request("get", name)

    def get_kept(self, name: str) -> "Remote":
        """A global variable of the notebook, kept in the child (a list of tensors that training changes)."""
        return self.request("get", name, keep=True)

    def assign(self, name: str, value: Any) -> None:
        """Set a global variable of the notebook (the loaders that its given training functions read)."""
        self.request("set", name, value=value)

    def seed(self, value: int) -> None:
        """Seed Python's, numpy's and torch's random generators inside the child."""
        self.request("seed", value=int(value))

    def finish(self) -> Outcome:
        if self.outcome is None:
            self.sock.close()
            reply = self.sandbox._finish_child(self.control, self._ended)
            broken = reply.get("rule_broken")
            self.outcome = Outcome(reply.get("status", "unknown"), self._output.text(), self._output.total,
                                   bool(reply.get("out_of_memory")), reply.get("setup_error", ""),
                                   broken if type(broken) is int else None)
        return self.outcome


class Remote:
    """An object that lives in the child. Methods: ``call``, ``get``, ``set``, ``isinstance``, ``find``."""

    def __init__(self, session: Session, handle: Handle) -> None:
        self.session = session
        self.handle = handle

    @property
    def type_name(self) -> str:
        return self.handle.type

    def call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        return self.session.request("call", method, self.handle, args, kwargs)

    def call_kept(self, method: str, *args: Any, **kwargs: Any) -> "Remote":
        """Call a method but keep its result in the child; a ``Remote`` comes back."""
        return self.session.request("call", method, self.handle, args, kwargs, keep=True)

    def planned_call(self, method: str, *args: Any, **kwargs: Any) -> dict:
        """``call``'s message, to send with others in one ``Session.batch``."""
        return self.session.plan("call", method, self.handle, args, kwargs)

    def planned_set(self, attribute: str, value: Any) -> dict:
        """``set``'s message, to send with others in one ``Session.batch``."""
        return self.session.plan("set", attribute, self.handle, value=value)

    def get(self, attribute: str) -> Any:
        return self.session.request("get", attribute, self.handle)

    def set(self, attribute: str, value: Any) -> None:
        self.session.request("set", attribute, self.handle, value=value)

    def isinstance(self, cls: str) -> bool:
        return bool(self.session.request("isinstance", cls, self.handle))

    def find(self, cls: str) -> list["Remote"]:
        """Objects of class ``cls`` reachable from this one's attributes (``course_utils.model_tools.find_layers``)."""
        return list(self.session.request("find", cls, self.handle))


def _unwrap(value: Any) -> Any:
    if isinstance(value, Remote):
        return value.handle
    if isinstance(value, (list, tuple)):
        items = [_unwrap(v) for v in value]
        return tuple(items) if isinstance(value, tuple) else items
    if isinstance(value, dict):
        return {k: _unwrap(v) for k, v in value.items()}
    return value
