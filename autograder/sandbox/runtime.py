"""What runs inside a confined child: receive the answer cells, run them, then answer calls.

The first message from the grader is ``{"op": "load", "cells": [...]}``: the cells
arrive here, after the fork, and never pass through the host. The reply says
whether they all ran (or which one raised). Every later message is a call,
``get``, ``set``, ``isinstance``, ``find``, ``seed``, ``batch`` (many of these at once, in order) or
``keep`` (a value the grader sends to stay here, such as a parameter dict the student's code updates in
place); its reply carries a plain
value or a handle to an object that stays here. Nothing in this process is
trusted by the grader: it validates every reply itself.
"""
from __future__ import annotations

import random
import socket
import sys
import traceback
from typing import Any

import numpy as np

from autograder.sandbox import wire


class Runtime:
    def __init__(self, namespace: dict, array_api: str, torch_allowed: bool = True) -> None:
        self.namespace = namespace
        self.array_api = array_api
        self.objects: dict[int, Any] = {}
        self.torch = sys.modules.get("torch") if torch_allowed else None

    def run(self, sock: socket.socket) -> None:
        """Load the cells of the first message, report, then serve calls until the grader hangs up."""
        try:
            request = wire.receive(sock)
        except wire.WireError:
            return
        report = self.load(request.get("cells", []) if isinstance(request, dict) else [])
        sock.sendall(wire.encode(report))
        if report["loaded"]:
            self.serve(sock)

    def load(self, cells: list[dict]) -> dict:
        for index, cell in enumerate(cells):
            try:
                exec(compile(cell["source"], f"<{cell['name']}>", "exec"), self.namespace)
            except BaseException as exc:  # noqa: BLE001 - SystemExit and friends are the student's too
                return {"loaded": False, "index": index, "error": describe(exc)}
        return {"loaded": True}

    def serve(self, sock: socket.socket) -> None:
        while True:
            try:
                request = wire.receive(sock)
            except wire.WireError:
                return
            try:
                frame = wire.encode({"ok": True, "value": self.answer(request)})
            except BaseException as exc:  # noqa: BLE001
                frame = wire.encode({"ok": False, "error": describe(exc)})
            sock.sendall(frame)

    def answer(self, request: dict) -> Any:
        """The wire value of a request's result: a handle when the grader asked to keep it in the child."""
        value = self.dispatch(request)
        if isinstance(value, Answered):
            return value.value
        return self.keep(value) if request.get("keep") else self.export(value, 0)

    def batch(self, requests: list) -> dict:
        """Answer ``requests`` (calls, gets, sets) in order, as if they came one by one: the answers of those that
        ran, and the error of the one that raised (the rest do not run)."""
        values: list = []
        for request in requests:
            if not isinstance(request, dict) or request.get("op") == "batch":
                raise ValueError("a batch holds single requests")
            try:
                values.append(self.answer(request))
            except BaseException as exc:  # noqa: BLE001 - as ``serve`` does for a single request
                return {"values": values, "error": describe(exc)}
        return {"values": values, "error": None}

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
                self.torch.default_generator.manual_seed(seed)  # the CPU's: all there is, at a tenth of the cost
            return None
        if op == "keep":
            return self.import_(request["value"])
        if op == "get":
            return self.lookup(name) if target is None else getattr(target, name)
        if op == "set":  # an attribute of a kept object, or a global of the notebook
            value = self.import_(request["value"])
            if target is None:
                self.namespace[name] = value
            else:
                setattr(target, name, value)
            return None
        if op == "call":
            function = self.lookup(name) if target is None else getattr(target, name)
            return function(*args, **kwargs)
        if op == "isinstance":
            return isinstance(target, self.lookup(name))
        if op == "find":
            from course_utils.model_tools import find_layers

            return find_layers(target, self.lookup(name))
        if op == "batch":  # many requests in one round trip (a finite-difference check's evaluations)
            return Answered(self.batch(request.get("requests", [])))
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


class Answered:
    """A value already in wire form (``batch``'s), which ``answer`` sends as it is."""

    def __init__(self, value: Any) -> None:
        self.value = value


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
