"""Rules enforced where the work happens: set up in a child before any student code runs.

The static check (``autograder.rules``) refuses the names it can resolve; what it cannot see is caught
here, whatever Python name, alias, pickle or private built-in reached the work:

``forbid(groups, report)``
    Every ATen operator whose name contains one of a rule's patterns (``"batch_norm"`` covers
    ``native_batch_norm``, ``_native_batch_norm_legit``, ``cudnn_batch_norm`` ... and their backward
    operators) gets a kernel that refuses to run, for every CPU and composite dispatch key, so that the
    dispatcher itself refuses it however it was called; the registrations are kept alive by a reference
    that no Python object holds. Torch's own Python code that does the same work from smaller operators
    (the decompositions of ``torch._decomp`` and ``torch._refs``) is refused too: a trace function,
    which the audit hook keeps in place, refuses every function of the torch package whose name
    contains a pattern. The pattern ``"*"`` refuses all of torch: the CPU backends are excluded from
    dispatch and every function of the torch package is refused. Both act on this thread, so the child
    may start no other (``Sandbox.session`` sets its process limit to 1). A refusal writes the rule's
    index to ``report`` (a pipe the host reads when the child ends) and ends the child at once, so that
    no handler of the student's can catch it and try another way.

``install_audit_hook(readable, writable, loaded)``
    A Python audit hook, which no code can remove once it is installed, refuses: unpickling anything
    but plain data (``PLAIN_DATA``), ``marshal`` outside the import system, ``ctypes``, new processes,
    sockets, building code objects, reaching objects through the garbage collector, replacing the trace
    function, importing or running again a module that was loaded before the child started (a pristine copy of
    something set up here), and opening files outside ``readable`` (``writable`` for writing).
"""
from __future__ import annotations

import ctypes
import functools
import os
import sys
import warnings
from dataclasses import dataclass
from typing import Callable, Iterable

RULE_BROKEN_EXIT = 72
DISPATCH_KEYS = (
    "CPU", "QuantizedCPU", "SparseCPU", "SparseCsrCPU", "NestedTensorCPU", "MkldnnCPU", "CompositeImplicitAutograd",
    "CompositeExplicitAutograd", "CompositeExplicitAutogradNonFunctional", "CompositeImplicitAutogradNestedTensor",
)
EXCLUDED_BACKENDS = ("CPU", "QuantizedCPU", "SparseCPU", "SparseCsrCPU", "NestedTensorCPU")
# what a pickle may name: numpy arrays, dtypes and scalars, and Python's plain containers and numbers
PLAIN_DATA = frozenset([
    *(f"{core}.multiarray.{name}" for core in ("numpy.core", "numpy._core")
      for name in ("_reconstruct", "scalar")),
    "numpy.ndarray", "numpy.dtype", "numpy.core.numeric._frombuffer", "numpy._core.numeric._frombuffer",
    "_codecs.encode", "collections.OrderedDict",
    *(f"builtins.{name}" for name in ("list", "dict", "set", "frozenset", "tuple", "bytes", "bytearray", "complex",
                                      "int", "float", "bool", "str", "slice", "range")),
    *(f"__builtin__.{name}" for name in ("list", "dict", "set", "frozenset", "tuple", "complex", "int", "float")),
    "copy_reg._reconstructor",
])
REFUSED_EVENTS = ("ctypes.", "socket.", "subprocess.", "os.exec", "os.spawn", "os.posix_spawn", "os.fork",
                  "os.forkpty", "os.system", "os.startfile", "pty.spawn", "code.__new__", "gc.get_", "sys.settrace",
                  "sys.setprofile")
IMPORT_SYSTEM = ("<frozen importlib._bootstrap", "<frozen zipimport>")
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND


_all_of_torch: tuple[int, int] | None = None  # (rule index, report pipe) when every torch operator is refused


def forbid(groups: Iterable[Iterable[str]], report: int) -> None:
    """Refuse, in this process, the torch work of each group of patterns (see the module docstring)."""
    torch = sys.modules.get("torch")
    if torch is None:
        return
    library = torch._C._dispatch_library("IMPL", "aten", "")
    refused_functions: list[tuple[str, Callable]] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch warns that a kernel is overridden: that is the point
        for index, patterns in enumerate(groups):
            patterns, refuse = tuple(patterns), _refusal(index, report)
            if "*" in patterns:
                global _all_of_torch
                _all_of_torch = (index, report)
                for key in EXCLUDED_BACKENDS:
                    torch._C._dispatch_tls_set_dispatch_key_excluded(getattr(torch._C.DispatchKey, key), True)
                refused_functions.append(("", refuse))
                continue
            refused_functions += [(p, refuse) for p in patterns]
            for operator, key in kernels(patterns):
                library.impl(operator, key, refuse)
    ctypes.pythonapi.Py_IncRef(ctypes.py_object(library))  # alive as long as the process: no handle to drop
    if refused_functions:
        _trace_torch_functions(os.path.dirname(torch.__file__) + os.sep, refused_functions)


