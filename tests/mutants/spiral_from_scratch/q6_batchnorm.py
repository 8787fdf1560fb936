"""Q6 BatchNorm1D and MLP_BN: bugs in the master's Q6_solution and a correct variant of it."""
from autograder.check.mutants import Alternative, Mutant

BN_RUNNING_MEAN = "self.running_mean = self.momentum * self.running_mean + (1 - self.momentum) * mean"
BN_RUNNING_VAR = "self.running_var = self.momentum * self.running_var + (1 - self.momentum) * var"
BN_RETURN = "return inv_std * (dx_hat - dx_hat.mean(dim=0) - x_hat * (dx_hat * x_hat).mean(dim=0))"

MUTANTS = [
    Mutant("Q6_batchnorm", "unbiased batch variance", "Q6_solution",
           (("var = ((x - mean) ** 2).mean(dim=0)", "var = x.var(dim=0)"),)),
    Mutant("Q6_batchnorm", "running statistics with momentum the wrong way round", "Q6_solution",
           ((BN_RUNNING_MEAN, "self.running_mean = (1 - self.momentum) * self.running_mean + self.momentum * mean"),
            (BN_RUNNING_VAR, "self.running_var = (1 - self.momentum) * self.running_var + self.momentum * var"))),
    Mutant("Q6_batchnorm", "evaluation mode uses the batch statistics", "Q6_solution",
           (("if self.training:", "if True:"),)),
    Mutant("Q6_batchnorm", "momentum hard-coded as 0.9 instead of self.momentum", "Q6_solution",
           ((BN_RUNNING_MEAN, BN_RUNNING_MEAN.replace("self.momentum", "0.9")),
            (BN_RUNNING_VAR, BN_RUNNING_VAR.replace("self.momentum", "0.9")))),
    Mutant("Q6_batchnorm", "MLP_BN still uses InstanceNorm1D", "Q6_solution",
           (("    norm_layer = BatchNorm1D", "    pass"),)),
    Mutant("Q6_batchnorm", "running variance updated with the unbiased variance", "Q6_solution",
           ((BN_RUNNING_VAR,
             "self.running_var = self.momentum * self.running_var + (1 - self.momentum) * x.var(dim=0)"),)),
    Mutant("Q6_batchnorm", "dgamma and dbeta swapped", "Q6_solution",
           (("self.dbeta = da.sum(dim=0)", "self.dgamma = da.sum(dim=0)"),
            ("self.dgamma = (da * x_hat).sum(dim=0)", "self.dbeta = (da * x_hat).sum(dim=0)"))),
    Mutant("Q6_batchnorm", "backward missing the -x_hat * mean(g * x_hat) term", "Q6_solution",
           ((BN_RETURN, "return inv_std * (dx_hat - dx_hat.mean(dim=0))"),)),
    Mutant("Q6_batchnorm", "eps added outside the square root", "Q6_solution",
           (("inv_std = 1.0 / torch.sqrt(var + self.eps)", "inv_std = 1.0 / (torch.sqrt(var) + self.eps)"),)),
    Mutant("Q6_batchnorm", "running statistics also updated in evaluation mode", "Q6_solution",
           (("        if self.training:", ""),
            ("            mean = x.mean(dim=0)", "        mean = x.mean(dim=0)"),
            ("            var = ((x - mean) ** 2).mean(dim=0)", "        var = ((x - mean) ** 2).mean(dim=0)"),
            ("            " + BN_RUNNING_MEAN, "        " + BN_RUNNING_MEAN),
            ("            " + BN_RUNNING_VAR, "        " + BN_RUNNING_VAR),
            ("        else:", "        if not self.training:"))),
    Mutant("Q6_batchnorm", "batch statistics with keepdim=True: running statistics of shape (1, D)", "Q6_solution",
           (("mean = x.mean(dim=0)", "mean = x.mean(dim=0, keepdim=True)"),
            ("var = ((x - mean) ** 2).mean(dim=0)", "var = ((x - mean) ** 2).mean(dim=0, keepdim=True)")), once=True),
    Mutant("Q6_batchnorm", "dgamma and dbeta of shape (1, D) (keepdim=True)", "Q6_solution",
           (("self.dbeta = da.sum(dim=0)", "self.dbeta = da.sum(dim=0, keepdim=True)"),
            ("self.dgamma = (da * x_hat).sum(dim=0)", "self.dgamma = (da * x_hat).sum(dim=0, keepdim=True)")),
           once=True),
]

ALTERNATIVES = [
    Alternative("batch norm backward as the long chain rule, variance via x.var(unbiased=False)", "Q6_solution",
                (("var = ((x - mean) ** 2).mean(dim=0)", "var = x.var(dim=0, unbiased=False)"),
                 ("self._cache = (x_hat, inv_std)", "self._cache = (x_hat, inv_std, x - mean)"),
                 ("x_hat, inv_std = self._cache", "x_hat, inv_std, centred = self._cache\n        B = da.shape[0]"),
                 (BN_RETURN,
                  "dvar = (dx_hat * centred).sum(dim=0) * -0.5 * inv_std ** 3\n"
                  "        dmean = -(dx_hat * inv_std).sum(dim=0) - 2.0 * dvar * centred.mean(dim=0)\n"
                  "        return dx_hat * inv_std + dvar * 2.0 * centred / B + dmean / B"))),
]
