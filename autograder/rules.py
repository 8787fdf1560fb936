"""The static rule check of answer cells: what a task forbids must not appear in the code handed in.

A ``Rule`` forbids dotted names (``torch.nn.Tanh``; a module forbids everything in it),
attributes or keywords (``requires_grad``), and syntax (``ast.For``).
``forbidden_uses(source, rules, context)`` returns the reason of every rule the source
breaks; ``context`` holds trusted cells that run before it (the notebook's imports).

Names are resolved the way Python binds them, without regard to order (a name bound
twice may mean either): imports anywhere (``import torch.nn.functional as F`` inside a
function), assignments and loops over names, attribute chains and tuples
(``F = torch.nn.functional``), ``getattr(x, "Tanh")``, ``x.__dict__["Tanh"]``,
``vars(x)["Tanh"]``, ``importlib.import_module("torch.nn")``, ``__import__("torch")``,
``sys.modules["torch.nn"]``, string annotations (which ``typing.get_type_hints`` runs). Each
resolved name is also looked up, without running anything, among the modules this process has
imported (what the setup cells import and the course's own modules that a cell names are imported
here first), and compared by identity, so that any route to a forbidden object or module breaks
the rule too (``torch.nn.modules.activation.Tanh``, ``course_utils.gradient_check.torch``; an
attribute named like a forbidden package, ``x.torch``, is that package). A rule that names torch
functions, or gives ``operators``, forbids every torch function, class, module and operator whose
name holds one of them (``batch_norm``: ``torch._native_batch_norm_legit``,
``torch.ops.aten.cudnn_batch_norm``...).

What the check cannot follow breaks a rule of its own in every cell that has rules:
``eval``, ``exec``, ``compile``, ``globals()``, ``locals()``, ``vars()`` and ``dir()`` without an
argument, a computed attribute name on anything imported, a computed module name, a namespace
(``sys.modules``, ``vars(m)``) used otherwise than by a constant key, ``getattr``, ``vars`` or
``__import__`` passed on, a module that leads to a forbidden name by its attributes used as a value
(passed, stored in a container or an attribute, returned), what runs code it never sees (``timeit``,
``code``, a pickle: ``pickle`` and its kin under any name, ``numpy.load`` with ``allow_pickle``
however given, ``torch.load``; the import machinery, another process) and introspection that
reaches objects by other paths (``__subclasses__``, frames, ``gc``...), however reached.

This check is the first line. The child enforces the rules where the work happens
(``autograder.sandbox.enforce``): the torch operators of ``operators`` and torch's own Python
code that does their work end the child however they were reached, an audit hook refuses what
runs unseen code, and ``runtime`` (code run before the cells of every test of a cell the rule
applies to, such as ``torch.set_grad_enabled(False)`` for a rule against autograd) sets the
child up so that what both miss still does not work.
"""
from __future__ import annotations

import ast
import importlib
import importlib.util
import inspect
import re
import sys
import types
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any, Iterable

UNFOLLOWABLE = ("this cell uses what the rule check cannot follow ({what}): write it with plain imports "
                "and names")
DYNAMIC = frozenset(p for name in ("eval", "exec", "compile", "globals", "locals", "breakpoint")
                    for p in (name, f"builtins.{name}"))
