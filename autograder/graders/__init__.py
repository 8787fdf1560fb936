"""Hidden graders: one module per master notebook, named after the notebook.

Each module defines ``SETUP_CELLS`` (the master's locked cells that every test
runs first), ``RULES`` (answer cell -> forbidden APIs) and ``test_*``
functions decorated with ``autograder.kit.graded``. Reference values come from
the master notebook at grading time; no solution code lives here.
"""
