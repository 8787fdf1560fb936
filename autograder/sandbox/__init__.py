"""Run student code in a confined child process and talk to it with plain values.

``Sandbox`` owns one host process (see ``host.py``). ``Sandbox.session(cells,
limits)`` forks a fresh child that runs the given answer cells; the returned
``Session`` calls functions and methods inside the child and receives plain
values (numpy arrays, numbers, strings, lists, dicts, tuples) or handles to
objects that stay in the child. Every receive honours the session's wall-clock
deadline; a child that hangs, dies or misbehaves turns into a
``SandboxError`` with a reason a student can read, and the child is always
killed with everything it started when the session ends.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from autograder.sandbox import wire
from autograder.sandbox.wire import DType, Handle

__all__ = ["DType", "Limits", "Outcome", "Remote", "Sandbox", "SandboxConfig", "SandboxError", "Session"]

DEFAULT_PRELOAD = (
    "numpy", "torch", "matplotlib", "matplotlib.pyplot", "course_utils", "course_utils.model_tools",
    "course_utils.gradient_check", "course_utils.spiral", "course_utils.plots", "course_utils.data",
    "course_utils.solver", "course_utils.optim", "course_utils.vis", "math", "random", "itertools",
    "functools", "collections", "copy", "time", "json", "re", "typing", "dataclasses", "statistics", "warnings",
    "inspect", "textwrap", "string", "operator", "contextlib", "abc", "enum", "numbers", "decimal", "fractions",
)


@dataclass(frozen=True)
class Limits:
    """What one test may use. CPU seconds default to the wall-clock limit plus a margin."""

    wall_seconds: float = 30.0
    memory_bytes: int = 2 * 2**30
    output_bytes: int = 32 * 2**10
    file_bytes: int = 64 * 2**20
    processes: int = 256
    cpu_seconds: int | None = None

    def as_dict(self) -> dict:
        cpu = self.cpu_seconds if self.cpu_seconds is not None else int(self.wall_seconds) + 5
        return {"memory_bytes": self.memory_bytes, "output_bytes": self.output_bytes, "file_bytes": self.file_bytes,
                "processes": self.processes, "cpu_seconds": cpu}


@dataclass(frozen=True)
class SandboxConfig:
    """How a host is prepared: modules to import and trusted setup cells to run before any fork,
    folders to hide from children (and sub-folders to keep visible), and the array type children use."""

    setup_cells: tuple[tuple[str, str], ...] = ()
    preload: tuple[str, ...] = DEFAULT_PRELOAD
    hide: tuple[str, ...] = ()
    keep: tuple[str, ...] = ()
    array_api: str = "torch"
    environment: dict[str, str] = field(default_factory=dict)


class SandboxError(Exception):
    """Student code could not produce a value; the message says why in words a student can read."""


class StudentException(SandboxError):
    """The student's code raised an exception; ``error`` is what the child reported (anything, if forged)."""

    def __init__(self, error: Any) -> None:
        error = error if isinstance(error, dict) else {}
        self.type = _clean(str(error.get("type", "Exception")), 80)
        self.message = _clean(str(error.get("message", "")), 300)
        self.where = _clean(str(error.get("where", "")), 120)
        where = f" ({self.where})" if self.where else ""
        super().__init__(f"{self.type}: {self.message}{where}" if self.message else f"{self.type}{where}")


class CellFailed(StudentException):
    """An answer cell raised while it was being run."""

    def __init__(self, cell: str, error: Any) -> None:
        super().__init__(error)
        self.cell = cell
        self.args = (f"running your cell {cell} raised {self.args[0]}",)


class SandboxTimeout(SandboxError):
    pass


class SandboxCrash(SandboxError):
    pass


def _clean(text: str, limit: int) -> str:
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    return text if len(text) <= limit else text[: limit - 3] + "..."


@dataclass(frozen=True)
class Outcome:
    """How a child ended and what it printed (the first ``output_bytes`` of it)."""

    status: str
    output: str
    output_bytes: int

    @property
    def truncated(self) -> bool:
        return self.output_bytes > len(self.output.encode())


