"""The message format between the grader and a sandboxed submission.

A frame is ``<8-byte big-endian header length><JSON header><raw array buffers>``.
Values are plain JSON, plus tagged objects for what JSON lacks:

``{"$array": i, "dtype": "float64", "shape": [2, 3]}``   the i-th raw buffer
``{"$tuple": [...]}``                                   a tuple
``{"$handle": 7, "type": "Dropout"}``                   an object living in the sandbox
``{"$dtype": "float64"}``                               a dtype argument (``torch.float64`` in the sandbox)

Nothing is ever unpickled: decoding builds only numbers, strings, lists, dicts,
tuples and numpy arrays of a fixed set of dtypes, so a hostile peer can send
wrong values but never code; and whatever it sends, decoding raises nothing
but ``WireError``, with the JSON header capped well below the frame because
parsed JSON takes many times its size in memory. Error messages never quote
what the peer sent (a hostile child would fill them with whatever it likes), and
``receive`` honours one absolute deadline for the whole frame, however slowly the
bytes arrive. This module is imported by both sides and depends on numpy alone.
"""
from __future__ import annotations

import json
import math
import re
import socket
import struct
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

MAX_FRAME_BYTES = 256 * 2**20
MAX_HEADER_BYTES = 8 * 2**20
MAX_DEPTH = 32
MAX_DIMENSIONS = 32
ALLOWED_DTYPES = frozenset(
    ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "float16", "float32", "float64"]
)
_HEADER = struct.Struct(">Q")
TYPE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,59}")


class WireError(Exception):
    """A frame that breaks the format: too big, truncated, or holding an unknown tag."""


class PeerClosed(WireError):
    """The other side closed the connection (it exited or was killed)."""


class Deadline(WireError):
    """The frame did not arrive in full before the deadline."""


@dataclass(frozen=True)
class Handle:
    """A reference to an object that stays inside the sandbox."""

    id: int
    type: str


@dataclass(frozen=True)
class DType:
    """A dtype passed as an argument, for example ``dtype=torch.float64``."""

    name: str

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or self.name not in ALLOWED_DTYPES:
            raise WireError("unsupported dtype")


def encode(value: Any) -> bytes:
    buffers: list[bytes] = []
    header = json.dumps(_tag(value, buffers, 0), allow_nan=True, separators=(",", ":")).encode()
    if len(header) > MAX_HEADER_BYTES:
        raise WireError(f"message of {len(header)} bytes besides arrays exceeds the limit of {MAX_HEADER_BYTES}")
    frame = _HEADER.pack(len(header)) + header + b"".join(buffers)
    if len(frame) > MAX_FRAME_BYTES:
        raise WireError(f"message of {len(frame)} bytes exceeds the limit of {MAX_FRAME_BYTES}")
    return frame


