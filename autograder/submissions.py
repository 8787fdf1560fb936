"""Reading what a student hands in: whatever the files hold, the result is answer cells or a reason.

``read_answers(path, folder, wanted)`` reads a submitted file once and returns its answer cells
(``Answers``), with a reason instead where a cell or the whole file cannot be graded; it never raises.
The file is found without following a symbolic link anywhere below ``folder`` (the folder the instructor
named); what is not a plain file (a FIFO, a device, a hard link to someone else's file) or is larger than
``MAX_FILE_BYTES`` is refused; when grading runs as root, the file is opened and parsed with the rights of
the owner of the folder holding it, not the grader's.

``parse_answers(data)`` walks the notebook's JSON without building it: outputs, attachments and every
cell that is not a code answer are stepped over, so a notebook made large by its plots costs its size in
bytes once, not a tree of Python objects. Only the answer cells named in ``wanted`` are decoded, each up
to ``MAX_CELL_CHARS``; a longer one gets a reason and costs only the tests of that cell.
``read_submission`` gives a file's bytes, found and checked the same way; ``read_files`` reads the files
a grader declares (trained weights handed in next to the notebook), each under its own size limit.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from autograder.notebook import grade_id, is_code_answer

MAX_FILE_BYTES = 256 * 2**20  # a file is read whole, once: the hard bound on what reading one may cost
MAX_CELL_CHARS = 256 * 2**10  # an answer cell longer than this costs the tests of that cell
MAX_METADATA_BYTES = 2**20  # a cell whose metadata is longer than this is no answer (it is not looked into)
MAX_DEPTH = 1000  # deeper brackets anywhere: not a notebook (Python's own parser would give up there too)
MAX_STEPS = 4_000_000  # brackets, long strings and cells stepped over one by one: a bound on a file's time
_MAX_SOURCE_BYTES = 16 * MAX_CELL_CHARS  # a source longer than this in JSON cannot be short enough once decoded
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
UNREADABLE = "your notebook could not be read"


class Unreadable(Exception):
    """The submission's file cannot be graded; the message says why in words a student can read."""


@dataclass(frozen=True)
class Answers:
    """A notebook's code answer cells by ``grade_id``, and what its reading found out."""

    cells: dict[str, str] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)  # grade_id -> why that cell cannot be graded
    unreadable: str = ""  # why no cell of the file can be graded ("" when they can), in the student's words
    sha256: str = ""  # of the file's bytes as read (of no bytes when none could be read)
    files: dict[str, bytes] = field(default_factory=dict)  # files handed in next to the notebook, by name
    file_problems: dict[str, str] = field(default_factory=dict)  # name -> why that file cannot be read

    def only(self, names: Collection[str], files: Collection[str] = ()) -> "Answers":
        """These answers reduced to the cells ``names`` and the files ``files`` (what one question's tests
        load)."""
        return replace(self, cells={k: v for k, v in self.cells.items() if k in names},
                       problems={k: v for k, v in self.problems.items() if k in names},
                       files={k: v for k, v in self.files.items() if k in files},
                       file_problems={k: v for k, v in self.file_problems.items() if k in files})

    def with_files(self, files: dict[str, bytes], problems: dict[str, str] | None = None) -> "Answers":
        return replace(self, files=dict(files), file_problems=dict(problems or {}))

    @property
    def files_sha256(self) -> str:
        """A digest of the files handed in with the notebook and of why any could not be read."""
        digest = hashlib.sha256()
        for name in sorted({*self.files, *self.file_problems}):
            digest.update(name.encode() + b"\0" + hashlib.sha256(self.files.get(name, b"")).digest() +
                          self.file_problems.get(name, "").encode() + b"\0")
        return digest.hexdigest()


