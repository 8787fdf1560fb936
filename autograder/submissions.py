"""Reading what a student hands in: whatever the files hold, the result is answer cells or a reason.

``read_submission(path, folder)`` reads a submitted file without following a symbolic
link anywhere below ``folder`` (the folder the instructor named), refuses what is not a
plain file (a FIFO, a device, a hard link to someone else's file) or is larger than
``MAX_NOTEBOOK_BYTES``, and, when grading runs as root, opens the file with the rights of
the owner of the folder holding it, not the grader's. ``parse_answers(data)`` turns
the bytes into code answer cells by ``grade_id``; a cell that cannot be graded (not
text, too large, not valid Unicode) gets a reason instead, and so does a file that is
not a notebook at all.
"""
from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from autograder.notebook import grade_id, is_code_answer

MAX_NOTEBOOK_BYTES = 64 * 2**20
MAX_CELL_CHARS = 256 * 2**10


class Unreadable(Exception):
    """The submission's file cannot be graded; the message says why in words a student can read."""


@dataclass(frozen=True)
class Answers:
    cells: dict[str, str] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)  # grade_id -> why that cell cannot be graded


def read_submission(path: Path, folder: Path | None = None) -> bytes:
    """The bytes of ``path``, found from ``folder`` (default: its parent) without following links."""
    folder = folder if folder is not None else path.parent
    try:
        parts = path.relative_to(folder).parts
    except ValueError:
        raise Unreadable("the file is outside the submission's folder") from None
    if not parts:
        raise Unreadable("the submission is a folder, not a notebook")
    directory = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for part in parts[:-1]:
            directory = _descend(directory, part)
        owner = os.fstat(directory)
        if os.geteuid() == 0 and owner.st_uid != 0:
            return _read_as(owner.st_uid, owner.st_gid, directory, parts[-1])
        return _read(directory, parts[-1])
    finally:
        os.close(directory)


def _descend(directory: int, name: str) -> int:
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


def _read(directory: int, name: str) -> bytes:
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
        with os.fdopen(os.dup(fd), "rb") as stream:
            data = stream.read(MAX_NOTEBOOK_BYTES + 1)
    finally:
        os.close(fd)
    if len(data) > MAX_NOTEBOOK_BYTES:
        raise Unreadable(f"the file is larger than {MAX_NOTEBOOK_BYTES // 2**20} MB")
    return data


def _read_as(uid: int, gid: int, directory: int, name: str) -> bytes:
    """``_read`` in a forked process that has the owner's user and group ids, not root's."""
    data_read, data_write = os.pipe()
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            os.close(data_read)
            os.setgroups([])
            os.setresgid(gid, gid, gid)
            os.setresuid(uid, uid, uid)
            payload = b"ok:" + _read(directory, name)
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


def parse_answers(data: bytes | str) -> Answers:
    """Code answer cells by ``grade_id``, tolerant of anything that parses as a notebook's JSON."""
    try:
        document = json.loads(data)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise Unreadable("the file is not valid notebook JSON") from None
    cells = document.get("cells") if isinstance(document, dict) else None
    if not isinstance(cells, list):
        raise Unreadable("the file holds no list of cells")
    answers = Answers()
    for cell in cells:
        if not is_code_answer(cell):
            continue
        name = grade_id(cell)
        if name in answers.cells or name in answers.problems:
            continue
        source, problem = _source(cell.get("source", ""))
        if problem:
            answers.problems[name] = f"your answer cell {name[:60]} {problem}"
        else:
            answers.cells[name] = source
    return answers


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