class Sandbox:
    """A host process, started lazily and restarted if it dies. Not thread-safe: one per worker."""

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self._process: subprocess.Popen | None = None
        self._control: socket.socket | None = None
        self.notes: set[str] = set()

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
        uid = 61000 + self._process.pid % 4000 if os.geteuid() == 0 else None
        python_hide, python_keep = _python_folders_for_others()
        wire.send(ours, {
            "op": "setup", "uid": uid, "preload": list(self.config.preload), "array_api": self.config.array_api,
            "setup": [{"name": n, "source": s} for n, s in self.config.setup_cells],
            "hide": [*self.config.hide, *python_hide], "keep": [*self.config.keep, *python_keep],
        })
        reply = self._control_reply(timeout=120)
        if not reply.get("ok"):
            raise RuntimeError(f"sandbox host failed to start: {reply.get('error')}")
        return ours

    def _control_reply(self, timeout: float) -> dict:
        assert self._control is not None
        self._control.settimeout(timeout)
        try:
            return wire.receive(self._control)
        except (OSError, wire.WireError) as exc:
            self._log.seek(0)
            log = self._log.read()[-2000:].decode("utf-8", "replace")
            self.close()
            raise RuntimeError(f"sandbox host stopped answering ({exc}); its log:\n{log}") from None

    def session(self, cells: list[tuple[str, str]], limits: Limits = Limits(), array_api: str | None = None
                ) -> "Session":
        """Fork a child that runs ``cells`` (name, source) in order; raise ``CellFailed`` if one raises.
        ``array_api`` ("torch" or "numpy") overrides the config's array type for this child."""
        if array_api not in (None, "torch", "numpy"):
            raise ValueError(f"unknown array_api {array_api!r}")
        control = self._start()
        wire.send(control, {"op": "spawn", "cells": [{"name": n, "source": s} for n, s in cells],
                            "limits": limits.as_dict(), "array_api": array_api or self.config.array_api})
        reply = self._control_reply(timeout=60)
        _, fds, _, _ = socket.recv_fds(control, 1, 1)
        session = Session(self, socket.socket(fileno=fds[0]), reply["pid"], limits)
        try:
            report = session._receive()
            if not isinstance(report, dict) or "loaded" not in report or not isinstance(report.get("notes", []), list):
                raise session._fail(SandboxCrash("sent a malformed reply"))
            self.notes.update(_clean(str(note), 300) for note in report.get("notes", []))
            if not report.get("loaded"):
                raise CellFailed(_clean(str(report.get("cell")), 60), report.get("error"))
        except BaseException:
            session.finish()
            raise
        return session

    def _finish_child(self) -> Outcome:
        control = self._start()
        wire.send(control, {"op": "finish"})
        reply = self._control_reply(timeout=60)
        return Outcome(reply.get("status", "unknown"), reply.get("output", ""), reply.get("output_bytes", 0))

    def close(self) -> None:
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


