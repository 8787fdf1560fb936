"""Read pickled data without running code: the one unpickler of the course's loaders.

A pickle may name any function, and unpickling calls it (``os.system``, ``builtins.eval``, a class),
so a data file could run anything. ``load(file)`` accepts only what plain data needs: numpy arrays,
dtypes and scalars (both the ``numpy.core`` and ``numpy._core`` spellings), Python's containers and
numbers, ``_codecs.encode`` (bytes in protocol 2) and ``collections.OrderedDict``. Anything else is
refused before it is called, with ``CodeInPickle`` (a ``pickle.UnpicklingError``).
"""
from __future__ import annotations

import pickle
from typing import Any, BinaryIO

REFUSED = "this file holds code, not data: refusing to load it ({what})"
PLAIN_DATA = frozenset([
    *(f"{core}.{name}" for core in ("numpy.core.multiarray", "numpy._core.multiarray")
      for name in ("_reconstruct", "scalar")),
    "numpy.core.numeric._frombuffer", "numpy._core.numeric._frombuffer", "numpy.ndarray", "numpy.dtype",
    "_codecs.encode", "collections.OrderedDict",
    *(f"{builtins}.{name}" for builtins in ("builtins", "__builtin__")
      for name in ("list", "dict", "set", "frozenset", "tuple", "bytes", "bytearray", "str", "int", "float",
                   "complex", "bool", "slice", "range")),
])


class CodeInPickle(pickle.UnpicklingError):
    """A pickle names something that is not plain data."""


class DataUnpickler(pickle.Unpickler):
    """An unpickler that builds plain data (``PLAIN_DATA``) and refuses every other global."""

    def find_class(self, module: str, name: str) -> Any:
        if f"{module}.{name}" not in PLAIN_DATA:
            raise CodeInPickle(REFUSED.format(what=f"{module}.{name}"))
        return super().find_class(module, name)


def load(file: BinaryIO, encoding: str = "ASCII") -> Any:
    """The plain data pickled in ``file`` (opened for binary reading); ``encoding`` as for ``pickle.load``
    (``"latin1"`` for files written by Python 2, such as the CIFAR-10 batches)."""
    return DataUnpickler(file, encoding=encoding).load()
