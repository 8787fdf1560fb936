"""Instructor-only side of the course: releasing, checking and grading assignments.

One subpackage per ``course`` command (``release``, ``check``, ``grade``); the
engine they share: ``assignments`` (finding notebooks and graded cells),
``sandbox`` (confined child processes), ``kit`` (checks hidden graders use),
``engine`` (running a grader on a submission), ``workers`` (grading in
parallel), ``results`` (Gradescope JSON, CSV, feedback) and ``graders`` (one
hidden-grader module per notebook).
"""
