"""A seccomp filter that every child loads last in its confinement, before any student code runs.

It refuses (``EPERM``) the system calls through which one child could signal a later one by the page cache of
the files they can both read, and the kernel interfaces a sandbox never needs:

- evicting or hinting the page cache: ``fadvise64``, ``readahead``, ``madvise`` with ``MADV_COLD``,
  ``MADV_PAGEOUT`` or ``MADV_WILLNEED`` (other advice, which allocators and torch use, is allowed),
  ``process_madvise``;
- asking which pages are cached: ``mincore``, ``cachestat``, ``preadv2``/``pwritev2`` with ``RWF_NOWAIT``
  (without it they are plain reads and writes), Linux AIO (``io_setup``, ``io_submit``: an iocb takes
  ``RWF_NOWAIT`` too) and ``io_uring_*``;
- reaching other processes or the kernel's internals: ``userfaultfd``, ``perf_event_open``, ``bpf``,
  ``ptrace``, ``process_vm_readv``/``writev``, ``keyctl``, ``add_key``, ``request_key``, ``kexec_*``;
- changing the confinement itself: ``mount`` and the new mount API, ``umount2``, ``pivot_root``,
  ``unshare``, ``setns``.

A call of another ABI than the native one (i386 through ``int 0x80``, x32) is refused whatever it is, so the
list cannot be walked around by number. The filter is a classic BPF program built here (no library), for
x86_64 and aarch64; ``supported()`` says whether this machine is one of them. A filter cannot be removed,
and the children a child starts inherit it (the child already has ``no_new_privs``).
"""
from __future__ import annotations

import ctypes
import errno
import functools
import os
import platform
import struct

PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 22, 2
SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO = 0x7FFF0000, 0x00050000
MADV_WILLNEED, MADV_COLD, MADV_PAGEOUT = 3, 20, 21
RWF_NOWAIT = 0x08
X32_SYSCALL_BIT = 0x40000000
# BPF opcodes: load a word of seccomp_data, jump if equal / if greater or equal / if bits set, return
LD_W_ABS, JEQ_K, JGE_K, JSET_K, RET_K = 0x20, 0x15, 0x35, 0x45, 0x06
NR, ARCH, ARG = 0, 4, 16  # offsets in struct seccomp_data; argument i's low word at ARG + 8 * i (little endian)

REFUSED = ("fadvise64", "readahead", "process_madvise", "mincore", "cachestat", "io_setup", "io_submit",
           "io_uring_setup", "io_uring_enter", "io_uring_register", "userfaultfd", "perf_event_open", "bpf",
           "ptrace", "process_vm_readv", "process_vm_writev", "keyctl", "add_key", "request_key", "kexec_load",
           "kexec_file_load", "mount", "umount2", "pivot_root", "open_tree", "move_mount", "fsopen", "fsconfig",
           "fsmount", "fspick", "mount_setattr", "unshare", "setns")
CHECKED = ("madvise", "preadv2", "pwritev2")
# machine -> (AUDIT_ARCH value, system call numbers)
ARCHITECTURES = {
    "x86_64": (0xC000003E, {
        "mincore": 27, "madvise": 28, "ptrace": 101, "pivot_root": 155, "mount": 165, "umount2": 166,
        "readahead": 187, "io_setup": 206, "io_submit": 209, "fadvise64": 221, "kexec_load": 246, "add_key": 248,
        "request_key": 249, "keyctl": 250, "unshare": 272, "perf_event_open": 298, "setns": 308,
        "process_vm_readv": 310, "process_vm_writev": 311, "kexec_file_load": 320, "bpf": 321, "userfaultfd": 323,
        "preadv2": 327, "pwritev2": 328, "io_uring_setup": 425, "io_uring_enter": 426, "io_uring_register": 427,
        "open_tree": 428, "move_mount": 429, "fsopen": 430, "fsconfig": 431, "fsmount": 432, "fspick": 433,
        "process_madvise": 440, "mount_setattr": 442, "cachestat": 451}),
    "aarch64": (0xC00000B7, {
        "io_setup": 0, "io_submit": 2, "umount2": 39, "mount": 40, "pivot_root": 41, "unshare": 97,
        "kexec_load": 104, "ptrace": 117, "readahead": 213, "add_key": 217, "request_key": 218, "keyctl": 219,
        "fadvise64": 223, "mincore": 232, "madvise": 233, "perf_event_open": 241, "setns": 268,
        "process_vm_readv": 270, "process_vm_writev": 271, "bpf": 280, "userfaultfd": 282, "preadv2": 286,
        "pwritev2": 287, "kexec_file_load": 294, "io_uring_setup": 425, "io_uring_enter": 426,
        "io_uring_register": 427, "open_tree": 428, "move_mount": 429, "fsopen": 430, "fsconfig": 431,
        "fsmount": 432, "fspick": 433, "process_madvise": 440, "mount_setattr": 442, "cachestat": 451}),
}