def read_answers(path: Path, folder: Path | None = None, wanted: Collection[str] | None = None) -> Answers:
    """The answer cells of the notebook at ``path`` (of ``wanted`` only, if given), found from ``folder``
    (default: its parent) without following links. Every reason it cannot be graded is in the result."""
    try:
        with _folder_of(path, folder) as (directory, name):
            owner = os.fstat(directory)
            if os.geteuid() == 0 and owner.st_uid != 0:
                return _answers_from_json(_as_owner(owner.st_uid, owner.st_gid,
                                                    lambda: _answers_json(_load(directory, name, wanted))))
            return _load(directory, name, wanted)
    except Unreadable as exc:
        return Answers(unreadable=f"{UNREADABLE}: {exc}", sha256=EMPTY_SHA256)


def read_submission(path: Path, folder: Path | None = None, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of ``path`` (at most ``limit`` of them), found from ``folder`` (default: its parent) without
    following links."""
    with _folder_of(path, folder) as (directory, name):
        owner = os.fstat(directory)
        if os.geteuid() == 0 and owner.st_uid != 0:
            return _as_owner(owner.st_uid, owner.st_gid, lambda: _read(directory, name, limit))
        return _read(directory, name, limit)


def read_files(directory: Path, limits: dict[str, int], folder: Path) -> tuple[dict[str, bytes], dict[str, str]]:
    """The files ``limits`` names (name -> largest size in bytes) that ``directory`` holds, read like a notebook
    (from ``folder`` without following links), and why each one that is there could not be read. A file that is
    not there is in neither."""
    found, problems = {}, {}
    for name, limit in limits.items():
        path = directory / name
        if not (path.is_symlink() or path.exists()):
            continue
        try:
            found[name] = read_submission(path, folder, min(limit, MAX_FILE_BYTES))
        except Unreadable as exc:
            problems[name] = f"{name} could not be read: {exc}"
    return found, problems


@contextmanager
def _folder_of(path: Path, folder: Path | None) -> Iterator[tuple[int, str]]:
    """A descriptor of the folder holding ``path``, reached from ``folder`` (default: its parent) one part at a
    time without following links, and the file's name in it."""
    folder = folder if folder is not None else path.parent
    try:
        parts = path.relative_to(folder).parts
    except ValueError:
        raise Unreadable("the file is outside the submission's folder") from None
    if not parts:
        raise Unreadable("the submission is a folder, not a notebook")
    try:
        directory = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as exc:
        raise Unreadable(_why(exc, "folder")) from None
    try:
        for part in parts[:-1]:
            directory = _descend(directory, part)
        yield directory, parts[-1]
    finally:
        os.close(directory)


def _descend(directory: int, name: str) -> int:
    """The folder ``name`` in ``directory``, which is closed once the inner one is open."""
    try:
        inner = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=directory)
    except OSError as exc:
        raise Unreadable(_why(exc, "folder")) from None
    os.close(directory)
    return inner


def _why(exc: OSError, what: str) -> str:
    if exc.errno in (40, 20):  # ELOOP, ENOTDIR: a symbolic link where a file or folder should be
        return f"the {what} is a symbolic link, which is not followed"
    return f"the {what} could not be opened ({exc.strerror})"


def _read(directory: int, name: str, limit: int = MAX_FILE_BYTES) -> bytes:
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=directory)
    except OSError as exc:
        raise Unreadable(_why(exc, "file")) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise Unreadable("the file is not a regular file")
        if info.st_nlink != 1:
            raise Unreadable("the file is a hard link to another file, which is not read")
        if info.st_size > limit:
            raise Unreadable(f"the file is larger than {_size(limit)}")
        with os.fdopen(os.dup(fd), "rb", buffering=0) as stream:  # unbuffered: the bytes are not copied
            data = stream.read(info.st_size) if info.st_size else b""  # exactly its size: no copy
            if len(data) == info.st_size and stream.read(1):  # it grew while being read: not graded as it was
                raise Unreadable("the file changed while it was read")
    finally:
        os.close(fd)
    if len(data) > limit:
        raise Unreadable(f"the file is larger than {_size(limit)}")
    return data


def _size(limit: int) -> str:
    return f"{limit // 2**20} MB" if limit >= 2**20 else f"{limit:,} bytes"


