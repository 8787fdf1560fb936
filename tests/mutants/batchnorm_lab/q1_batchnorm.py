"""Q1 batchnorm: bugs in the master's Q1_solution and correct variants of it."""
from autograder.check.mutants import Alternative, Mutant

MEAN = "mean = inputs.mean(dim=0)"
VAR = "var = inputs.var(dim=0)"
RUN_MEAN = 'stats_dict["running_mean"] = momentum * mean + (1 - momentum) * stats_dict["running_mean"]'
RUN_VAR = 'stats_dict["running_var"] = momentum * var + (1 - momentum) * stats_dict["running_var"]'
EVAL = 'mean, var = stats_dict["running_mean"], stats_dict["running_var"]'
OUT = "return gamma * (inputs - mean) / torch.sqrt(var + eps) + beta"

MUTANTS = [
    Mutant("Q1_batchnorm", "biased variance", "Q1_solution", ((VAR, "var = inputs.var(dim=0, unbiased=False)"),)),
    Mutant("Q1_batchnorm", "momentum the wrong way round (0.9 on the batch)", "Q1_solution",
           ((RUN_MEAN, 'stats_dict["running_mean"] = (1 - momentum) * mean + momentum * stats_dict["running_mean"]'),
            (RUN_VAR, 'stats_dict["running_var"] = (1 - momentum) * var + momentum * stats_dict["running_var"]'))),
    Mutant("Q1_batchnorm", "eps added outside the square root", "Q1_solution",
           ((OUT, "return gamma * (inputs - mean) / (torch.sqrt(var) + eps) + beta"),)),
    Mutant("Q1_batchnorm", "statistics over the features of each example (the wrong axis)", "Q1_solution",
           ((MEAN, "mean = inputs.mean(dim=1, keepdim=True)"), (VAR, "var = inputs.var(dim=1, keepdim=True)"))),
    Mutant("Q1_batchnorm", "a new dict bound to the local name: the caller's dict is never updated", "Q1_solution",
           ((RUN_MEAN, 'stats_dict = {"running_mean": momentum * mean + (1 - momentum) * stats_dict["running_mean"],'),
            (RUN_VAR, '              "running_var": momentum * var + (1 - momentum) * stats_dict["running_var"]}'))),
    Mutant("Q1_batchnorm", "running statistics also updated in evaluation mode", "Q1_solution",
           ((EVAL, EVAL + '\n        stats_dict["running_mean"] = momentum * inputs.mean(dim=0) + (1 - momentum) * mean'
                          '\n        stats_dict["running_var"] = momentum * inputs.var(dim=0) + (1 - momentum) * var'),)),
    Mutant("Q1_batchnorm", "evaluation mode normalizes with the batch statistics", "Q1_solution",
           (("    if train:", "    if True:"),)),
    Mutant("Q1_batchnorm", "running variance updated with the biased variance", "Q1_solution",
           ((RUN_VAR, 'stats_dict["running_var"] = momentum * inputs.var(dim=0, unbiased=False) + (1 - momentum) * '
                      'stats_dict["running_var"]'),)),
    Mutant("Q1_batchnorm", "the batch mean detached from the graph in the normalization", "Q1_solution",
           ((MEAN, "mean = inputs.mean(dim=0).detach()"),)),
    Mutant("Q1_batchnorm", "momentum hard-coded as 0.1", "Q1_solution",
           ((RUN_MEAN, 'stats_dict["running_mean"] = 0.1 * mean + 0.9 * stats_dict["running_mean"]'),
            (RUN_VAR, 'stats_dict["running_var"] = 0.1 * var + 0.9 * stats_dict["running_var"]'))),
    Mutant("Q1_batchnorm", "eps hard-coded as 0.001", "Q1_solution",
           ((OUT, "return gamma * (inputs - mean) / torch.sqrt(var + 0.001) + beta"),)),
    Mutant("Q1_batchnorm", "gamma and beta swapped", "Q1_solution",
           ((OUT, "return beta * (inputs - mean) / torch.sqrt(var + eps) + gamma"),)),
    Mutant("Q1_batchnorm", "the normalization done by F.batch_norm (right values, a broken rule)", "Q1_solution",
           ((OUT, "return F.batch_norm(inputs, mean, var, gamma, beta, training=False, eps=eps)"),)),
]

ALTERNATIVES = [
    Alternative("running statistics updated in place in the stored tensors", "Q1_solution",
                ((RUN_MEAN, 'stats_dict["running_mean"].mul_(1 - momentum).add_(momentum * mean)'),
                 (RUN_VAR, 'stats_dict["running_var"].mul_(1 - momentum).add_(momentum * var)'))),
    Alternative("running statistics left attached to the graph, variance as torch.var(correction=1)", "Q1_solution",
                (("        with torch.no_grad():", "        if True:"),
                 (VAR, "var = torch.var(inputs, dim=0, correction=1)"))),
    Alternative("detached statistics, the variance written out with N - 1", "Q1_solution",
                ((VAR, "var = ((inputs - mean) ** 2).sum(dim=0) / (inputs.shape[0] - 1)"),
                 (RUN_MEAN, 'stats_dict["running_mean"] = momentum * mean.detach() + (1 - momentum) * '
                            'stats_dict["running_mean"]'),
                 (OUT, "x_hat = (inputs - mean) / torch.sqrt(var + eps)\n    print('normalized', tuple(x_hat.shape))"
                       "\n    return gamma * x_hat + beta"))),
]
