"""A courier: a child that holds master cells tries to pass bits to a later child through the page cache.

The sender child (which could hold the master's code) writes 64 random bits into which pages of a large file of
its read-only view are cached, by every route we know: it evicts its route's region (``posix_fadvise(DONTNEED)``,
``madvise(MADV_PAGEOUT / MADV_COLD)``) and caches the pages of the 1 bits by reading them or asking for them
(``readahead``, ``posix_fadvise(WILLNEED)``), or only reads them (the machine evicts cold pages by itself; the
test evicts the file from the grader's side first, as DAMON or memory pressure would). A later child on the
same host reads the bits back by every probe we know: ``mincore``, ``cachestat``, ``preadv2(RWF_NOWAIT)`` and
the time a read takes; each probe has senders of its own, since a probe may cache what it reads.

The seccomp filter refuses the eviction and probe calls (EPERM; where the child's audit hook refuses ctypes first,
the call is not even made), and every page a child can see is pinned in the cache by the host, so reading a page
caches nothing new: what arrives must be at chance. Before this change (2026-12-07) the courier carried, of 64
bits, 62 right (51 bits of information) from readahead to ``preadv2(RWF_NOWAIT)``, 59 (39 bits) from fadvise to
the same probe, and 56 (29 bits) from fadvise to the timing of reads; with the filter but without pinning, 49
(14 bits) still crossed by reading pages the machine had evicted and timing them.
"""
from __future__ import annotations

import math
import os
import secrets
import textwrap
from pathlib import Path

import pytest

from autograder.sandbox import Limits
from autograder.workers import Grading
from tests.conftest import ROOT

NB = "spiral_from_scratch"
BITS = 64
STRIDE = 2**20  # between the pages of two bits: wider than the readahead of a one-page read
REGION = 64 * 2**20  # one route's: a multiple of the largest folio, and aligned on it
ROUTES = ("fadvise", "madvise pageout", "madvise cold", "readahead", "read")
PROBES = ("mincore", "cachestat", "nowait", "timing")
HOOK = -1000  # as the child code below: ctypes refused by its audit hook
needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="the seccomp filter and the pinned view need root")

CALLS = """
    import ctypes, errno, mmap, os, platform, time
    PAGE = mmap.PAGESIZE
    NUMBERS = {"x86_64": {"readahead": 187, "mincore": 27, "cachestat": 451},
               "aarch64": {"readahead": 213, "mincore": 232, "cachestat": 451}}[platform.machine()]
    HOOK = -1000  # the child's audit hook refused ctypes: the call was not even made

    def syscall(name, *args):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.syscall.restype = ctypes.c_long
            result = libc.syscall(ctypes.c_long(NUMBERS[name]), *args)
        except PermissionError:
            return HOOK
        return 0 if result >= 0 else -ctypes.get_errno()

    def errors(call):
        try:
            call()
            return 0
        except OSError as exc:
            return exc.errno

    def mapped(path):
        fd = os.open(path, os.O_RDONLY)
        region = mmap.mmap(fd, os.fstat(fd).st_size, access=mmap.ACCESS_COPY)
        os.close(fd)
        return region

    def mincore(region, offset):
        try:
            vector = (ctypes.c_ubyte * 1)()
            base = ctypes.addressof(ctypes.c_char.from_buffer(region))
        except PermissionError:
            return HOOK
        result = syscall("mincore", ctypes.c_void_p(base + offset), ctypes.c_size_t(PAGE), vector)
        return result if result < 0 else vector[0] & 1
"""

SENDER = CALLS + """
    def send(path, route, offsets, bits):
        # evict the route's whole region (the large folios of the page cache go whole or not at all), then cache
        # the pages of the 1 bits by reading them, or by asking the kernel to read them ahead
        fd = os.open(path, os.O_RDONLY)
        start, span = offsets[0], offsets[-1] + PAGE - offsets[0]
        refused = []
        if route in ("fadvise", "readahead"):
            refused.append(errors(lambda: os.posix_fadvise(fd, start, span, os.POSIX_FADV_DONTNEED)))
        elif route.startswith("madvise"):
            region = mapped(path)
            advice = 21 if route.endswith("pageout") else 20  # MADV_PAGEOUT, MADV_COLD
            refused.append(errors(lambda: region.madvise(advice, start, span)))
            region.close()
        for offset, bit in zip(offsets, bits):
            if bit and route == "readahead":
                refused.append(errors(lambda: os.posix_fadvise(fd, offset, PAGE, os.POSIX_FADV_WILLNEED)))
                refused.append(-syscall("readahead", fd, ctypes.c_long(offset), ctypes.c_size_t(PAGE)))
            elif bit:
                os.pread(fd, PAGE, offset)
        os.close(fd)
        return sorted(set(refused))
"""