def _load(directory: int, name: str, wanted: Collection[str] | None) -> Answers:
    data = _read(directory, name)
    digest = hashlib.sha256(data).hexdigest()
    try:
        return replace(parse_answers(data, wanted), sha256=digest)
    except Unreadable as exc:
        return Answers(unreadable=f"{UNREADABLE}: {exc}", sha256=digest)


def _answers_json(answers: Answers) -> bytes:
    return json.dumps({"cells": answers.cells, "problems": answers.problems, "unreadable": answers.unreadable,
                       "sha256": answers.sha256}).encode()


def _answers_from_json(data: bytes) -> Answers:
    fields = json.loads(data)
    return Answers(fields["cells"], fields["problems"], fields["unreadable"], fields["sha256"])


def _as_owner(uid: int, gid: int, work: Callable[[], bytes]) -> bytes:
    """``work()`` in a forked process that has the owner's user and group ids, not root's (the parse of a
    file happens there too, so the grader never holds what it did not need)."""
    data_read, data_write = os.pipe()
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            os.close(data_read)
            os.setgroups([])
            os.setresgid(gid, gid, gid)
            os.setresuid(uid, uid, uid)
            payload = b"ok:" + work()
        except Unreadable as exc:
            payload = b"no:" + str(exc).encode()
        except BaseException:  # noqa: BLE001 - nothing may escape into a copy of the grader
            payload, code = b"no:the file could not be read", 1
        with open(data_write, "wb") as pipe:
            pipe.write(payload)
        os._exit(code)
    os.close(data_write)
    with open(data_read, "rb") as pipe:
        payload = pipe.read()
    os.waitpid(pid, 0)
    if not payload.startswith(b"ok:"):
        raise Unreadable(payload[3:].decode("utf-8", "replace") or "the file could not be read")
    return payload[3:]


# ---------------------------------------------------------------------------------------- the notebook's JSON
# A walk over the bytes: the structure down to the list of cells is followed strictly; every other value is
# stepped over by its strings and brackets alone (a long string with ``bytes.find``, a run of short ones with
# one regular expression, both in C); a cell that names no nbgrader mark is not looked into, and only the values
# that decide an answer (a cell's type, metadata and source) are decoded, each with a bound on its length. The
# time a file costs is bounded by its size and by ``MAX_STEPS``, the steps taken one at a time in Python.

_SPACE = re.compile(rb"[ \t\n\r]*")
_BRACKET = re.compile(rb"[\[\]{}]")
_FILLER = re.compile(rb'(?:[^"\[\]{}]++|"[^"\\]*+(?:\\.[^"\\]*+)*+")*+', re.DOTALL)  # whole strings, no bracket
_WINDOW = 2**16  # how far one step of ``_FILLER`` may read (it reads a byte at a time; ``bytes.find`` is faster)
_SCALAR = re.compile(rb"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|true|false|null")
_CLOSING = {ord("["): ord("]"), ord("{"): ord("}")}
_QUOTE = ord('"')


class _Malformed(Exception):
    pass


class _TooMany(Exception):
    pass