INTROSPECTION = frozenset([
    "__subclasses__", "__mro__", "__bases__", "__base__", "__globals__", "__builtins__", "__code__",
    "__closure__", "__getattribute__", "__loader__", "__spec__", "__import__", "__reduce__", "__reduce_ex__",
    "__self__", "__func__", "__wrapped__", "__getattr__", "f_globals", "f_locals", "f_builtins", "f_back",
    "gi_frame", "cr_frame", "ag_frame", "tb_frame",
    # what holds or reaches an unpickler, wherever a module re-exports it (``numpy.lib._npyio_impl.pickle``)
    "pickle", "_pickle", "cPickle", "dill", "cloudpickle", "joblib", "marshal", "copyreg", "shelve", "Unpickler",
    "_Unpickler", "read_pickle", "allow_pickle",
])
# what runs code that the check never sees (from a string, a file, a pickle, another process) or reaches
# objects by other paths than their names (frames, the garbage collector, the import machinery)
INTROSPECTION_MODULES = (
    "gc", "inspect", "builtins", "ctypes", "pkgutil", "runpy", "types", "operator.attrgetter",
    "operator.methodcaller", "sys._getframe", "sys._current_frames", "sys.settrace", "sys.setprofile", "sys.path",
    "sys.meta_path", "sys.path_hooks", "threading.settrace", "threading.setprofile", "importlib.util",
    "importlib.machinery", "importlib.abc", "zipimport", "site", "timeit", "code", "codeop", "doctest", "pdb",
    "bdb", "trace", "profile", "cProfile", "pickle", "marshal", "copyreg", "shelve", "subprocess", "pty",
    "multiprocessing", "concurrent.futures.process", "os.system", "os.popen", "os.fork", "os.forkpty",
    "os.posix_spawn", "os.posix_spawnp", "os.execv", "os.execve", "os.execl", "os.execle", "os.execlp",
    "os.execlpe", "os.execvp", "os.execvpe", "os.spawnv", "os.spawnve", "os.spawnl", "os.spawnle", "os.spawnlp",
    "os.spawnlpe", "os.spawnvp", "os.spawnvpe", "traceback.walk_stack", "traceback.walk_tb",
    "traceback.StackSummary", "traceback.FrameSummary", "traceback.extract_stack", "traceback.extract_tb",
    "torch.load", "torch.jit", "torch.serialization", "torch.package", "torch.hub", "torch.utils.model_zoo",
    "torch.utils.cpp_extension", "_pickle", "cPickle", "dill", "cloudpickle", "joblib", "pandas.read_pickle",
    "pandas.io.pickle", "yaml", "sympy", "__main__", "IPython", "get_ipython", "pydoc", "logging.config",
    "unittest.mock", "importlib.metadata", "importlib._bootstrap", "importlib._bootstrap_external",
    "_frozen_importlib", "_frozen_importlib_external", "_imp", "_ctypes", "cffi", "_xxsubinterpreters",
    "_interpreters", "_posixsubprocess", "asyncio.subprocess", "asyncio.create_subprocess_exec",
    "asyncio.create_subprocess_shell", "concurrent.futures.ProcessPoolExecutor", "string.Formatter",
    "typing.get_type_hints", "typing.ForwardRef", "typing._eval_type",
)
# keywords that make a call run code or reach frames unless they are given a false constant
INTROSPECTION_KEYWORDS = frozenset(["capture_locals", "allow_pickle"])
# what unpickles when its keyword says so: the position of ``allow_pickle``, which a call must not reach
PICKLE_POSITION = {"numpy.load": 2, "numpy.lib.format.read_array": 1, "numpy.lib.npyio.NpzFile": 2}
# what reads the current namespace when called without an argument (``vars()``, ``dir()``)
NAMESPACE_FUNCTIONS = frozenset(p for name in ("vars", "dir") for p in (name, f"builtins.{name}"))
# the course's own packages: trusted, imported here when a cell names them, so that what they hold is known
COURSE_PACKAGES = ("course_utils",)
ATTRIBUTE_FUNCTIONS = frozenset(p for name in ("getattr", "setattr", "delattr", "hasattr")
                                for p in (name, f"builtins.{name}"))
IMPORT_FUNCTIONS = frozenset(["importlib.import_module", "__import__", "builtins.__import__"])
# what the check follows only where it is called (or renamed): passed on, something else would call it
CALL_ONLY = ATTRIBUTE_FUNCTIONS | IMPORT_FUNCTIONS | {"vars", "builtins.vars"}
# where private built-ins of torch live: a rule's operators (and the torch functions it names) forbid every
# name in these (and in every loaded torch module) that contains one of them
TORCH_NAMESPACES = ("torch._C._VariableFunctions", "torch._C._nn")
LOCAL = "<defined in the cell>"
# ``Rule.operators`` of the usual rules: every torch operator, and the families of built-in layers
EVERY_TORCH_OPERATOR = ("*",)
NORMALIZATION_OPERATORS = ("batch_norm", "instance_norm", "layer_norm", "group_norm", "rms_norm")
MISSING = object()


