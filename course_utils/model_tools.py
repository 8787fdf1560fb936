"""Look inside hand-written models whose internal structure is the student's choice."""
from __future__ import annotations

from typing import Callable

import torch


def find_layers(model: object, kind: type | Callable[[object], bool]) -> list[object]:
    """Every object reachable from ``model``'s attributes (through lists, tuples and
    dicts too) that is an instance of ``kind``, or for which ``kind(obj)`` is true.

    Each object is returned once, in depth-first attribute order.
    """
    matches = kind if not isinstance(kind, type) else (lambda obj: isinstance(obj, kind))
    found, seen, stack = [], set(), [model]
    while stack:
        obj = stack.pop()
        if id(obj) in seen or isinstance(obj, (torch.Tensor, str, bytes, int, float, type)):
            continue
        seen.add(id(obj))
        if obj is not model and matches(obj):
            found.append(obj)
        elif isinstance(obj, dict):
            stack.extend(reversed(list(obj.values())))
        elif isinstance(obj, (list, tuple, set)):
            stack.extend(reversed(list(obj)))
        elif hasattr(obj, "__dict__"):
            stack.extend(reversed(list(vars(obj).values())))
    return found
