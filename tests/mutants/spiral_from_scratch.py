"""Realistic bugs and correct variants of the spiral master's answer cells (see autograder/check/mutants.py)."""
from autograder.check.mutants import Alternative, Mutant

MUTANTS = [
    Mutant("Q1_forward", "unbiased variance", "Q1_solution",
           (("(centred * centred).mean(dim=1, keepdim=True)",
             "(centred * centred).sum(dim=1, keepdim=True) / (z.shape[1] - 1)"),)),
    Mutant("Q1_forward", "statistics over the batch axis", "Q1_solution",
           (("centred = z - z.mean(dim=1, keepdim=True)", "centred = z - z.mean(dim=0, keepdim=True)"),
            ("(centred * centred).mean(dim=1, keepdim=True)", "(centred * centred).mean(dim=0, keepdim=True)"))),
    Mutant("Q1_backward", "missing the -z_hat * mean(g * z_hat) term", "Q1_solution",
           (("\n                          - z_hat * (dz_hat * z_hat).mean(dim=1, keepdim=True))", ")"),)),
]

ALTERNATIVES = [
    Alternative("extra prints in forward", "Q1_solution",
                (("        centred = z - z.mean(dim=1, keepdim=True)\n",
                  "        print('normalizing', tuple(z.shape))\n        centred = z - z.mean(dim=1, keepdim=True)\n"),)),
]