@dataclass(frozen=True)
class Rule:
    """Something forbidden: any use of ``names`` (dotted paths, after resolving aliases), of an
    attribute or keyword in ``attributes``, or of a ``syntax`` node type (``ast.For``, say); ``runtime``:
    code that sets a child up so that the forbidden thing fails even where the check cannot see it;
    ``operators``: the torch operators that do the forbidden work, as parts of ATen operator names
    (``"batch_norm"``; ``"*"``: every torch operator), which the child refuses however they are reached
    (``autograder.sandbox.enforce``)."""

    reason: str
    names: tuple[str, ...] = ()
    attributes: tuple[str, ...] = ()
    syntax: tuple[type[ast.AST], ...] = ()
    runtime: str = ""
    operators: tuple[str, ...] = ()

    @cached_property
    def objects(self) -> frozenset[int]:
        """``id`` of every object a forbidden name (given or derived) leads to in this process."""
        for root in {name.split(".")[0] for name in self.names}:
            try:
                importlib.import_module(root)
            except ImportError:
                continue
        return frozenset(id(obj) for obj in map(find, self._names) if obj is not MISSING)

    @cached_property
    def _names(self) -> frozenset[str]:
        return frozenset(self.names) | _torch_names(self._patterns)

    @cached_property
    def _patterns(self) -> frozenset[str]:
        """What names the torch work this rule forbids: its ``operators`` and the torch functions it names
        (``torch.nn.functional.batch_norm``: ``batch_norm``), without underscores, in lower case."""
        patterns = {_plain(p) for p in getattr(self, "operators", ())}
        for name in self.names:
            if name.startswith("torch.") and _import("torch") and \
                    isinstance(find(name), (types.FunctionType, types.BuiltinFunctionType)):
                patterns.add(_plain(name.rsplit(".", 1)[1]))
        return frozenset(patterns)

    @cached_property
    def _packages(self) -> frozenset[str]:
        """Forbidden packages (``torch``): an attribute of that name (``x.torch``) counts as the package."""
        return frozenset(n for n in self._names if "." not in n and _is_module(lookup(n)))

    @cached_property
    def _way_paths(self) -> dict[int, tuple[str, ...]]:
        """The paths of every module or namespace on the way to a forbidden name, by the ``id`` of its object."""
        found: dict[int, tuple[str, ...]] = {}
        for way in sorted(self._ways):
            obj = find(way)
            if obj is not MISSING:
                found[id(obj)] = (*found.get(id(obj), ()), way)
        return found

    def _reaching(self) -> frozenset[int]:
        """``id`` of every module from which module attributes lead to a forbidden object (``course_utils``,
        which holds ``gradient_check``, which holds ``torch``), as loaded now."""
        holders = _holders()
        cached = self.__dict__.get("_reached")
        if cached is None or cached[0] != _HOLDERS[0]:
            found, todo = set(), list(self.objects)
            while todo:
                for module in holders.get(todo.pop(), ()):
                    if id(module) not in found:
                        found.add(id(module))
                        todo.append(id(module))
            cached = self.__dict__["_reached"] = (_HOLDERS[0], frozenset(found))
        return cached[1]

    @cached_property
    def _ways(self) -> frozenset[str]:
        """Every module path on the way to a forbidden name (``torch``, ``torch.nn`` for ``torch.nn.Tanh``)."""
        return frozenset(".".join(n.split(".")[:cut]) for n in self._names for cut in range(1, n.count(".") + 1))

    def hit(self, path: str) -> bool:
        """Whether ``path`` names something this rule forbids: by its name, or because it or a module on its
        way is one of the forbidden objects, however reached (``torch.nn.modules.activation.F`` is
        ``torch.nn.functional``)."""
        prefixes, names, objects = _prefixes(path), self._names, self.objects
        if names.intersection(prefixes) or self._packages.intersection(path.split(".")[1:]):
            return True
        for prefix in prefixes:
            obj = find(prefix)
            if id(obj) in objects:
                return True
            for way in self._way_paths.get(id(obj), ()):  # a namespace reached another way: its path, then the rest
                if names.intersection(_prefixes(way + path[len(prefix):])):
                    return True
        return False

    def leads_to(self, path: str) -> bool:
        """Whether ``path`` is a module on the way to a forbidden name (``torch.nn`` for ``torch.nn.Tanh``)."""
        obj = find(path)
        if obj is not MISSING and not _is_module(obj):
            return False
        return path in self._ways or (obj is not MISSING and (
            vars(obj).get("__name__") in self._ways or id(obj) in self._way_paths or id(obj) in self._reaching()))


def _prefixes(path: str) -> list[str]:
    parts = path.split(".")
    return [".".join(parts[:cut]) for cut in range(len(parts), 0, -1)]


def _under(path: str, names: Iterable[str]) -> bool:
    return bool(path) and any(path == n or path.startswith(n + ".") for n in names)


