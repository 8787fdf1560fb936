"""Q2 fc_backward: bugs in the master's Q2_solution and a correct variant of it."""
from autograder.check.mutants import Alternative, Mutant

FC_DX = "dx = (dout @ w.T).reshape(x.shape)"
FC_DW = "dw = x.reshape(x.shape[0], -1).T @ dout"
FC_DB = "db = dout.sum(axis=0)"

MUTANTS = [
    Mutant("Q2_fc_backward", "dx keeps the flattened shape", "Q2_solution", ((FC_DX, "dx = dout @ w.T"),)),
    Mutant("Q2_fc_backward", "db averages over the batch", "Q2_solution", ((FC_DB, "db = dout.mean(axis=0)"),)),
    Mutant("Q2_fc_backward", "dw computed transposed", "Q2_solution",
           ((FC_DW, "dw = dout.T @ x.reshape(x.shape[0], -1)"),)),
    Mutant("Q2_fc_backward", "dx reshaped in Fortran order", "Q2_solution",
           ((FC_DX, 'dx = (dout @ w.T).reshape(x.shape, order="F")'),)),
]

ALTERNATIVES = [
    Alternative("fc_backward with einsum", "Q2_solution",
                ((FC_DW, 'dw = np.einsum("nd,nm->dm", x.reshape(len(x), -1), dout)'),
                 (FC_DB, "db = np.ones(dout.shape[0]) @ dout"))),
]