class Session:
    """One child process running some answer cells, answering calls until ``finish``."""

    def __init__(self, sandbox: Sandbox, sock: socket.socket, pid: int, limits: Limits) -> None:
        self.sandbox = sandbox
        self.sock = sock
        self.pid = pid
        self.limits = limits
        self.deadline = time.monotonic() + limits.wall_seconds
        self.outcome: Outcome | None = None
        self.calls = 0

    def __enter__(self) -> "Session":
        return self

    def __exit__(self, *exc: object) -> None:
        self.finish()

    def _receive(self) -> Any:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise self._fail(SandboxTimeout(f"exceeded the time limit of {self.limits.wall_seconds:g} s"))
        self.sock.settimeout(remaining)
        try:
            return wire.receive(self.sock)
        except socket.timeout:
            raise self._fail(SandboxTimeout(f"exceeded the time limit of {self.limits.wall_seconds:g} s")) from None
        except wire.PeerClosed:
            raise self._fail(None) from None
        except (OSError, wire.WireError) as exc:
            raise self._fail(SandboxCrash(f"sent a malformed reply ({exc})")) from None

    def _fail(self, error: SandboxError | None) -> SandboxError:
        outcome = self.finish()
        if error is not None:
            return error
        return SandboxCrash(f"the process running your code ended unexpectedly ({outcome.status})"
                            + (f"; its last output: {_clean(outcome.output[-300:], 300)}" if outcome.output else ""))

    def request(self, op: str, name: str = "", target: Handle | None = None, args: tuple = (),
                kwargs: dict | None = None, **extra: Any) -> Any:
        """Send one operation to the child and return its value; raise ``SandboxError`` if none came."""
        if self.outcome is not None:
            raise SandboxCrash("the process running your code has already ended")
        self.calls += 1
        message = {"op": op, "name": name, "target": target.id if target else None,
                   "args": list(_unwrap(args)), "kwargs": _unwrap(kwargs or {}), **_unwrap(extra)}
        try:
            self.sock.sendall(wire.encode(message))
        except OSError:
            raise self._fail(None) from None
        reply = self._receive()
        if not isinstance(reply, dict) or "ok" not in reply:
            raise self._fail(SandboxCrash("sent a malformed reply"))
        if not reply["ok"]:
            raise StudentException(reply.get("error"))
        return self._wrap(reply.get("value"))

    def _wrap(self, value: Any) -> Any:
        if isinstance(value, Handle):
            return Remote(self, value)
        if isinstance(value, list):
            return [self._wrap(v) for v in value]
        if isinstance(value, tuple):
            return tuple(self._wrap(v) for v in value)
        if isinstance(value, dict):
            return {k: self._wrap(v) for k, v in value.items()}
        return value

    def call(self, function: str, *args: Any, **kwargs: Any) -> Any:
        """Call a function that the notebook defines: ``session.call("train_model", model, ...)``."""
        return self.request("call", function, None, args, kwargs)

    def call_kept(self, function: str, *args: Any, **kwargs: Any) -> "Remote":
        """Call a function but keep its result in the child (a data set, say): a ``Remote`` comes back."""
        return self.request("call", function, None, args, kwargs, keep=True)

    def new(self, cls: str, *args: Any, **kwargs: Any) -> "Remote":
        value = self.call(cls, *args, **kwargs)
        if not isinstance(value, Remote):
            raise SandboxError(f"{cls}(...) did not return an object")
        return value

    def get(self, name: str) -> Any:
        """A global variable of the notebook."""
        return self.request("get", name)

    def seed(self, value: int) -> None:
        """Seed Python's, numpy's and torch's random generators inside the child."""
        self.request("seed", value=int(value))

    def finish(self) -> Outcome:
        if self.outcome is None:
            self.sock.close()
            self.outcome = self.sandbox._finish_child()
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

    def get(self, attribute: str) -> Any:
        return self.session.request("get", attribute, self.handle)

    def set(self, attribute: str, value: Any) -> None:
        self.session.request("set", attribute, self.handle, value=value)

    def isinstance(self, cls: str) -> bool:
        return bool(self.session.request("isinstance", cls, self.handle))

    def find(self, cls: str) -> list["Remote"]:
        """Objects of class ``cls`` reachable from this one's attributes (``course_utils.model_tools.find_layers``)."""
        return list(self.session.request("find", cls, self.handle))


def _python_folders_for_others() -> tuple[list[str], list[str]]:
    """Python's own folders that an unprivileged user could not reach (say, under a private /root),
    as (private ancestor to cover, Python folder to bind back): the child then imports as usual."""
    hide, keep = [], []
    for folder in {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, *sys.path) if p and os.path.isdir(p)}:
        for ancestor in Path(folder).parents:
            if ancestor != Path("/") and not os.stat(ancestor).st_mode & 0o001:
                hide.append(str(ancestor))
                keep.append(folder)
                break
    return sorted(set(hide)), sorted(set(keep))


def _unwrap(value: Any) -> Any:
    if isinstance(value, Remote):
        return value.handle
    if isinstance(value, (list, tuple)):
        items = [_unwrap(v) for v in value]
        return tuple(items) if isinstance(value, tuple) else items
    if isinstance(value, dict):
        return {k: _unwrap(v) for k, v in value.items()}
    return value