def supported(machine: str | None = None) -> bool:
    return (machine or platform.machine()) in ARCHITECTURES


def program(machine: str | None = None) -> list[tuple[int, int, int, int]]:
    """The filter as (code, jump if true, jump if false, k) instructions for ``machine`` (default: this one)."""
    machine = machine or platform.machine()
    audit_arch, numbers = ARCHITECTURES[machine]
    deny = ("ret", SECCOMP_RET_ERRNO | errno.EPERM)
    allow = ("ret", SECCOMP_RET_ALLOW)
    # symbolic: ("ld", offset) | ("jeq"/"jge"/"jset", k, label if true, label if false) | ("ret", k) | label
    code: list = [("ld", ARCH), ("jeq", audit_arch, None, "deny"), ("ld", NR)]
    if machine == "x86_64":
        code.append(("jge", X32_SYSCALL_BIT, "deny", None))
    code += [("jeq", numbers[name], "deny", None) for name in REFUSED]
    code += [("jeq", numbers["madvise"], "madvise", None), ("jeq", numbers["preadv2"], "rw", None),
             ("jeq", numbers["pwritev2"], "rw", None), allow,
             "madvise", ("ld", ARG + 8 * 2),
             *[("jeq", advice, "deny", None) for advice in (MADV_WILLNEED, MADV_COLD, MADV_PAGEOUT)], allow,
             "rw", ("ld", ARG + 8 * 5), ("jset", RWF_NOWAIT, "deny", None), allow,
             "deny", deny]
    labels, position = {}, 0
    for item in code:
        if isinstance(item, str):
            labels[item] = position
        else:
            position += 1
    instructions = []
    for item in code:
        if isinstance(item, str):
            continue
        here = len(instructions)

        def jump(label: str | None) -> int:
            return 0 if label is None else labels[label] - here - 1

        if item[0] == "ld":
            instructions.append((LD_W_ABS, 0, 0, item[1]))
        elif item[0] == "ret":
            instructions.append((RET_K, 0, 0, item[1]))
        else:
            opcode = {"jeq": JEQ_K, "jge": JGE_K, "jset": JSET_K}[item[0]]
            instructions.append((opcode, jump(item[2]), jump(item[3]), item[1]))
    assert all(0 <= jt < 256 and 0 <= jf < 256 for _, jt, jf, _ in instructions)
    return instructions


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


@functools.lru_cache(maxsize=None)
def prepared() -> tuple[ctypes.CDLL, _SockFprog, ctypes.Array]:
    """The packed program for this machine, built once (the host calls this, so that its children need not)."""
    if not supported():
        raise OSError(errno.ENOSYS, f"seccomp: no filter for the {platform.machine()} architecture")
    instructions = program()
    packed = b"".join(struct.pack("HBBI", *instruction) for instruction in instructions)
    buffer = ctypes.create_string_buffer(packed, len(packed))
    return ctypes.CDLL(None, use_errno=True), _SockFprog(len(instructions), ctypes.cast(buffer, ctypes.c_void_p)), \
        buffer


def install() -> None:
    """Load the filter into this process (for good); raises ``OSError`` if the kernel refuses it."""
    libc, fprog, _ = prepared()
    if libc.prctl(PR_SET_SECCOMP, ctypes.c_ulong(SECCOMP_MODE_FILTER), ctypes.byref(fprog), 0, 0) != 0:
        number = ctypes.get_errno()
        raise OSError(number, f"seccomp: prctl(PR_SET_SECCOMP): {os.strerror(number)}")
