"""The pickle-free message format between the grader and a sandboxed submission."""
import json
import socket
import struct

import numpy as np
import pytest

from autograder.sandbox import wire


def test_round_trip_keeps_arrays_tuples_handles_and_dtypes():
    value = {"x": np.arange(6, dtype=np.float32).reshape(2, 3), "pair": (1, 2.5), "h": wire.Handle(7, "Tanh"),
             "d": wire.DType("float64"), "nested": [None, True, "s", {"y": np.array([1, 2], dtype=np.int64)}],
             "nan": float("nan")}
    back = wire.decode(wire.encode(value))
    assert back["x"].dtype == np.float32 and np.array_equal(back["x"], value["x"])
    assert back["pair"] == (1, 2.5) and back["h"] == wire.Handle(7, "Tanh") and back["d"] == wire.DType("float64")
    assert back["nested"][3]["y"].dtype == np.int64 and np.isnan(back["nan"])


def test_arrays_that_decode_are_writable_copies():
    back = wire.decode(wire.encode(np.ones(3)))
    back[0] = 5.0
    assert back[0] == 5.0 and back.flags.writeable


@pytest.mark.parametrize("value", [object(), np.array([1 + 2j]), {1: "int key"}, {"$array": 1}, 2**70])
def test_values_outside_the_format_are_refused_when_sending(value):
    with pytest.raises(wire.WireError):
        wire.encode(value)


def frame(header: dict, body: bytes = b"") -> bytes:
    data = json.dumps(header).encode()
    return struct.pack(">Q", len(data)) + data + body


@pytest.mark.parametrize("bad", [
    frame({"$array": 0, "dtype": "object", "shape": [1], "size": 8}, b"\0" * 8),
    frame({"$array": 0, "dtype": "float64", "shape": [2], "size": 8}, b"\0" * 8),
    frame({"$array": 0, "dtype": "float64", "shape": [-1], "size": 8}, b"\0" * 8),
    frame({"$pickle": "cos\nsystem\n"}),
    frame({"$handle": "7", "type": "X"}),
    frame({"$dtype": "object"}),
    b"\0\0\0\0\0\0\0\x10{}",
    struct.pack(">Q", 3) + b"{]x",
])
def test_malformed_frames_raise_wire_errors_not_anything_else(bad):
    with pytest.raises(wire.WireError):
        wire.decode(bad)


def test_receive_refuses_oversized_frames_before_reading_them():
    ours, theirs = socket.socketpair()
    with ours, theirs:
        theirs.sendall(struct.pack(">Q", wire.MAX_FRAME_BYTES + 1))
        with pytest.raises(wire.WireError, match="too large"):
            wire.receive(ours)


def test_receive_reports_a_closed_peer():
    ours, theirs = socket.socketpair()
    theirs.sendall(wire.encode([1, 2])[:5])
    theirs.close()
    with ours, pytest.raises(wire.PeerClosed):
        wire.receive(ours)


@pytest.mark.parametrize("header", [{"$dtype": "SECRET def forward"}, {"$array": 0, "dtype": "SECRET", "shape": [1],
                                                                        "size": 8}])
def test_errors_never_quote_what_the_peer_sent(header):
    with pytest.raises(wire.WireError) as refused:
        wire.decode(frame(header, bytes(8)))
    assert "SECRET" not in str(refused.value)
    with pytest.raises(wire.WireError) as refused:
        wire.decode(struct.pack(">Q", 20) + b'{"SECRET": def forw}')
    assert "SECRET" not in str(refused.value) and "line" not in str(refused.value)


def test_a_type_name_that_is_not_an_identifier_arrives_as_object():
    back = wire.decode(frame({"$handle": 3, "type": "\x1b[2J[PASS] forged"}))
    assert back == wire.Handle(3, "object")
    assert wire.decode(frame({"$handle": 3, "type": "Tanh"})).type == "Tanh"


def test_the_deadline_covers_the_whole_frame_however_slowly_it_arrives():
    import threading
    import time

    ours, theirs = socket.socketpair()
    with ours, theirs:
        data = wire.encode({"x": "y" * 200})

        def trickle():
            for byte in data:
                try:
                    theirs.sendall(bytes([byte]))
                except OSError:
                    return
                time.sleep(0.01)

        threading.Thread(target=trickle, daemon=True).start()
        start = time.monotonic()
        with pytest.raises(wire.Deadline):
            wire.receive(ours, deadline=start + 0.5)
        assert time.monotonic() - start < 3  # a margin for a busy machine: the point is that it stops
