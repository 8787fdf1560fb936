"""Q1 batchnorm_forward, batchnorm_backward, batchnorm_backward_alt: bugs in the master's Q1_solution and correct
variants of it."""
from autograder.check.mutants import Alternative, Mutant

VAR = "sample_var = x.var(axis=0)"
RUN_MEAN = "running_mean = momentum * running_mean + (1 - momentum) * sample_mean"
RUN_VAR = "running_var = momentum * running_var + (1 - momentum) * sample_var"
INV_STD = "inv_std = 1.0 / np.sqrt(sample_var + eps)"
TEST_INV_STD = "test_inv_std = 1.0 / np.sqrt(running_var + eps)"
DGAMMA = "dgamma = (dout * x_hat).sum(axis=0)"
ALT_DX = "dx = inv_std * (g - g.mean(axis=0) - x_hat * (g * x_hat).mean(axis=0))"

MUTANTS = [
    # forward
    Mutant("Q1_forward", "unbiased batch variance", "Q1_solution", ((VAR, "sample_var = x.var(axis=0, ddof=1)"),),
           once=True),
    Mutant("Q1_forward", "eps added outside the square root", "Q1_solution",
           ((INV_STD, "inv_std = 1.0 / (np.sqrt(sample_var) + eps)"),), once=True),
    Mutant("Q1_forward", "momentum the wrong way round", "Q1_solution",
           ((RUN_MEAN, "running_mean = (1 - momentum) * running_mean + momentum * sample_mean"),
            (RUN_VAR, "running_var = (1 - momentum) * running_var + momentum * sample_var"))),
    Mutant("Q1_forward", "running statistics also updated in test mode", "Q1_solution",
           ((TEST_INV_STD, "running_mean = momentum * running_mean + (1 - momentum) * x.mean(axis=0)\n"
                           "        running_var = momentum * running_var + (1 - momentum) * x.var(axis=0)\n"
                           "        " + TEST_INV_STD),)),
    Mutant("Q1_forward", "test mode normalizes with the batch statistics", "Q1_solution",
           ((TEST_INV_STD, "test_inv_std = 1.0 / np.sqrt(x.var(axis=0) + eps)"),
            ("test_x_hat = (x - running_mean) * test_inv_std", "test_x_hat = (x - x.mean(axis=0)) * test_inv_std"))),
    Mutant("Q1_forward", "missing running variance starts at ones", "Q1_solution",
           (('running_var = bn_param.get("running_var", np.zeros(D, dtype=x.dtype))',
             'running_var = bn_param.get("running_var", np.ones(D, dtype=x.dtype))'),)),
    Mutant("Q1_forward", "running statistics never written back into bn_param", "Q1_solution",
           (('    bn_param["running_mean"] = running_mean', ""), ('    bn_param["running_var"] = running_var', ""))),
    Mutant("Q1_forward", "momentum fixed at 0.9, bn_param's ignored", "Q1_solution",
           (('momentum = bn_param.get("momentum", 0.9)', "momentum = 0.9"),)),
    Mutant("Q1_forward", "eps of bn_param ignored", "Q1_solution",
           (('eps = bn_param.get("eps", 1e-5)', "eps = 1e-5"),)),
    Mutant("Q1_forward", "batch statistics with keepdims=True: running statistics of shape (1, D)", "Q1_solution",
           (("sample_mean = x.mean(axis=0)", "sample_mean = x.mean(axis=0, keepdims=True)"),
            (VAR, "sample_var = x.var(axis=0, keepdims=True)")), once=True),
    # backward (graph)
    Mutant("Q1_backward", "dgamma summed over the features", "Q1_solution",
           ((DGAMMA, "dgamma = (dout * x_hat).sum(axis=1)"),)),
    Mutant("Q1_backward", "no gradient through the variance", "Q1_solution",
           (("dcentred = dx_hat * inv_std + dvar * 2.0 * centred / N", "dcentred = dx_hat * inv_std"),)),
    Mutant("Q1_backward", "no gradient through the mean", "Q1_solution",
           (("dx = dcentred + dmean / N", "dx = dcentred"),)),
    Mutant("Q1_backward", "variance gradient with N - 1", "Q1_solution",
           (("dcentred = dx_hat * inv_std + dvar * 2.0 * centred / N",
             "dcentred = dx_hat * inv_std + dvar * 2.0 * centred / (N - 1)"),)),
    Mutant("Q1_backward", "gamma forgotten in the backward pass", "Q1_solution",
           (("dx_hat = dout * gamma", "dx_hat = dout"),)),
    Mutant("Q1_backward", "dbeta averaged over the batch", "Q1_solution",
           (("dbeta = dout.sum(axis=0)", "dbeta = dout.mean(axis=0)"),)),
    Mutant("Q1_backward", "dgamma and dbeta of shape (1, D) (keepdims=True)", "Q1_solution",
           ((DGAMMA, "dgamma = (dout * x_hat).sum(axis=0, keepdims=True)"),
            ("dbeta = dout.sum(axis=0)", "dbeta = dout.sum(axis=0, keepdims=True)")), once=True),
    # backward (simplified)
    Mutant("Q1_backward_alt", "simplified dx without the x_hat term", "Q1_solution",
           ((ALT_DX, "dx = inv_std * (g - g.mean(axis=0))"),)),
    Mutant("Q1_backward_alt", "simplified dx with sums instead of means", "Q1_solution",
           ((ALT_DX, "dx = inv_std * (g - g.sum(axis=0) - x_hat * (g * x_hat).sum(axis=0))"),)),
    Mutant("Q1_backward_alt", "simplified dx without gamma", "Q1_solution",
           (("g = dout * gamma", "g = dout"),)),
    Mutant("Q1_backward_alt", "simplified dgamma and dbeta swapped", "Q1_solution",
           (("dbeta = np.sum(dout, axis=0)", "dgamma = np.sum(dout, axis=0)"),
            ("dgamma = np.sum(dout * x_hat, axis=0)", "dbeta = np.sum(dout * x_hat, axis=0)"))),
    Mutant("Q1_backward_alt", "simplified dgamma and dbeta of shape (1, D) (keepdims=True)", "Q1_solution",
           (("dbeta = np.sum(dout, axis=0)", "dbeta = np.sum(dout, axis=0, keepdims=True)"),
            ("dgamma = np.sum(dout * x_hat, axis=0)", "dgamma = np.sum(dout * x_hat, axis=0, keepdims=True)")),
           once=True),
]

ALTERNATIVES = [
    Alternative("batch statistics with np.mean and explicit squares, alt with sums over N", "Q1_solution",
                ((VAR, "sample_var = np.mean((x - sample_mean) ** 2, axis=0)"),
                 (ALT_DX, "N = x.shape[0]\n"
                          "    dx = (inv_std / N) * (N * g - g.sum(axis=0) - x_hat * np.sum(g * x_hat, axis=0))"))),
    Alternative("the name copy bound to copy.copy (the graders keep bn_param dicts without the child's modules)",
                "Q1_solution", (("def batchnorm_forward(", "from copy import copy\n\n\ndef batchnorm_forward("),)),
]