def lookup(path: str) -> Any:
    """The object ``path`` names among modules already imported here, found without running any code
    (no import, no descriptor, no module ``__getattr__``); ``MISSING`` if there is none."""
    parts = path.split(".")
    for cut in range(len(parts), 0, -1):
        obj = sys.modules.get(".".join(parts[:cut]))
        if obj is not None:
            break
    else:
        return MISSING
    for part in parts[cut:]:
        obj = inspect.getattr_static(obj, part, MISSING)
        if obj is MISSING:
            return MISSING
    return obj


def find(path: str) -> Any:
    """``lookup``, after importing the modules of a course package on ``path`` (our own code, which cells may
    name and which may hold what a rule forbids: ``course_utils.gradient_check.torch``)."""
    obj = lookup(path)
    if obj is MISSING and path.split(".")[0] in COURSE_PACKAGES and _import_course(path):
        obj = lookup(path)
    return obj


@lru_cache(maxsize=4096)
def _import_course(path: str) -> bool:
    """Import the modules of a course package on ``path``; whether there was one to import."""
    parts, imported = path.split("."), False
    for cut in range(1, len(parts) + 1):
        name = ".".join(parts[:cut])
        if name in sys.modules:
            continue
        try:
            if importlib.util.find_spec(name) is None:
                break
        except (ImportError, ValueError, AttributeError):
            break
        imported = _import(name) or imported
    return imported


def _import(name: str) -> bool:
    try:
        importlib.import_module(name)
    except Exception:  # an optional package that is absent or broken: nothing of it can be looked up
        return False
    return True


def _is_module(obj: Any) -> bool:
    return issubclass(type(obj), types.ModuleType)  # type(), not isinstance: no __class__ of the object runs


def _plain(name: str) -> str:
    return name.replace("_", "").lower()


@lru_cache(maxsize=64)
def _torch_names(patterns: frozenset[str]) -> frozenset[str]:
    """Every name of torch (in its modules, ``TORCH_NAMESPACES``, ``torch._VF`` and ``torch.ops``) of a function,
    class or module whose name, without underscores and in lower case, contains one of ``patterns``
    (``batchnorm``: ``torch._native_batch_norm_legit``, ``torch.nn.modules.batchnorm._BatchNorm``,
    ``torch.ops.aten.cudnn_batch_norm``...); ``"*"``: all of torch. Computed once for each set of patterns."""
    if "*" in patterns:
        return frozenset(["torch"])
    if not patterns:
        return frozenset()
    wanted = re.compile("|".join(map(re.escape, sorted(patterns))))
    return frozenset(path for plain, path in _torch_index() if wanted.search(plain))


@lru_cache(maxsize=1)
def _torch_index() -> tuple[tuple[str, str], ...]:
    """(plain name, path) of every function, class and module of torch, as loaded when first needed."""
    if not _import("torch"):
        return ()
    spaces = {name: module for name, module in list(sys.modules.items())
              if (name == "torch" or name.startswith("torch.")) and _is_module(module)}
    spaces.update((name, lookup(name)) for name in TORCH_NAMESPACES)
    found = []
    for name, space in spaces.items():
        if space is MISSING:
            continue
        for attr, value in list(vars(space if _is_module(space) or isinstance(space, type) else type(space)).items()):
            if isinstance(attr, str) and (callable(value) or _is_module(value)):
                found.append((_plain(attr), f"{name}.{attr}"))
                if name == "torch._C._VariableFunctions":
                    found.append((_plain(attr), f"torch._VF.{attr}"))
    try:
        operators = sys.modules["torch"]._C._dispatch_get_all_op_names()
    except Exception:  # torch without this private listing: the names above still hold
        operators = []
    for operator in operators:
        namespace, _, overload = operator.partition("::")
        name = overload.split(".")[0]
        found.append((_plain(name), f"torch.ops.{namespace}.{name}"))
    return tuple(dict.fromkeys(found))


_HOLDERS: list[Any] = [None, {}]  # the number of loaded modules when computed, and the holders