@functools.lru_cache(maxsize=None)
def kernels(patterns: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """(operator, dispatch key) of every kernel of an ATen operator whose name contains one of ``patterns``.
    The host calls it before it forks, so that its children find the answer computed."""
    torch = sys.modules.get("torch")
    if torch is None or "*" in patterns:
        return ()
    found = []
    for name in torch._C._dispatch_get_all_op_names():
        if name.startswith("aten::") and any(p in name for p in patterns):
            for key in DISPATCH_KEYS:
                dispatch_key = getattr(torch._C.DispatchKey, key, None)
                if dispatch_key is not None and torch._C._dispatch_has_kernel_for_dispatch_key(name, dispatch_key):
                    found.append((name.split("::", 1)[1], key))
    return tuple(found)


def _trace_torch_functions(folder: str, refused: list[tuple[str, Callable]]) -> None:
    """Refuse a call of a function defined in ``folder`` whose name contains a pattern (``""``: any)."""
    judged: dict[object, Callable | None] = {}

    def trace(frame, event: str, arg: object) -> None:
        code = frame.f_code
        if code not in judged:
            judged[code] = next((refuse for pattern, refuse in refused if pattern in code.co_name), None) \
                if code.co_filename.startswith(folder) else None
        refuse = judged[code]
        if refuse is not None:
            refuse()

    sys.settrace(trace)


def _refusal(index: int, report: int) -> Callable:
    def refuse(*args: object, **kwargs: object) -> None:
        end_for_rule(index, report)

    return refuse


def end_for_rule(index: int, report: int) -> None:
    """Tell the host that rule ``index`` was broken (it reads the pipe when the child ends) and end."""
    try:
        os.write(report, f"{index}\n".encode())
    finally:
        os._exit(RULE_BROKEN_EXIT)


def torch_refused(exc: BaseException) -> None:
    """End the child for its rule if ``exc`` is the dispatcher refusing a torch operator where every torch
    operator is refused (such an operator runs no Python code that could report it)."""
    if _all_of_torch is not None and isinstance(exc, NotImplementedError) and "aten::" in str(exc):
        end_for_rule(*_all_of_torch)


@dataclass(frozen=True)
class Loaded:
    """The modules a host has loaded, by name and by file: taken once in the host, since a child that walked
    every module would copy the pages they live on (tens of milliseconds a child)."""

    names: frozenset[str]
    files: frozenset[str]


def loaded_modules() -> Loaded:
    # each file is read from the module's __dict__: a module with a __getattr__ of torch's would run it
    files = frozenset(namespace.get("__file__") for module in list(sys.modules.values())
                      if isinstance(namespace := getattr(module, "__dict__", None), dict))
    return Loaded(frozenset(sys.modules), files)


def install_audit_hook(readable: Iterable[str], writable: Iterable[str], loaded: Loaded) -> None:
    """Install the hook of the module docstring; paths are folders (with everything below) or files, as
    ``os.path.realpath`` gives them; ``loaded``: what was loaded before the child started."""
    readable_paths, writable_paths = tuple(readable), tuple(writable)
    getframe = sys._getframe

    def inside(path: str, folders: tuple[str, ...]) -> bool:
        return any(path == f or path.startswith(f.rstrip("/") + "/") for f in folders)

    def hook(event: str, args: tuple) -> None:
        if event.startswith(REFUSED_EVENTS):
            raise PermissionError(f"not allowed in the sandbox: {event}")
        if event == "pickle.find_class":
            if f"{args[0]}.{args[1]}" not in PLAIN_DATA:
                raise PermissionError("not allowed in the sandbox: unpickling code, not data")
        elif event in ("marshal.loads", "marshal.load"):
            if not getframe(1).f_code.co_filename.startswith(IMPORT_SYSTEM):
                raise PermissionError("not allowed in the sandbox: marshal")
        elif event == "import":
            if args[0] in loaded.names and args[0] not in sys.modules:
                raise PermissionError("not allowed in the sandbox: importing again a module loaded before")
        elif event == "exec":
            code = args[0]
            if getattr(code, "co_name", "") == "<module>" and code.co_filename in loaded.files:
                raise PermissionError("not allowed in the sandbox: running again a module loaded before")
        elif event == "open":
            path, mode, flags = args
            if isinstance(path, int) or path is None:
                return
            path = os.path.realpath(os.fsdecode(path))
            writing = any(c in (mode or "") for c in "wax+") if mode is not None else bool(flags & WRITE_FLAGS)
            if not inside(path, writable_paths) and (writing or not inside(path, readable_paths)):
                raise PermissionError("not allowed in the sandbox: opening a file outside the course's data")

    sys.addaudithook(hook)