def _tag(value: Any, buffers: list[bytes], depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise WireError("value nested too deeply")
    if value is None or isinstance(value, (bool, int, float, str)):
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 2**63:
            raise WireError("integer out of range")
        return value
    if isinstance(value, np.generic):
        return _tag(value.item(), buffers, depth)
    if isinstance(value, np.ndarray):
        if value.dtype.name not in ALLOWED_DTYPES:
            raise WireError(f"arrays of dtype {value.dtype} cannot be sent")
        data = np.ascontiguousarray(value).tobytes()
        buffers.append(data)
        return {"$array": len(buffers) - 1, "dtype": value.dtype.name, "shape": list(value.shape), "size": len(data)}
    if isinstance(value, tuple):
        return {"$tuple": [_tag(v, buffers, depth + 1) for v in value]}
    if isinstance(value, list):
        return [_tag(v, buffers, depth + 1) for v in value]
    if isinstance(value, dict):
        if not all(isinstance(k, str) and not k.startswith("$") for k in value):
            raise WireError("dict keys must be strings that do not start with '$'")
        return {k: _tag(v, buffers, depth + 1) for k, v in value.items()}
    if isinstance(value, Handle):
        return {"$handle": value.id, "type": value.type}
    if isinstance(value, DType):
        return {"$dtype": value.name}
    raise WireError(f"cannot send a value of type {type(value).__name__}")


def decode(frame: bytes) -> Any:
    if len(frame) < _HEADER.size:
        raise WireError("truncated frame")
    (length,) = _HEADER.unpack_from(frame)
    if length > len(frame) - _HEADER.size:
        raise WireError("truncated frame header")
    tree = _parse(frame[_HEADER.size:_HEADER.size + length])
    offsets = [_HEADER.size + length]
    return _untag(tree, memoryview(frame), offsets, 0)


def _parse(header: bytes) -> Any:
    if len(header) > MAX_HEADER_BYTES:
        raise WireError("frame header too large")
    try:
        return json.loads(header)
    except (ValueError, RecursionError):  # bad UTF-8 or JSON, an integer of too many digits, deep nesting
        raise WireError("bad frame header") from None


def _untag(tree: Any, frame: memoryview, offsets: list[int], depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise WireError("value nested too deeply")
    if isinstance(tree, list):
        return [_untag(v, frame, offsets, depth + 1) for v in tree]
    if not isinstance(tree, dict):
        return tree
    if "$array" in tree:
        dtype, shape, size = tree.get("dtype"), tree.get("shape"), tree.get("size")
        if not isinstance(dtype, str) or dtype not in ALLOWED_DTYPES or not isinstance(shape, list) \
                or not isinstance(size, int):
            raise WireError("bad array tag")
        itemsize = np.dtype(dtype).itemsize
        # numpy refuses shapes whose non-zero sides multiply beyond its index range, even for empty arrays
        if len(shape) > MAX_DIMENSIONS or not all(type(n) is int and n >= 0 for n in shape) \
                or math.prod(max(n, 1) for n in shape) * itemsize > MAX_FRAME_BYTES:
            raise WireError("bad array shape")
        expected = math.prod(shape) * itemsize
        start = offsets[0]
        if size != expected or start + size > len(frame):
            raise WireError("array buffer does not match its shape")
        offsets[0] = start + size
        return np.frombuffer(frame[start:start + size], dtype=dtype).reshape(shape).copy()
    if "$tuple" in tree:
        if not isinstance(tree["$tuple"], list):
            raise WireError("bad tuple tag")
        return tuple(_untag(tree["$tuple"], frame, offsets, depth + 1))
    if "$handle" in tree:
        if not isinstance(tree["$handle"], int) or not isinstance(tree.get("type"), str):
            raise WireError("bad handle tag")
        name = tree["type"]
        return Handle(tree["$handle"], name if TYPE_NAME.fullmatch(name) else "object")
    if "$dtype" in tree:
        return DType(tree["$dtype"])
    if any(k.startswith("$") for k in tree):
        raise WireError("unknown tag")
    return {k: _untag(v, frame, offsets, depth + 1) for k, v in tree.items()}


def send(sock: socket.socket, value: Any) -> None:
    sock.sendall(encode(value))


def receive(sock: socket.socket, deadline: float | None = None, limit: int = MAX_FRAME_BYTES) -> Any:
    """Read one frame of at most ``limit`` bytes, all of it before ``deadline`` (a ``time.monotonic()``
    value) if one is given."""
    head = _read_exactly(sock, _HEADER.size, deadline)
    (length,) = _HEADER.unpack(head)
    if length > min(MAX_HEADER_BYTES, limit):
        raise WireError("frame header too large")
    header = _read_exactly(sock, length, deadline)
    tree = _parse(header)
    body_size = _buffer_bytes(tree, 0)
    if length + body_size > limit:
        raise WireError("frame too large")
    return decode(head + header + _read_exactly(sock, body_size, deadline))


def _buffer_bytes(tree: Any, depth: int) -> int:
    if depth > MAX_DEPTH:
        raise WireError("value nested too deeply")
    if isinstance(tree, list):
        return sum(_buffer_bytes(v, depth + 1) for v in tree)
    if isinstance(tree, dict):
        if "$array" in tree:
            size = tree.get("size")
            if not isinstance(size, int) or size < 0:
                raise WireError("bad array tag")
            return size
        return sum(_buffer_bytes(v, depth + 1) for v in tree.values())
    return 0


def _read_exactly(sock: socket.socket, count: int, deadline: float | None) -> bytes:
    chunks, remaining = [], count
    while remaining:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise Deadline("deadline passed")
            sock.settimeout(left)
        try:
            chunk = sock.recv(min(remaining, 1 << 20))
        except socket.timeout:
            raise Deadline("deadline passed") from None
        except ConnectionResetError:
            raise PeerClosed("connection reset") from None
        if not chunk:
            raise PeerClosed("connection closed")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)