def _holders() -> dict[int, list[types.ModuleType]]:
    """The modules (loaded, or attributes of loaded ones) that hold each function, class or module as an
    attribute, by its ``id``; computed again when more modules are loaded."""
    if _HOLDERS[0] != len(sys.modules):
        count, holders = len(sys.modules), {}
        todo = [m for m in list(sys.modules.values()) if _is_module(m)]
        seen = {id(m) for m in todo}
        while todo:
            module = todo.pop()
            for value in list(vars(module).values()):
                if _is_module(value):
                    if id(value) not in seen:
                        seen.add(id(value))
                        todo.append(value)
                elif not callable(value):
                    continue
                holders.setdefault(id(value), []).append(module)
        _HOLDERS[:] = [count, holders]
    return _HOLDERS[1]


def forbidden_uses(source: str, rules: list[Rule], context: Iterable[str] = ()) -> list[str]:
    """Reasons for every rule that ``source`` breaks (empty when it breaks none, has no rules, or does not
    parse: then the cell fails when it runs). Code the parser cannot take otherwise (too deeply nested)
    breaks the rules, since it cannot be checked."""
    if not rules:
        return []
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    except (RecursionError, MemoryError, ValueError):
        return [UNFOLLOWABLE.format(what="code too deeply nested to read")]
    trusted = []
    for cell in context:
        try:
            trusted.append(ast.parse(cell))
        except (SyntaxError, RecursionError, MemoryError, ValueError):
            continue
    for node in (n for t in trusted for n in ast.walk(t)):  # what the child has loaded before the cell runs
        if isinstance(node, ast.Import):
            for alias in node.names:
                _import_trusted(alias.name)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                _import_trusted(node.module, alias.name)
    return _Check(tree, trusted, rules).reasons()


@lru_cache(maxsize=None)
def _import_trusted(module: str, name: str = "*") -> None:
    """Import what a trusted setup cell imports, as the child does, so that what it holds can be looked up
    (``plt.np`` is numpy); a name imported from a module may be a submodule of it."""
    if _import(module) and name != "*" and lookup(f"{module}.{name}") is MISSING:
        _import(f"{module}.{name}")