class _Walk:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 3 if data.startswith(b"\xef\xbb\xbf") else 0  # a byte order mark, as some editors write
        self._quote = (0, data.find(b'"'))  # (searched from, the next quote there or -1): each byte searched once
        self.steps = 0

    def step(self) -> None:
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise _TooMany

    def next_quote(self, pos: int) -> int:
        searched, found = self._quote
        if pos < searched or (0 <= found < pos):
            self._quote = (pos, self.data.find(b'"', pos))
        return self._quote[1]

    def peek(self) -> int:
        """The next byte that is not white space (-1 at the end), which the walk is then at."""
        self.pos = _SPACE.match(self.data, self.pos).end()
        return self.data[self.pos] if self.pos < len(self.data) else -1

    def take(self, char: bytes) -> bool:
        if self.peek() != char[0]:
            return False
        self.pos += 1
        return True

    def expect(self, char: bytes) -> None:
        if not self.take(char):
            raise _Malformed

    def skip(self) -> tuple[int, int]:
        """Step over one value without building it; its span. Inside brackets only strings and brackets are
        checked: what a value holds is decoded, and checked, only where it is read."""
        first = self.peek()
        start = self.pos
        if first == _QUOTE:
            self._string()
        elif first in _CLOSING:
            self._brackets()
        else:
            found = _SCALAR.match(self.data, self.pos)
            if not found:
                raise _Malformed
            self.pos = found.end()
        return start, self.pos

    def _string(self) -> None:
        self.pos = self._string_end(self.pos)

    def _string_end(self, start: int) -> int:
        """Where the JSON string that opens at ``start`` ends (past its closing quote): the next quote that no
        backslash escapes, found with ``bytes.find`` and ``bytes.count`` (a run of backslashes before a quote is
        measured by doubling, so even a file of backslashes costs a few passes at memory speed)."""
        data, close = self.data, start
        while True:
            close = data.find(b'"', close + 1)
            if close < 0:
                raise _Malformed
            if data[close - 1] != 0x5C:  # data[start] is a quote, so this stays inside the string
                return close + 1
            self.step()
            low, high = 1, 2  # the run of backslashes before the quote is at least low long
            while close - high > start and data.count(b"\\", close - high, close) == high:
                low, high = high, high * 2
            high = min(high, close - start - 1)
            while low < high:  # the longest run that is all backslashes, between low and high
                middle = (low + high + 1) // 2
                if data.count(b"\\", close - middle, close) == middle:
                    low = middle
                else:
                    high = middle - 1
            if low % 2 == 0:
                return close + 1

    def _brackets(self) -> None:
        """Step over brackets and what they hold: a string found with ``bytes.find`` (memory speed, which is what
        a plot's base64 text needs), then the short strings after it (lines of printed text) in one regular
        expression, and brackets searched only between strings."""
        data, open_, pos = self.data, bytearray(), self.pos
        while True:
            quote = self.next_quote(pos)
            for found in _BRACKET.finditer(data, pos, quote if quote >= 0 else len(data)):
                self.step()
                char = data[found.start()]
                if char in _CLOSING:
                    open_.append(_CLOSING[char])
                    if len(open_) > MAX_DEPTH:
                        raise _Malformed
                elif not open_ or open_.pop() != char:
                    raise _Malformed
                if not open_:
                    self.pos = found.end()
                    return
            if quote < 0:
                raise _Malformed
            self.step()
            pos = self._string_end(quote)
            pos = _FILLER.match(data, pos, pos + _WINDOW).end()

    def members(self) -> Iterator[str]:
        """The keys of the object the walk is at, each yielded with the walk before its value, which the caller
        reads or skips. A key longer than 64 bytes is yielded as "" (no key a notebook uses is that long)."""
        self.expect(b"{")
        if self.take(b"}"):
            return
        while True:
            self.step()
            if self.peek() != _QUOTE:
                raise _Malformed
            start = self.pos
            self._string()
            key = self.data[start + 1:self.pos - 1]
            self.expect(b":")
            yield key.decode() if len(key) <= 64 and key.isascii() and b"\\" not in key else _key(key)
            if self.take(b"}"):
                return
            self.expect(b",")


def _key(key: bytes) -> str:
    """A key written with escapes (or not in ASCII): decoded if short, else "" (no notebook key is long)."""
    found = _small(b'"' + key + b'"', 64)
    return found if isinstance(found, str) else ""


def _small(data: bytes, limit: int) -> object:
    """The JSON value ``data`` if it is at most ``limit`` bytes long and valid, else None (callers slice only
    what is short enough: a slice is a copy)."""
    if len(data) > limit:
        return None
    try:
        return json.loads(data)
    except (ValueError, RecursionError):
        return None


