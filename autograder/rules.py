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
``sys.modules["torch.nn"]``. Each resolved name is also looked up, without running
anything, among the modules this process has imported, so that another route to a
forbidden object or module (``torch.nn.modules.activation.Tanh``) breaks the rule too.

What the check cannot follow breaks a rule of its own in every cell that has rules:
``eval``, ``exec``, ``compile``, ``globals()``, ``locals()``, a computed attribute name on
anything imported, a computed module name, a module on the way to a forbidden name used
as a value (passed, stored in a container or an attribute, returned), what runs code it
never sees (``timeit``, ``code``, ``pickle``, the import machinery, another process) and
introspection that reaches objects by other paths (``__subclasses__``, frames, ``gc``...).

A rule may also set the child up at run time (``runtime``: code run before the cells of
every test of a cell it applies to, such as ``torch.set_grad_enabled(False)`` for a rule
against autograd), so that what the static check misses still does not work.
"""
from __future__ import annotations

import ast
import importlib
import inspect
import sys
import types
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Iterable

UNFOLLOWABLE = ("this cell uses what the rule check cannot follow ({what}): write it with plain imports "
                "and names")
DYNAMIC = frozenset(p for name in ("eval", "exec", "compile", "globals", "locals", "breakpoint")
                    for p in (name, f"builtins.{name}"))
INTROSPECTION = frozenset([
    "__subclasses__", "__mro__", "__bases__", "__base__", "__globals__", "__builtins__", "__code__",
    "__closure__", "__getattribute__", "__loader__", "__spec__", "__import__", "__reduce__", "__reduce_ex__",
    "__self__", "__func__", "__wrapped__", "f_globals", "f_locals", "f_back", "gi_frame", "tb_frame",
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
    "torch.load", "torch.jit",
)
INTROSPECTION_KEYWORDS = frozenset(["capture_locals", "allow_pickle"])
ATTRIBUTE_FUNCTIONS = frozenset(p for name in ("getattr", "setattr", "delattr", "hasattr")
                                for p in (name, f"builtins.{name}"))
IMPORT_FUNCTIONS = frozenset(["importlib.import_module", "__import__", "builtins.__import__"])
LOCAL = "<defined in the cell>"
MISSING = object()


@dataclass(frozen=True)
class Rule:
    """Something forbidden: any use of ``names`` (dotted paths, after resolving aliases), of an
    attribute or keyword in ``attributes``, or of a ``syntax`` node type (``ast.For``, say); ``runtime``:
    code that sets a child up so that the forbidden thing fails even where the check cannot see it."""

    reason: str
    names: tuple[str, ...] = ()
    attributes: tuple[str, ...] = ()
    syntax: tuple[type[ast.AST], ...] = ()
    runtime: str = ""

    @cached_property
    def objects(self) -> frozenset[int]:
        """``id`` of every object a forbidden name leads to in this process."""
        found = set()
        for name in self.names:
            try:
                importlib.import_module(name.split(".")[0])
            except ImportError:
                continue
            obj = lookup(name)
            if obj is not MISSING:
                found.add(id(obj))
        return frozenset(found)

    @cached_property
    def _names(self) -> frozenset[str]:
        return frozenset(self.names)

    @cached_property
    def _ways(self) -> frozenset[str]:
        """Every module path on the way to a forbidden name (``torch``, ``torch.nn`` for ``torch.nn.Tanh``)."""
        return frozenset(".".join(n.split(".")[:cut]) for n in self.names for cut in range(1, n.count(".") + 1))

    def hit(self, path: str) -> bool:
        """Whether ``path`` names something this rule forbids: by its name, or because it or a module on its
        way is one of the forbidden objects, however reached (``torch.nn.modules.activation.F`` is
        ``torch.nn.functional``)."""
        prefixes, objects = _prefixes(path), self.objects
        return bool(self._names.intersection(prefixes)) or any(id(lookup(p)) in objects for p in prefixes)

    def leads_to(self, path: str) -> bool:
        """Whether ``path`` is a module on the way to a forbidden name (``torch.nn`` for ``torch.nn.Tanh``)."""
        obj = lookup(path)
        if obj is not MISSING and not isinstance(obj, types.ModuleType):
            return False
        return path in self._ways or (obj is not MISSING and obj.__name__ in self._ways)


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
    return _Check(tree, trusted, rules).reasons()


class _Check:
    def __init__(self, tree: ast.AST, context: list[ast.AST], rules: list[Rule]) -> None:
        self.rules = rules
        self.nodes = list(ast.walk(tree))
        self.parents = {child: node for node in self.nodes for child in ast.iter_child_nodes(node)}
        self.bindings: dict[str, list[ast.AST | str]] = {}
        self.unfollowable: list[str] = []
        self._resolving: set[int] = set()
        self._ways: dict[str, bool] = {}
        for node in [n for t in context for n in ast.walk(t) if isinstance(n, (ast.Import, ast.ImportFrom))]:
            self._bind(node)
        for node in self.nodes:
            self._bind(node)

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
                return {key if p == "sys.modules" else f"{p[:-len('.__dict__')]}.{key}" if p.endswith(".__dict__")
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
                if node.arg in INTROSPECTION_KEYWORDS:
                    self.unfollowable.append(f"{node.arg}=")
            if isinstance(node, ast.Call) and self.resolve(node.func) & ATTRIBUTE_FUNCTIONS and len(node.args) > 1 \
                    and isinstance(_constant(node.args[1]), str):
                attributes.add(node.args[1].value)  # getattr(x, "grad") uses the attribute grad
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
        reached = [p for p in paths if _under(p, INTROSPECTION_MODULES)]
        if reached:
            self.unfollowable.append(min(reached))
        if isinstance(node, ast.Call):
            function = self.resolve(node.func)
            if function & ATTRIBUTE_FUNCTIONS and len(node.args) > 1 and not isinstance(_constant(node.args[1]), str) \
                    and self._imported(node.args[0]):
                self.unfollowable.append("a computed attribute name")
            if function & IMPORT_FUNCTIONS and not (node.args and isinstance(_constant(node.args[0]), str)):
                self.unfollowable.append("a computed module name")
        if isinstance(node, ast.Subscript) and not isinstance(_constant(node.slice), str) and any(
                p == "sys.modules" or p.endswith(".__dict__") for p in self.resolve(node.value)):
            self.unfollowable.append("a computed attribute or module name")
        if isinstance(node, (ast.Name, ast.Attribute)) and isinstance(node.ctx, ast.Load) \
                and any(self._leads_to(p) for p in paths) and not self._followed(node):
            self.unfollowable.append(f"the module {min(paths)} used as a value")

    def _leads_to(self, path: str) -> bool:
        if path not in self._ways:
            self._ways[path] = any(rule.leads_to(path) for rule in self.rules)
        return self._ways[path]

    def _imported(self, node: ast.AST) -> bool:
        """Whether ``node`` may stand for a module, or something in one, that the cell reaches by name."""
        return any(p.split(".")[0] in sys.modules for p in self.resolve(node) if p != LOCAL)

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