class _Check:
    def __init__(self, tree: ast.AST, context: list[ast.AST], rules: list[Rule]) -> None:
        self.rules = rules
        self.unfollowable: list[str] = []
        self.nodes = list(ast.walk(tree))
        self.nodes += [node for text in self._annotations(self.nodes) for node in ast.walk(text)]
        self.parents = {child: node for node in self.nodes for child in ast.iter_child_nodes(node)}
        self.bindings: dict[str, list[ast.AST | str]] = {}
        self._resolving: set[int] = set()
        self._ways: dict[str, bool] = {}
        self._found: dict[str, Any] = {}
        for node in [n for t in context for n in ast.walk(t) if isinstance(n, (ast.Import, ast.ImportFrom))]:
            self._bind(node)
        for node in self.nodes:
            self._bind(node)

    def _annotations(self, nodes: list[ast.AST]) -> list[ast.AST]:
        """The strings in annotations, parsed: ``typing.get_type_hints`` and what calls it evaluate them, so
        they are code to check (a string that does not parse cannot run)."""
        found, todo = [], [a for n in nodes for a in _annotation_slots(n)]
        while todo:
            strings = [c.value for a in todo for c in ast.walk(a) if isinstance(_constant(c), str)]
            todo = []
            for text in strings:
                try:
                    parsed = ast.parse(text.strip(), mode="eval")
                except (SyntaxError, RecursionError, MemoryError, ValueError):
                    continue
                if len(found) > 1000:
                    self.unfollowable.append("annotations nested too deeply to read")
                    return found
                found.append(parsed)
                todo.append(parsed)
        return found

    def _find(self, path: str) -> Any:
        if path not in self._found:
            self._found[path] = find(path)
        return self._found[path]

    # -------------------------------------------------------------- what names mean

    def _bind(self, node: ast.AST) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                root = alias.name.split(".")[0]
                self._add(alias.asname or root, alias.name if alias.asname else root)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                if alias.name != "*":
                    self._add(alias.asname or alias.name, f"{node.module}.{alias.name}")
                elif any(r.leads_to(node.module) or r.hit(node.module) for r in self.rules):
                    self.unfollowable.append(f"from {node.module} import *")
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.NamedExpr)) and node.value is not None:
            for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                self._assign(target, node.value)
        elif isinstance(node, ast.withitem) and node.optional_vars is not None:
            self._assign(node.optional_vars, node.context_expr)
        elif isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
            self._assign(node.target, node.iter)  # a loop variable: any element of the iterable
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            self._add(node.name, LOCAL)

    def _assign(self, target: ast.AST, value: ast.AST) -> None:
        """Bind the names of ``target``; unpacking binds each name to the matching element, or to any."""
        if isinstance(target, ast.Name):
            self.bindings.setdefault(target.id, []).append(value)
        elif isinstance(target, (ast.Tuple, ast.List)):
            pairs = zip(target.elts, value.elts) if isinstance(value, (ast.Tuple, ast.List)) and \
                len(value.elts) == len(target.elts) else ((t, value) for t in target.elts)
            for t, v in pairs:
                self._assign(t, v)
        elif isinstance(target, ast.Starred):
            self._assign(target.value, value)

    def _add(self, name: str, path: str) -> None:
        self.bindings.setdefault(name, []).append(path)

    def resolve(self, node: ast.AST | str) -> set[str]:
        """The dotted paths an expression may stand for (empty: nothing a rule can name). A container
        stands for its elements, and an element of it (``mods[0]``, a loop variable) for any of them."""
        if isinstance(node, str):
            return {node}
        if id(node) in self._resolving:
            return set()
        self._resolving.add(id(node))
        try:
            return self._resolve(node)
        finally:
            self._resolving.discard(id(node))

    def _resolve(self, node: ast.AST) -> set[str]:
        if isinstance(node, ast.Name):
            if node.id not in self.bindings:
                return {node.id}
            return {p for value in self.bindings[node.id] for p in self.resolve(value)}
        if isinstance(node, ast.Attribute):
            return {f"{p}.{node.attr}" for p in self.resolve(node.value)}
        if isinstance(node, ast.Call):
            return self._resolve_call(node)
        if isinstance(node, ast.Subscript):
            key, paths = _constant(node.slice), self.resolve(node.value)
            if isinstance(key, str):
                return {key if self._modules(p) else f"{p[:-len('.__dict__')]}.{key}" if p.endswith(".__dict__")
                        else p for p in paths}
            return paths
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            return {p for value in node.elts for p in self.resolve(value)}
        if isinstance(node, (ast.IfExp, ast.BoolOp, ast.NamedExpr, ast.Starred)):
            parts = [node.body, node.orelse] if isinstance(node, ast.IfExp) else \
                node.values if isinstance(node, ast.BoolOp) else [node.value]
            return {p for part in parts for p in self.resolve(part)}
        return set()

    def _resolve_call(self, node: ast.Call) -> set[str]:
        function = self.resolve(node.func)
        if function & ATTRIBUTE_FUNCTIONS and len(node.args) > 1 and isinstance(_constant(node.args[1]), str):
            return {f"{p}.{node.args[1].value}" for p in self.resolve(node.args[0])}
        if function & IMPORT_FUNCTIONS and node.args and isinstance(_constant(node.args[0]), str):
            name = node.args[0].value
            return {name, name.split(".")[0]}
        if function & {"vars", "builtins.vars"} and node.args:
            return {f"{p}.__dict__" for p in self.resolve(node.args[0])}
        return set()

    # -------------------------------------------------------------- what the source uses

    def reasons(self) -> list[str]:
        used: set[str] = set()
        attributes: set[str] = set()
        for node in self.nodes:
            if isinstance(node, (ast.Name, ast.Attribute, ast.Call, ast.Subscript)):
                paths = self.resolve(node)
                used |= paths
                self._check_followable(node, paths)
            if isinstance(node, ast.Attribute):
                attributes.add(node.attr)
            elif isinstance(node, ast.keyword) and node.arg:
                attributes.add(node.arg)
                if node.arg in INTROSPECTION_KEYWORDS and not _false(node.value):
                    self.unfollowable.append(f"{node.arg}=")
            elif isinstance(node, ast.Dict):  # keywords to be unpacked: f(**{"allow_pickle": True})
                self.unfollowable += [f"{k.value}=" for k, v in zip(node.keys, node.values)
                                      if _constant(k) in INTROSPECTION_KEYWORDS and not _false(v)]
            if isinstance(node, ast.Call) and self.resolve(node.func) & ATTRIBUTE_FUNCTIONS and len(node.args) > 1 \
                    and isinstance(_constant(node.args[1]), str):
                attributes.add(node.args[1].value)  # getattr(x, "grad") uses the attribute grad
                if node.args[1].value in INTROSPECTION:
                    self.unfollowable.append(node.args[1].value)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                used.update(f"{node.module}.{alias.name}" for alias in node.names if alias.name != "*")
                used.add(node.module)
            elif isinstance(node, ast.Import):
                used.update(alias.name for alias in node.names)
        kinds = {type(node) for node in self.nodes}
        broken = [rule.reason for rule in self.rules
                  if any(rule.hit(p) for p in used) or attributes & set(rule.attributes) or kinds & set(rule.syntax)]
        if self.unfollowable:
            broken.append(UNFOLLOWABLE.format(what=", ".join(sorted(set(self.unfollowable))[:3])))
        return broken

    def _check_followable(self, node: ast.AST, paths: set[str]) -> None:
        if paths & DYNAMIC:
            self.unfollowable.append(f"{sorted(paths & DYNAMIC)[0]}()")
        if getattr(node, "attr", getattr(node, "id", None)) in INTROSPECTION:
            self.unfollowable.append(getattr(node, "attr", getattr(node, "id", "")))
        reached = [p for p in paths if _under(p, INTROSPECTION_MODULES)] + \
            [name for p in paths if (name := self._reaches_unfollowable(p))]
        if reached:
            self.unfollowable.append(min(reached))
        if isinstance(node, ast.Call):
            self._check_call(node)
        spaces = [p for p in paths if self._namespace(p)]
        if spaces and not self._namespace_followed(node):
            self.unfollowable.append("sys.modules used as a value" if any(map(self._modules, spaces))
                                     else "the __dict__ of something imported used as a value")
        if not isinstance(node, (ast.Name, ast.Attribute)) or not isinstance(node.ctx, ast.Load):
            return
        if any(self._leads_to(p) for p in paths) and not self._followed(node):
            self.unfollowable.append(f"the module {min(paths)} used as a value")
        pickler = self._pickle_position(paths)
        called = sorted(paths & CALL_ONLY) + ([pickler[0]] if pickler else [])
        if called and not self._called(node):
            self.unfollowable.append(f"{called[0]} passed on")

    def _check_call(self, node: ast.Call) -> None:
        function = self.resolve(node.func)
        unpacked = any(isinstance(a, ast.Starred) for a in node.args) or any(k.arg is None for k in node.keywords)
        if function & ATTRIBUTE_FUNCTIONS and (unpacked or len(node.args) > 1 and not isinstance(
                _constant(node.args[1]), str) and self._imported(node.args[0])):
            self.unfollowable.append("a computed attribute name")
        if function & IMPORT_FUNCTIONS and (unpacked or not (node.args and isinstance(_constant(node.args[0]), str))):
            self.unfollowable.append("a computed module name")
        if function & NAMESPACE_FUNCTIONS and (unpacked or not node.args):
            self.unfollowable.append(f"{min(function & NAMESPACE_FUNCTIONS)}()")
        pickler = self._pickle_position(function)
        if pickler and (unpacked or len(node.args) > pickler[1]):
            self.unfollowable.append(f"{pickler[0]} with allow_pickle given by position or unpacked")

    def _reaches_unfollowable(self, path: str) -> str | None:
        """What the check cannot follow that ``path`` or a module on its way is, however reached."""
        objects = _unfollowable_objects()
        for prefix in _prefixes(path):
            name = objects.get(id(self._find(prefix)))
            if name is not None:
                return name
        return None

    def _pickle_position(self, paths: set[str]) -> tuple[str, int] | None:
        """The function that unpickles when ``allow_pickle`` says so, and the position of that argument."""
        positions = _pickle_positions()
        for path in sorted(paths):
            if path in PICKLE_POSITION:
                return path, PICKLE_POSITION[path]
            if id(self._find(path)) in positions:
                return positions[id(self._find(path))]
        return None

    def _modules(self, path: str) -> bool:
        return path == "sys.modules" or self._find(path) is sys.modules

    def _namespace(self, path: str) -> bool:
        """Whether ``path`` is a table of names to objects: ``sys.modules`` or the ``__dict__`` of something
        imported (``vars(torch.nn)``)."""
        return self._modules(path) or path.endswith(".__dict__") and self._imported_path(path[:-len(".__dict__")])

    def _namespace_followed(self, node: ast.AST) -> bool:
        """A namespace read by a constant key (``vars(m)["Tanh"]``), or given another name."""
        parent = self.parents.get(node)
        if isinstance(parent, ast.Subscript) and parent.value is node:
            return isinstance(_constant(parent.slice), str) and (
                isinstance(parent.ctx, ast.Load) or not any(self._modules(p) for p in self.resolve(node)))
        return self._aliased(node)

    def _aliased(self, node: ast.AST) -> bool:
        parent = self.parents.get(node)
        if isinstance(parent, (ast.Assign, ast.AnnAssign, ast.NamedExpr)) and parent.value is node:
            targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
            return all(isinstance(t, ast.Name) for t in targets)
        if isinstance(parent, (ast.IfExp, ast.BoolOp)) and node is not getattr(parent, "test", None):
            return self._aliased(parent)
        return False

    def _called(self, node: ast.AST) -> bool:
        """A function in a place where the check sees its calls: called, or given another name."""
        parent = self.parents.get(node)
        if isinstance(parent, ast.Call):
            return parent.func is node
        return self._aliased(node)

    def _leads_to(self, path: str) -> bool:
        if path not in self._ways:
            self._ways[path] = any(rule.leads_to(path) for rule in self.rules)
        return self._ways[path]

    def _imported(self, node: ast.AST) -> bool:
        """Whether ``node`` may stand for a module, or something in one, that the cell reaches by name."""
        return any(self._imported_path(p) for p in self.resolve(node))

    @staticmethod
    def _imported_path(path: str) -> bool:
        root = path.split(".")[0]
        return path != LOCAL and (root in sys.modules or root in COURSE_PACKAGES)

    def _followed(self, node: ast.AST) -> bool:
        """A module in a place the check follows: ``m.attr``, ``getattr(m, ...)``, ``alias = m``, a loop over
        modules, an element of a tuple or list so used, or either side of ``a if c else b``."""
        parent = self.parents.get(node)
        if isinstance(parent, ast.Attribute):
            return True
        if isinstance(parent, ast.Call) and parent.args and parent.args[0] is node:
            return bool(self.resolve(parent.func) & (ATTRIBUTE_FUNCTIONS | {"vars", "builtins.vars"}))
        if isinstance(parent, (ast.Assign, ast.AnnAssign, ast.NamedExpr)) and parent.value is node:
            targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
            return all(isinstance(t, (ast.Name, ast.Tuple, ast.List)) for t in targets)
        if isinstance(parent, (ast.For, ast.AsyncFor, ast.comprehension)) and parent.iter is node:
            return True
        if isinstance(parent, (ast.Tuple, ast.List, ast.IfExp, ast.BoolOp)):
            return self._followed(parent)
        return False


