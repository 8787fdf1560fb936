"""Q1 fc_forward: bugs in the master's Q1_solution and a correct variant of it."""
from autograder.check.mutants import Alternative, Mutant

FC_OUT = "out = x.reshape(x.shape[0], -1) @ w + b"

MUTANTS = [
    Mutant("Q1_fc_forward", "forgets the bias", "Q1_solution", ((FC_OUT, "out = x.reshape(x.shape[0], -1) @ w"),)),
    Mutant("Q1_fc_forward", "flattens in Fortran order", "Q1_solution",
           ((FC_OUT, 'out = x.reshape(x.shape[0], -1, order="F") @ w + b'),)),
    Mutant("Q1_fc_forward", "reshapes x itself, so the cache holds the flattened input", "Q1_solution",
           ((FC_OUT, "x = x.reshape(x.shape[0], -1)\n    out = x @ w + b"),)),
]

ALTERNATIVES = [
    Alternative("fc_forward with np.dot and len(x)", "Q1_solution",
                ((FC_OUT, "out = np.dot(x.reshape(len(x), -1), w) + b"),)),
]
