"""Q5 softmax_loss: bugs in the master's Q5_solution and a correct variant of it."""
from autograder.check.mutants import Alternative, Mutant

SHIFT = "shifted = x - x.max(axis=1, keepdims=True)"
LOG_PROBS = "log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))"
ONEHOT = "dx[np.arange(n), y] -= 1"

MUTANTS = [
    Mutant("Q5_softmax_loss", "no max subtraction", "Q5_solution", ((SHIFT, "shifted = x"),)),
    Mutant("Q5_softmax_loss", "takes the log of a softmax that underflows", "Q5_solution",
           ((LOG_PROBS, "log_probs = np.log(np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True))"),)),
    Mutant("Q5_softmax_loss", "gradient not divided by N", "Q5_solution", (("    dx /= n", ""),)),
    Mutant("Q5_softmax_loss", "subtracts one from whole columns", "Q5_solution", ((ONEHOT, "dx[:, y] -= 1"),)),
    Mutant("Q5_softmax_loss", "sums instead of averaging the loss", "Q5_solution",
           (("loss = -log_probs[np.arange(n), y].mean()", "loss = -log_probs[np.arange(n), y].sum()"),)),
]

ALTERNATIVES = [
    Alternative("softmax_loss with a one-hot matrix and logsumexp", "Q5_solution",
                ((LOG_PROBS, "log_probs = x - (x.max(axis=1, keepdims=True) + "
                             "np.log(np.exp(shifted).sum(axis=1, keepdims=True)))"),
                 (ONEHOT, "dx -= np.eye(x.shape[1])[y]"))),
]