def _constant(node: ast.AST) -> Any:
    return node.value if isinstance(node, ast.Constant) else None


def _false(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Constant) and not node.value


def _annotation_slots(node: ast.AST) -> list[ast.AST]:
    if isinstance(node, ast.arg):
        return [node.annotation] if node.annotation else []
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return [node.returns] if node.returns else []
    return [node.annotation] if isinstance(node, ast.AnnAssign) else []


_UNFOLLOWABLE_OBJECTS: list[Any] = [None, {}]  # the number of loaded modules when computed, and the objects


def _unfollowable_objects() -> dict[int, str]:
    """What the check cannot follow (``INTROSPECTION_MODULES``, ``DYNAMIC``), by the ``id`` of its object here,
    so that a module that re-exports it (``numpy.lib._npyio_impl.pickle``) reaches it too."""
    if _UNFOLLOWABLE_OBJECTS[0] != len(sys.modules):
        found = {}
        for name in sorted(set(INTROSPECTION_MODULES) | DYNAMIC, reverse=True):
            obj = lookup(name) if "." in name or name in sys.modules else MISSING
            if obj is not MISSING and not isinstance(obj, (str, int, float, type(None))):
                found[id(obj)] = name
        _UNFOLLOWABLE_OBJECTS[:] = [len(sys.modules), found]
    return _UNFOLLOWABLE_OBJECTS[1]


_PICKLE_OBJECTS: list[Any] = [None, {}]


def _pickle_positions() -> dict[int, tuple[str, int]]:
    """``PICKLE_POSITION`` by the ``id`` of each function here (``numpy.lib._npyio_impl.load`` is ``numpy.load``)."""
    if _PICKLE_OBJECTS[0] != len(sys.modules):
        found = {id(obj): (name, position) for name, position in PICKLE_POSITION.items()
                 if (obj := lookup(name)) is not MISSING}
        _PICKLE_OBJECTS[:] = [len(sys.modules), found]
    return _PICKLE_OBJECTS[1]
