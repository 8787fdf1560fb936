"""Instructor-only side of the course: releasing, checking and grading assignments.

One subpackage per ``course`` command (``release``, ``check``); shared pieces
(assignment discovery, notebook scoring) live at the top level.
"""
