"""Q1 InstanceNorm1D: bugs in the master's Q1_solution and correct variants of it."""
from autograder.check.mutants import Alternative, Mutant

IN_CENTRED = "centred = z - z.mean(dim=1, keepdim=True)"
IN_INV_STD = "inv_std = 1.0 / torch.sqrt((centred * centred).mean(dim=1, keepdim=True) + self.eps)"
IN_DBETA = "self.dbeta = da.sum(dim=0)"
IN_DGAMMA = "self.dgamma = (da * z_hat).sum(dim=0)"
IN_RETURN = "return inv_std * (dz_hat - dz_hat.mean(dim=1, keepdim=True)"
IN_RETURN_TAIL = "                          - z_hat * (dz_hat * z_hat).mean(dim=1, keepdim=True))"

MUTANTS = [
    Mutant("Q1_forward", "unbiased variance", "Q1_solution",
           (("(centred * centred).mean(dim=1, keepdim=True)",
             "(centred * centred).sum(dim=1, keepdim=True) / (z.shape[1] - 1)"),), once=True),
    Mutant("Q1_forward", "statistics over the batch axis", "Q1_solution",
           (("centred = z - z.mean(dim=1, keepdim=True)", "centred = z - z.mean(dim=0, keepdim=True)"),
            ("(centred * centred).mean(dim=1, keepdim=True)", "(centred * centred).mean(dim=0, keepdim=True)")),
           once=True),
    Mutant("Q1_forward", "eps added outside the square root", "Q1_solution",
           ((IN_INV_STD,
             "inv_std = 1.0 / (torch.sqrt((centred * centred).mean(dim=1, keepdim=True)) + self.eps)"),), once=True),
    Mutant("Q1_forward", "gamma and beta swapped in the affine step", "Q1_solution",
           (("return self.gamma * z_hat + self.beta", "return self.beta * z_hat + self.gamma"),), once=True),
    Mutant("Q1_forward", "computes in float64 and forgets to cast back", "Q1_solution",
           (("centred = z - z.mean(dim=1, keepdim=True)",
             "z = z.double()\n        centred = z - z.mean(dim=1, keepdim=True)"),
            ("return self.gamma * z_hat + self.beta", "return self.gamma.double() * z_hat + self.beta.double()"))),
    Mutant("Q1_forward", "eps hard-coded as 1e-5 instead of self.eps", "Q1_solution",
           ((IN_INV_STD, IN_INV_STD.replace("self.eps", "1e-5")),)),
    Mutant("Q1_backward", "missing the -z_hat * mean(g * z_hat) term", "Q1_solution",
           ((IN_RETURN, IN_RETURN + ")"), (IN_RETURN_TAIL, ""))),
    Mutant("Q1_backward", "dgamma and dbeta swapped", "Q1_solution",
           ((IN_DBETA, "self.dgamma = da.sum(dim=0)"), (IN_DGAMMA, "self.dbeta = (da * z_hat).sum(dim=0)"))),
    Mutant("Q1_backward", "upstream gradient not multiplied by gamma", "Q1_solution",
           (("dz_hat = da * self.gamma", "dz_hat = da"),)),
    Mutant("Q1_backward", "backward means taken over the batch axis", "Q1_solution",
           ((IN_RETURN, IN_RETURN.replace("dim=1", "dim=0")),
            (IN_RETURN_TAIL, IN_RETURN_TAIL.replace("dim=1", "dim=0")))),
    Mutant("Q1_backward", "the gradient's mean taken over D - 1 (a 1/D-sized slip)", "Q1_solution",
           ((IN_RETURN, "return inv_std * (dz_hat - dz_hat.sum(dim=1, keepdim=True) / (z_hat.shape[1] - 1)"),),
           once=True),
    Mutant("Q1_backward", "parameter gradients averaged instead of summed over the batch", "Q1_solution",
           ((IN_DBETA, IN_DBETA.replace("sum", "mean")), (IN_DGAMMA, IN_DGAMMA.replace("sum", "mean")))),
    Mutant("Q1_backward", "dgamma and dbeta of shape (1, D) (keepdim=True)", "Q1_solution",
           ((IN_DBETA, "self.dbeta = da.sum(dim=0, keepdim=True)"),
            (IN_DGAMMA, "self.dgamma = (da * z_hat).sum(dim=0, keepdim=True)")), once=True),
]

ALTERNATIVES = [
    Alternative("extra prints in forward", "Q1_solution",
                ((IN_CENTRED, "print('normalizing', tuple(z.shape))\n        " + IN_CENTRED),)),
    Alternative("instance norm computed in float64 and cast back", "Q1_solution",
                ((IN_CENTRED, "z64 = z.to(torch.float64)\n        centred = z64 - z64.mean(dim=1, keepdim=True)"),
                 ("return self.gamma * z_hat + self.beta",
                  "return (self.gamma.to(torch.float64) * z_hat + self.beta.to(torch.float64)).to(z.dtype)"),
                 ("z_hat, inv_std = self._cache",
                  "z_hat, inv_std = self._cache\n"
                  "        out_dtype = da.dtype\n"
                  "        da = da.to(torch.float64)"),
                 (IN_DBETA, IN_DBETA + ".to(self.beta.dtype)"),
                 (IN_DGAMMA, IN_DGAMMA + ".to(self.gamma.dtype)"),
                 ("dz_hat = da * self.gamma", "dz_hat = da * self.gamma.to(torch.float64)"),
                 (IN_RETURN, IN_RETURN.replace("return inv_std", "return (inv_std")),
                 (IN_RETURN_TAIL, IN_RETURN_TAIL + ").to(out_dtype)"))),
    Alternative("instance norm backward as the long chain rule through mean and variance", "Q1_solution",
                ((IN_RETURN,
                  "D = z_hat.shape[1]\n"
                  "        centred = z_hat / inv_std\n"
                  "        dvar = (dz_hat * centred).sum(dim=1, keepdim=True) * -0.5 * inv_std ** 3\n"
                  "        dmean = (-(dz_hat * inv_std).sum(dim=1, keepdim=True)\n"
                  "                 - 2.0 * dvar * centred.mean(dim=1, keepdim=True))"),
                 (IN_RETURN_TAIL, "        return dz_hat * inv_std + dvar * 2.0 * centred / D + dmean / D"))),
    Alternative("instance norm forward with a loop over the rows", "Q1_solution",
                ((IN_CENTRED,
                  "centred = torch.empty_like(z)\n"
                  "        inv_std = torch.empty(z.shape[0], 1, dtype=z.dtype, device=z.device)"),
                 (IN_INV_STD,
                  "for b in range(z.shape[0]):\n"
                  "            row = z[b]\n"
                  "            mu = row.sum() / row.numel()\n"
                  "            centred[b] = row - mu\n"
                  "            inv_std[b, 0] = 1.0 / torch.sqrt(((row - mu) ** 2).sum() / row.numel() + self.eps)"))),
]
