"""``course export``: the course packed for the platforms where courses grade.

``bundle`` writes a Gradescope autograder (``course export gradescope``); ``run_autograder`` is what that
bundle runs for each submission; ``classroom`` turns its results into what GitHub Classroom reads.
"""