RECEIVER = CALLS + """
    class Cachestat(ctypes.Structure):
        _fields_ = [(name, ctypes.c_uint64) for name in ("cache", "dirty", "writeback", "evicted", "recently")]

    def receive(path, probe, offsets):
        fd = os.open(path, os.O_RDONLY)
        seen, refused = [], set()
        if probe == "mincore":
            region = mapped(path)
            for offset in offsets:
                found = mincore(region, offset)
                refused.add(-found if found < 0 else 0)  # 1: EPERM, -HOOK: not even made
                seen.append(max(found, 0))
        elif probe == "cachestat":
            for offset in offsets:
                try:
                    span, stat = (ctypes.c_uint64 * 2)(offset, PAGE), Cachestat()
                    result = syscall("cachestat", fd, span, ctypes.byref(stat), 0)
                except PermissionError:
                    result = HOOK
                refused.add(-result)
                seen.append(int(result == 0 and stat.cache > 0))
        elif probe == "nowait":
            for offset in offsets:
                failure = errors(lambda: os.preadv(fd, [bytearray(PAGE)], offset, os.RWF_NOWAIT))
                refused.add(failure if failure != errno.EAGAIN else 0)
                seen.append(int(failure == 0))
        else:  # the time one read takes: a page not in the cache waits for the disk
            times = []
            for offset in offsets:
                start = time.perf_counter_ns()
                os.pread(fd, PAGE, offset)
                times.append(time.perf_counter_ns() - start)
            threshold = sorted(times)[len(times) // 2]  # about half the bits are 1: the median splits them
            seen = [int(t < threshold) for t in times]
        os.close(fd)
        return seen, sorted(refused)
"""




def target() -> Path:
    """The largest file that every child sees: torch's main library (the host maps only the code it ran)."""
    import torch

    return Path(torch.__file__).parent / "lib" / "libtorch_cpu.so"


def offsets(route: int) -> list[int]:
    """The pages that carry route ``route``'s bits, in a region of its own, past the file's first."""
    size = target().stat().st_size
    start = REGION * (1 + route)
    assert BITS * STRIDE <= REGION and start + REGION < size
    return [start + i * STRIDE for i in range(BITS)]


def capacity(sent: list[int], seen: list[int]) -> float:
    """Bits carried by a binary channel that got ``seen`` for ``sent``: BITS × (1 − H(error rate)), 0 at chance."""
    errors = sum(a != b for a, b in zip(sent, seen)) / len(sent)
    entropy = 0.0 if errors in (0.0, 1.0) else -errors * math.log2(errors) - (1 - errors) * math.log2(1 - errors)
    return len(sent) * (1 - entropy)


def evict(path: str) -> None:
    """Do what the machine does to pages nobody used for a while (DAMON here, memory pressure anywhere): evict
    them, from the grader's side, so that the sender starts from a cold file and its reads can cache pages."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def flush_cpu_caches() -> None:
    """Write and read 128 MB (four times this machine's last-level cache), so that the pages the sender read
    and left in the shared CPU caches do not show in the receiver's timings: that channel (a few bits, see the
    README's "What it does not guarantee") is not the page cache's, which this module tests."""
    import numpy as np

    np.ones(16 * 2**20).sum()


def courier(g: Grading) -> dict[tuple[str, str], tuple[int, list[int], list[int]]]:
    """For each probe, send fresh random messages along every route and read them back in a later child: for
    each (route, probe), how many of the BITS bits the receiver got right, and the errors that refused the
    sender's and the receiver's calls (a probe may change what it reads, so each has senders of its own)."""
    sandbox = g.sandboxes[NB]
    path = str(target())
    results = {}
    for probe in PROBES:
        messages = {route: [secrets.randbits(1) for _ in range(BITS)] for route in ROUTES}
        evict(path)
        with sandbox.session([("sender", textwrap.dedent(SENDER))], Limits(wall_seconds=60)) as child:
            sent = {route: child.call("send", path, route, offsets(i), messages[route])
                    for i, route in enumerate(ROUTES)}
        flush_cpu_caches()
        with sandbox.session([("receiver", "import math\n" + textwrap.dedent(RECEIVER))],
                             Limits(wall_seconds=60)) as child:
            for i, route in enumerate(ROUTES):
                seen, refused = child.call("receive", path, probe, offsets(i))
                right = sum(a == b for a, b in zip(messages[route], seen))
                results[route, probe] = (right, sent[route], refused)
    return results


@needs_root
def test_the_calls_that_evict_or_probe_the_page_cache_are_refused(grading):
    results = courier(grading)
    for (route, probe), (_, sender_refused, receiver_refused) in results.items():
        if route != "read":  # EPERM, or (ctypes) not even made: the child's audit hook refused ctypes
            assert set(sender_refused) <= {1, -HOOK} and 1 in sender_refused, (route, sender_refused)
        if probe != "timing":
            assert set(receiver_refused) <= {1, -HOOK}, (probe, receiver_refused)


@needs_root
def test_no_bit_crosses_the_page_cache_from_one_child_to_a_later_one(grading):
    """Chance is 32 right of 64 (standard deviation 4); 48 or more right, or 16 or fewer, on one pair of
    routes would happen by chance about once in 30,000 pairs: a generous bound for a busy machine."""
    results = courier(grading)
    report = {f"{route} -> {probe}": f"{right}/{BITS} right, {capacity_of(right):.1f} bits"
              for (route, probe), (right, _, _) in results.items()}
    print("\n".join(f"{k}: {v}" for k, v in report.items()))
    assert all(16 < right < 48 for right, _, _ in results.values()), report


def capacity_of(right: int) -> float:
    """The bits a channel with ``right`` of BITS right carries (a receiver that is mostly wrong inverts)."""
    sent = [0] * BITS
    return capacity(sent, [0] * right + [1] * (BITS - right))
