"""Q5 spatial group normalization: bugs in the master's cells and correct variants of them."""
from autograder.check.mutants import Alternative, Mutant

F = B = "Q5_solution"
MEAN = "mean = groups.mean(axis=2, keepdims=True)"
VAR = "var = groups.var(axis=2, keepdims=True)"
DGAMMA = "dgamma = (dout * x_hat).sum(axis=(0, 2, 3), keepdims=True)"
DBETA = "dbeta = dout.sum(axis=(0, 2, 3), keepdims=True)"
FIRST = "dx_groups = inv_std * (dx_hat - dx_hat.mean(axis=2, keepdims=True)"

MUTANTS = [
    Mutant("Q5_spatial_groupnorm_forward", "G ignored: one group (layer norm)", F,
           (("groups = x.reshape(N, G, -1)", "groups = x.reshape(N, 1, -1)"),), once=True),
    Mutant("Q5_spatial_groupnorm_forward", "statistics over the batch as well", F,
           ((MEAN, MEAN.replace("axis=2", "axis=(0, 2)")), (VAR, VAR.replace("axis=2", "axis=(0, 2)"))), once=True),
    Mutant("Q5_spatial_groupnorm_forward", "unbiased variance", F, ((VAR, VAR.replace("axis=2,", "axis=2, ddof=1,")),),
           once=True),
    Mutant("Q5_spatial_groupnorm_forward", "eps of gn_param ignored", F,
           (("inv_std = 1.0 / np.sqrt(var + eps)", "inv_std = 1.0 / np.sqrt(var + 1e-5)"),)),
    Mutant("Q5_spatial_groupnorm_forward", "scale and shift per group instead of per channel", F,
           (("out = gamma * x_hat + beta",
             "out = gamma.reshape(G, -1).mean(axis=1).repeat(C // G).reshape(1, C, 1, 1) * x_hat + beta"),)),
    Mutant("Q5_spatial_groupnorm_backward", "dbeta summed over H and W only", B,
           ((DBETA, DBETA.replace("axis=(0, 2, 3)", "axis=(2, 3)")),)),
    Mutant("Q5_spatial_groupnorm_backward", "dgamma of shape (C,)", B, ((DGAMMA, DGAMMA.replace(", keepdims=True", "")),)),
    Mutant("Q5_spatial_groupnorm_backward", "backward without the mean of dx_hat", B,
           ((FIRST, "dx_groups = inv_std * (dx_hat"),)),
    Mutant("Q5_spatial_groupnorm_backward", "backward over the channels instead of the groups", B,
           (("dx_hat = (dout * gamma).reshape(N, G, -1)", "dx_hat = (dout * gamma).reshape(N, 1, -1)"),
            ("x_hat_groups = x_hat.reshape(N, G, -1)", "x_hat_groups = x_hat.reshape(N, 1, -1)"))),
]

ALTERNATIVES = [
    Alternative("group norm forward through a (N, G, C // G, H, W) view", F,
                (("groups = x.reshape(N, G, -1)", "groups = x.reshape(N, G, C // G, H, W).reshape(N, G, -1)"),
                 ("x_hat = ((groups - mean) * inv_std).reshape(N, C, H, W)",
                  "x_hat = ((groups - mean) / np.sqrt(var + eps)).reshape(N, C, H, W)"))),
    Alternative("group norm backward with sums instead of means", B,
                ((FIRST, "M = x_hat_groups.shape[2]\n    dx_groups = inv_std / M * (M * dx_hat - "
                         "dx_hat.sum(axis=2, keepdims=True)"),
                 ("- x_hat_groups * (dx_hat * x_hat_groups).mean(axis=2, keepdims=True))",
                  "- x_hat_groups * (dx_hat * x_hat_groups).sum(axis=2, keepdims=True))"))),
]
