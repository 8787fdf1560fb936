"""The seccomp filter (``autograder/sandbox/seccomp.py``), loaded in a forked process: what it refuses, what it
lets through (the sandbox's own runtime, numpy and torch keep working)."""
from __future__ import annotations

import ctypes
import mmap
import os
import platform

import pytest

from autograder.sandbox import confine, seccomp

pytestmark = pytest.mark.skipif(not (hasattr(os, "fork") and seccomp.supported()),
                                reason="a filter is written for Linux on x86_64 and aarch64 only")


def in_filtered_child(check) -> object:
    """Run ``check()`` in a forked process that has loaded the filter; what it returned (repr, evaluated)."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(read)
            confine.prctl(confine.PR_SET_NO_NEW_PRIVS, 1)
            seccomp.install()
            os.write(write, repr(check()).encode())
        finally:
            os._exit(0)
    os.close(write)
    with open(read, "rb") as pipe:
        text = pipe.read().decode()
    os.waitpid(pid, 0)
    return eval(text)  # noqa: S307 - our own repr of plain values


def raw(name: str, *args: int) -> int:
    """The errno of system call ``name`` called with ``args`` (0 if it succeeded)."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    number = seccomp.ARCHITECTURES[platform.machine()][1][name]
    result = libc.syscall(ctypes.c_long(number), *[ctypes.c_long(a) for a in args])
    return 0 if result >= 0 else ctypes.get_errno()


def test_every_listed_call_is_refused_with_eperm():
    refused = in_filtered_child(lambda: {name: raw(name, -1, 0, 0, 0, 0, 0) for name in seccomp.REFUSED})
    assert refused == {name: 1 for name in seccomp.REFUSED}


def test_page_cache_advice_and_nowait_reads_are_refused_and_plain_ones_are_not():
    def check():
        def errno_of(call):
            try:
                call()
                return 0
            except OSError as exc:
                return exc.errno

        fd = os.open(__file__, os.O_RDONLY)
        region = mmap.mmap(-1, 2**20)
        return {
            "fadvise": errno_of(lambda: os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)),
            "preadv2 nowait": errno_of(lambda: os.preadv(fd, [bytearray(16)], 0, os.RWF_NOWAIT)),
            "preadv2": errno_of(lambda: os.preadv(fd, [bytearray(16)], 0, 0)),
            "preadv": errno_of(lambda: os.preadv(fd, [bytearray(16)], 0)),
            **{f"madvise {advice}": errno_of(lambda: region.madvise(advice))
               for advice in (mmap.MADV_DONTNEED, mmap.MADV_HUGEPAGE, seccomp.MADV_WILLNEED, seccomp.MADV_COLD,
                              seccomp.MADV_PAGEOUT)},
        }

    assert in_filtered_child(check) == {
        "fadvise": 1, "preadv2 nowait": 1, "preadv2": 0, "preadv": 0, f"madvise {mmap.MADV_DONTNEED}": 0,
        f"madvise {mmap.MADV_HUGEPAGE}": 0, f"madvise {seccomp.MADV_WILLNEED}": 1,
        f"madvise {seccomp.MADV_COLD}": 1, f"madvise {seccomp.MADV_PAGEOUT}": 1}


def test_numpy_and_torch_work_under_the_filter():
    def check():
        import numpy as np
        import torch

        x = torch.randn(300, 300, requires_grad=True)
        (x @ x).sum().backward()
        return float(np.linalg.inv(np.eye(3) * 2)[0, 0]), bool(torch.isfinite(x.grad).all())

    assert in_filtered_child(check) == (0.5, True)


@pytest.mark.parametrize("machine", sorted(seccomp.ARCHITECTURES))
def test_the_program_checks_the_architecture_first_and_fits_classic_bpf(machine):
    program = seccomp.program(machine)
    assert program[0] == (seccomp.LD_W_ABS, 0, 0, seccomp.ARCH)
    assert program[1][0] == seccomp.JEQ_K and program[1][3] == seccomp.ARCHITECTURES[machine][0]
    assert program[-1] == (seccomp.RET_K, 0, 0, seccomp.SECCOMP_RET_ERRNO | 1) and len(program) < 4096
    numbers = seccomp.ARCHITECTURES[machine][1]
    assert set(numbers) == {*seccomp.REFUSED, *seccomp.CHECKED}
