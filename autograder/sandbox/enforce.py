"""Rules enforced where the work happens: set up in a rule host, once, before it forks any child.

The static check (``autograder.rules``) refuses the names it can resolve; what it cannot see is caught
here, whatever Python name, alias, pickle or private built-in reached the work. A session with rules runs in
a child of a *rule host*: a copy of the host that called ``forbid`` for that set of rules (``Host.derive``),
so that the refusals cost nothing per child and exist before any student code does.

``forbid(groups)``
    Every ATen operator whose name contains one of a group's patterns (``"batch_norm"`` covers
    ``native_batch_norm``, ``_native_batch_norm_legit``, ``cudnn_batch_norm`` ... and their backward
    operators) gets a kernel that refuses to run, for every CPU and composite dispatch key, so that the
    dispatcher itself refuses it however it was called; the pattern ``"*"`` gives every operator of every
    namespace a refusing CPU kernel (and sparse, quantized, nested ones where it has them): the code that
    computes is gone, not guarded, so no dispatch-key or thread-local trick brings it back. The
    registrations are kept alive by a reference that no Python object holds. Torch's own Python code that
    does the same work from smaller operators (the decompositions of ``torch._decomp`` and ``torch._refs``)
    is refused too: every function of the torch package whose code is named with a pattern gets a refusing
    code object (``torch._decomp`` and ``torch._refs`` are loaded with torch; a torch module that a child
    imports for the first time is not searched). A refusal writes the rule's index to ``REPORT_FD`` (the
    child's report pipe, which the host reads when the child ends) and ends the child at once, so that no
    handler of the student's can catch it and try another way.

``install_audit_hook(readable, writable, loaded)``
    A Python audit hook, which no code can remove once it is installed, refuses: unpickling anything
    but plain data (``PLAIN_DATA``), ``marshal`` outside the import system, ``ctypes``, new processes,
    sockets, building code objects, reaching objects through the garbage collector, replacing the trace
    function, importing or running again a module that was loaded before the child started (a pristine copy of
    something set up here), and opening files outside ``readable`` (``writable`` for writing).
"""
from __future__ import annotations

import ctypes
import gc
import os
import sys
import types
import warnings
from dataclasses import dataclass
from typing import Callable, Iterable

RULE_BROKEN_EXIT = 72
REPORT_FD = 1000  # where every child of a rule host keeps its report pipe (set up before the fork, found after)
BACKEND_KEYS = ("QuantizedCPU", "SparseCPU", "SparseCsrCPU", "NestedTensorCPU")  # besides CPU, for "*"
DISPATCH_KEYS = ("CPU", *BACKEND_KEYS, "CompositeImplicitAutograd", "CompositeExplicitAutograd",
                 "CompositeExplicitAutogradNonFunctional", "CompositeImplicitAutogradNestedTensor")
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
_MARKER = 0.6180339887498949  # the constant of the refusing code that ``_refusing_code`` replaces by the refusal


def forbid(groups: Iterable[Iterable[str]]) -> None:
    """Refuse, in this process and every child it forks, the torch work of each group of patterns (see the
    module docstring); the index of a group is what a refusal reports."""
    torch = sys.modules.get("torch")
    if torch is None:
        return
    libraries: dict[str, object] = {}
    refused_names: list[tuple[str, Callable]] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch warns that a kernel is overridden: that is the point
        for index, patterns in enumerate(groups):
            patterns, refuse = tuple(patterns), _refusal(index)
            for namespace, operator, key in kernels(patterns):
                if namespace not in libraries:
                    libraries[namespace] = torch._C._dispatch_library("IMPL", namespace, "")
                libraries[namespace].impl(operator, key, refuse)
            refused_names += [(p, refuse) for p in patterns if p != "*"]
    for library in libraries.values():
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(library))  # alive as long as the process: no handle to drop
    if refused_names:
        _refuse_torch_functions(os.path.dirname(torch.__file__) + os.sep, tuple(refused_names))


def kernels(patterns: tuple[str, ...]) -> tuple[tuple[str, str, str], ...]:
    """(namespace, operator, dispatch key) of the kernels that ``patterns`` refuse: with ``"*"``, the CPU kernel of
    every operator and its other CPU backends' where it has them; else every kernel of an ATen operator whose
    name contains a pattern."""
    torch = sys.modules.get("torch")
    if torch is None:
        return ()
    everything = "*" in patterns
    keys = {key: getattr(torch._C.DispatchKey, key) for key in (BACKEND_KEYS if everything else DISPATCH_KEYS)
            if hasattr(torch._C.DispatchKey, key)}
    found = []
    for name in torch._C._dispatch_get_all_op_names():
        namespace, operator = name.split("::", 1)
        if everything:
            found.append((namespace, operator, "CPU"))
        elif namespace != "aten" or not any(p in operator for p in patterns):
            continue
        found += [(namespace, operator, key) for key, dispatch_key in keys.items()
                  if torch._C._dispatch_has_kernel_for_dispatch_key(name, dispatch_key)]
    return tuple(found)


def _refuse_torch_functions(folder: str, refused: tuple[tuple[str, Callable], ...]) -> None:
    """Give every function defined in ``folder`` whose code is named with a pattern a code that refuses."""
    codes: dict[tuple[int, Callable], types.CodeType] = {}
    gc.unfreeze()  # a host froze its objects, where ``gc.get_objects`` does not see them
    for function in gc.get_objects():
        if type(function) is types.FunctionType and function.__code__.co_filename.startswith(folder):
            refuse = _refusal_for(function.__code__.co_name, refused)
            if refuse is not None:
                key = (len(function.__code__.co_freevars), refuse)
                if key not in codes:
                    codes[key] = _refusing_code(*key)
                function.__code__ = codes[key]


def _refusal_for(code_name: str, refused: tuple[tuple[str, Callable], ...]) -> Callable | None:
    return next((refuse for pattern, refuse in refused if pattern in code_name), None)


def _refusing_code(free: int, refuse: Callable) -> types.CodeType:
    """A code object with ``free`` free variables (a function's code may only be replaced by one with as many)
    that calls ``refuse`` with whatever it is given."""
    names = [f"free{i}" for i in range(free)]
    lines = ["def outer():", *(f"    {name} = None" for name in names), "    def refused(*args, **kwargs):"]
    if names:
        lines.append(f"        {', '.join(names)}")
    lines += [f"        return ({_MARKER!r})(*args, **kwargs)", "    return refused"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "float is not callable": it is replaced below
        module = compile("\n".join(lines), "<refused by a rule>", "exec")
    outer = next(c for c in module.co_consts if isinstance(c, types.CodeType))
    code = next(c for c in outer.co_consts if isinstance(c, types.CodeType))
    return code.replace(co_consts=tuple(refuse if type(c) is float and c == _MARKER else c for c in code.co_consts))


def _refusal(index: int) -> Callable:
    write, end, message = os.write, os._exit, f"{index}\n".encode()  # bound now: later changes to os do not reach

    def refuse(*args: object, **kwargs: object) -> None:
        try:
            write(REPORT_FD, message)
        finally:
            end(RULE_BROKEN_EXIT)

    return refuse


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
