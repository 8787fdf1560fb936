"""Q3 SoftmaxCrossEntropy: bugs in the master's Q3_solution and correct variants of it."""
from autograder.check.mutants import Alternative, Mutant

CE_LOG_PROBS = "log_probs = shifted - torch.log(torch.exp(shifted).sum(dim=1, keepdim=True))"
CE_LOSS = "return -log_probs[torch.arange(z.shape[0]), y].mean()"
CE_ONE_HOT = "dz[torch.arange(len(y)), y] -= 1.0"

MUTANTS = [
    Mutant("Q3_forward", "no max-shift before exponentiating", "Q3_solution",
           (("shifted = z - z.max(dim=1, keepdim=True).values", "shifted = z"),)),
    Mutant("Q3_forward", "loss summed instead of averaged over the batch", "Q3_solution",
           ((CE_LOSS, "return -log_probs[torch.arange(z.shape[0]), y].sum()"),)),
    Mutant("Q3_forward", "log-probabilities indexed with [:, y]", "Q3_solution",
           ((CE_LOSS, "return -log_probs[:, y].mean()"),)),
    Mutant("Q3_forward", "max subtracted over the batch axis", "Q3_solution",
           (("shifted = z - z.max(dim=1, keepdim=True).values", "shifted = z - z.max(dim=0, keepdim=True).values"),),
           once=True),
    Mutant("Q3_forward", "max-shifted softmax, then the log of it (log 0 for tiny probabilities)", "Q3_solution",
           ((CE_LOG_PROBS,
             "log_probs = torch.log(torch.exp(shifted) / torch.exp(shifted).sum(dim=1, keepdim=True))"),)),
    Mutant("Q3_backward", "missing 1/B in the gradient", "Q3_solution",
           (("return dz / len(y)", "return dz"),)),
    Mutant("Q3_backward", "one-hot target not subtracted", "Q3_solution",
           (("        " + CE_ONE_HOT, ""),)),
    Mutant("Q3_backward", "one-hot subtracted with dz[:, y]", "Q3_solution",
           ((CE_ONE_HOT, "dz[:, y] -= 1.0"),)),
    Mutant("Q3_backward", "backward recomputes an unshifted softmax from the cached logits", "Q3_solution",
           (("self._cache = (torch.exp(log_probs), y)", "self._cache = (z, y)"),
            ("probs, y = self._cache",
             "z, y = self._cache\n        probs = torch.exp(z) / torch.exp(z).sum(dim=1, keepdim=True)"))),
    Mutant("Q3_backward", "gradient divided by the number of classes", "Q3_solution",
           (("return dz / len(y)", "return dz / probs.shape[1]"),)),
]

ALTERNATIVES = [
    Alternative("log-sum-exp via torch.logsumexp", "Q3_solution",
                ((CE_LOG_PROBS, "log_probs = z - torch.logsumexp(z, dim=1, keepdim=True)"),)),
    Alternative("cross-entropy with loops over the rows", "Q3_solution",
                ((CE_LOSS,
                  "total = 0.0\n"
                  "        for b in range(z.shape[0]):\n"
                  "            total = total - log_probs[b, y[b]]\n"
                  "        return total / z.shape[0]"),
                 (CE_ONE_HOT, "for b in range(len(y)):\n            dz[b, y[b]] = dz[b, y[b]] - 1.0"))),
]
