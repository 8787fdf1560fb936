"""Q6 layernorm_forward and layernorm_backward: bugs in the master's Q6_solution and correct variants of it."""
from autograder.check.mutants import Alternative, Mutant

MEAN = "row_mean = x.mean(axis=1, keepdims=True)"
VAR = "row_var = x.var(axis=1, keepdims=True)"
DX = "dx = row_inv_std * (dx_hat - row_term - x_hat * proj_term)"

MUTANTS = [
    Mutant("Q6_forward", "statistics over the batch instead of per example", "Q6_solution",
           ((MEAN, "row_mean = x.mean(axis=0, keepdims=True)"), (VAR, "row_var = x.var(axis=0, keepdims=True)")),
           once=True),
    Mutant("Q6_forward", "unbiased variance", "Q6_solution",
           ((VAR, "row_var = x.var(axis=1, keepdims=True, ddof=1)"),), once=True),
    Mutant("Q6_forward", "eps added outside the square root", "Q6_solution",
           (("row_inv_std = 1.0 / np.sqrt(row_var + eps)", "row_inv_std = 1.0 / (np.sqrt(row_var) + eps)"),),
           once=True),
    Mutant("Q6_forward", "eps of ln_param ignored", "Q6_solution",
           (('eps = ln_param.get("eps", 1e-5)', "eps = 1e-5"),)),
    Mutant("Q6_backward", "dgamma summed over the features", "Q6_solution",
           (("dgamma = (dout * x_hat).sum(axis=0)", "dgamma = (dout * x_hat).sum(axis=1)"),)),
    Mutant("Q6_backward", "dx without the x_hat term", "Q6_solution",
           ((DX, "dx = row_inv_std * (dx_hat - row_term)"),)),
    Mutant("Q6_backward", "backward means over the batch", "Q6_solution",
           (("row_term = dx_hat.mean(axis=1, keepdims=True)", "row_term = dx_hat.mean(axis=0, keepdims=True)"),
            ("proj_term = (dx_hat * x_hat).mean(axis=1, keepdims=True)",
             "proj_term = (dx_hat * x_hat).mean(axis=0, keepdims=True)"))),
    Mutant("Q6_backward", "dgamma and dbeta swapped", "Q6_solution",
           (("dbeta = dout.sum(axis=0)", "dgamma = dout.sum(axis=0)"),
            ("dgamma = (dout * x_hat).sum(axis=0)", "dbeta = (dout * x_hat).sum(axis=0)"))),
    Mutant("Q6_backward", "gamma forgotten in the backward pass", "Q6_solution",
           (("dx_hat = dout * gamma", "dx_hat = dout"),)),
    Mutant("Q6_backward", "dgamma and dbeta of shape (1, D) (keepdims=True)", "Q6_solution",
           (("dbeta = dout.sum(axis=0)", "dbeta = dout.sum(axis=0, keepdims=True)"),
            ("dgamma = (dout * x_hat).sum(axis=0)", "dgamma = (dout * x_hat).sum(axis=0, keepdims=True)")),
           once=True),
]

ALTERNATIVES = [
    Alternative("variance as a mean of squares, backward with sums over D", "Q6_solution",
                ((VAR, "row_var = np.mean((x - row_mean) ** 2, axis=1, keepdims=True)"),
                 (DX, "D = x_hat.shape[1]\n    dx = row_inv_std / D * (D * dx_hat - dx_hat.sum(axis=1, keepdims=True)"
                      " - x_hat * np.sum(dx_hat * x_hat, axis=1, keepdims=True))"))),
]
