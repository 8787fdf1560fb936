"""Helpers that the course gives to students: data, gradient checks, plots.

Nothing here is a graded solution: every function is either infrastructure
(data generation, plotting, numerical checks) or code that no assignment asks
students to write.
"""
from course_utils.settings import QUICK, quick_or_full

__all__ = ["QUICK", "quick_or_full"]