def parse_answers(data: bytes | str, wanted: Collection[str] | None = None) -> Answers:
    """Code answer cells by ``grade_id`` (those in ``wanted`` only, if given), tolerant of anything that
    parses as a notebook's JSON; outputs and other cells are stepped over, never decoded."""
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    walk = _Walk(data)
    answers = None
    try:
        if walk.peek() != ord("{"):
            walk.skip()
        else:
            for key in walk.members():
                if key == "cells" and answers is None and walk.peek() == ord("["):
                    answers = _cells(walk, wanted)
                else:
                    walk.skip()
        if walk.peek() != -1:
            raise _Malformed
    except _Malformed:
        raise Unreadable("the file is not valid notebook JSON") from None
    except _TooMany:
        raise Unreadable(f"the file holds more than {MAX_STEPS:,} brackets and values, which is not read") from None
    if answers is None:
        raise Unreadable("the file holds no list of cells")
    return answers


def _cells(walk: _Walk, wanted: Collection[str] | None) -> Answers:
    """Each cell is stepped over first; one that names no nbgrader mark (and has no escape that could spell one)
    is no answer, a small one is decoded whole, and a large one (an answer with its plots) key by key, its
    outputs stepped over."""
    answers = Answers()
    walk.expect(b"[")
    if walk.take(b"]"):
        return answers
    while True:
        walk.step()
        is_object = walk.peek() == ord("{")
        start, end = walk.skip()
        if is_object and (walk.data.find(b"nbgrader", start, end) >= 0 or walk.data.find(b"\\u", start, end) >= 0):
            cell = _small(walk.data[start:end], MAX_METADATA_BYTES) if end - start <= MAX_METADATA_BYTES else None
            if not isinstance(cell, dict):
                cell = _cell_by_keys(walk, start, end)
            _answer(cell, wanted, answers)
        if walk.take(b"]"):
            return answers
        walk.expect(b",")


def _cell_by_keys(walk: _Walk, start: int, end: int) -> dict:
    """The cell object from ``start`` to ``end`` with its type and metadata decoded (if short enough) and its
    source left as ``_Span`` (decoded only if the cell is a wanted answer); every other value is stepped over."""
    data, cell = walk.data, {}
    walk.pos = start
    for key in walk.members():
        span = walk.skip()
        if key in ("cell_type", "metadata"):
            limit = 64 if key == "cell_type" else MAX_METADATA_BYTES
            cell[key] = _small(data[span[0]:span[1]], limit) if span[1] - span[0] <= limit else None
        elif key == "source":
            cell[key] = _Span(data, *span)
    walk.pos = end
    return cell


@dataclass(frozen=True)
class _Span:
    data: bytes
    start: int
    end: int


def _answer(cell: dict, wanted: Collection[str] | None, answers: Answers) -> None:
    """Add ``cell`` to ``answers`` if it is a code answer that is wanted (and not there yet)."""
    if not is_code_answer(cell):
        return
    name = grade_id(cell)
    if (wanted is not None and name not in wanted) or name in answers.cells or name in answers.problems:
        return
    text, problem = cell.get("source", ""), ""
    if isinstance(text, _Span):
        if text.end - text.start > _MAX_SOURCE_BYTES:
            problem = f"is longer than {MAX_CELL_CHARS // 1024} KB"
        else:
            try:
                text = json.loads(text.data[text.start:text.end])
            except UnicodeDecodeError:
                problem = "holds characters that are not valid Unicode"
            except (ValueError, RecursionError):
                problem = "is not valid notebook JSON"
    if not problem:
        text, problem = _source(text)
    if problem:
        answers.problems[name] = f"your answer cell {name[:60]} {problem}"
    else:
        answers.cells[name] = text


def _source(source: object) -> tuple[str, str]:
    """A cell's text, or why it has none that can be run."""
    if isinstance(source, list) and all(isinstance(line, str) for line in source):
        source = "".join(source)
    if not isinstance(source, str):
        return "", "does not hold text"
    if len(source) > MAX_CELL_CHARS:
        return "", f"is longer than {MAX_CELL_CHARS // 1024} KB"
    try:
        source.encode("utf-8")
    except UnicodeEncodeError:
        return "", "holds characters that are not valid Unicode"
    return source, ""
