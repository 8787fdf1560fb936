"""Hidden graders: one package per master notebook, named after the notebook.

The package's ``__init__`` is the spec: ``SETUP_CELLS`` (the master's locked cells
that every test runs first) and ``RULES`` (answer cell -> what it must not use).
Its modules hold the ``test_*`` functions decorated with ``autograder.kit.graded``,
one module per question (or a few related ones), collected in name order
(``q01_...``, ``q02_...``), and ``common`` what several of them use. Reference
values come from the master notebook at grading time; no solution code lives here.
"""
