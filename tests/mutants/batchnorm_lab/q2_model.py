"""Q2 my_nn, initialize_nn, my_zero_grad: bugs in the master's Q2_solution and correct variants of it."""
from autograder.check.mutants import Alternative, Mutant

AFFINE = 'x = torch.relu(x @ param_dict[f"W{layer}"] + param_dict[f"b{layer}"])'
BN = 'x = batchnorm(x, param_dict[f"beta{layer}"], param_dict[f"gamma{layer}"], stats, train)'
UNIFORM = "new = torch.rand_like(param) * 2 - 1"
LEAF = "param_dict[name] = new.to(device).requires_grad_(True)"

MUTANTS = [
    Mutant("Q2_model", "batch norm before the ReLU", "Q2_solution",
           ((AFFINE, 'x = x @ param_dict[f"W{layer}"] + param_dict[f"b{layer}"]'),
            (BN, 'x = torch.relu(batchnorm(x, param_dict[f"beta{layer}"], param_dict[f"gamma{layer}"], stats, '
                 'train))'))),
    Mutant("Q2_model", "my_nn ignores train: batch norm always in training mode", "Q2_solution",
           ((BN, 'x = batchnorm(x, param_dict[f"beta{layer}"], param_dict[f"gamma{layer}"], stats)'),)),
    Mutant("Q2_model", "beta and gamma passed the wrong way round", "Q2_solution",
           ((BN, 'x = batchnorm(x, param_dict[f"gamma{layer}"], param_dict[f"beta{layer}"], stats, train)'),)),
    Mutant("Q2_model", "no ReLU", "Q2_solution", ((AFFINE, 'x = x @ param_dict[f"W{layer}"] + param_dict[f"b{layer}"]'),)),
    Mutant("Q2_model", "every layer uses the first layer's statistics", "Q2_solution",
           ((BN, 'x = batchnorm(x, param_dict[f"beta{layer}"], param_dict[f"gamma{layer}"], layers_stats_list[0], '
                 'train)'),)),
    Mutant("Q2_model", "gamma reset to zeros", "Q2_solution",
           (("new = torch.ones_like(param)", "new = torch.zeros_like(param)"),)),
    Mutant("Q2_model", "weights drawn from U(0, 1)", "Q2_solution", ((UNIFORM, "new = torch.rand_like(param)"),)),
    Mutant("Q2_model", "parameters no longer require grad", "Q2_solution", ((LEAF, "param_dict[name] = new.to(device)"),)),
    Mutant("Q2_model", "parameters that are not leaf tensors", "Q2_solution",
           ((UNIFORM, "new = torch.rand_like(param, requires_grad=True) * 2 - 1"),
            (LEAF, "param_dict[name] = new.to(device)"),
            ("new = torch.zeros_like(param)", "new = torch.zeros_like(param, requires_grad=True) + 0"),
            ("new = torch.ones_like(param)", "new = torch.ones_like(param, requires_grad=True) * 1"))),
    Mutant("Q2_model", "running statistics not reset", "Q2_solution",
           (('stats["running_mean"] = torch.zeros_like(stats["running_mean"], device=device)', "pass"),
            ('stats["running_var"] = torch.ones_like(stats["running_var"], device=device)', ""))),
    Mutant("Q2_model", "my_zero_grad zeroes only the weight matrices", "Q2_solution",
           (("        if param.grad is not None:", "        if param.grad is not None and param.dim() == 2:"),)),
    Mutant("Q2_model", "my_zero_grad zeroes a copy of each gradient", "Q2_solution",
           (("param.grad.zero_()", "param.grad.clone().zero_()"),)),
]

ALTERNATIVES = [
    Alternative("my_nn with view and the layers written out, initialize_nn with 'in name', grads set to None",
                "Q2_solution",
                (("x = input.reshape(input.shape[0], -1)", "x = input.view(-1, 28 * 28)"),
                 ('if name.startswith("beta"):', 'if "beta" in name:'),
                 ('elif name.startswith("gamma"):', 'elif "gamma" in name:'),
                 ("param.grad.zero_()", "param.grad = None"))),
    Alternative("initialize_nn with uniform_ and torch.no_grad, F.relu", "Q2_solution",
                ((AFFINE, 'x = F.relu(x @ param_dict[f"W{layer}"] + param_dict[f"b{layer}"])'),
                 (UNIFORM, "new = torch.empty_like(param).uniform_(-1, 1)"),
                 (LEAF, "new.requires_grad = True\n        param_dict[name] = new"))),
]
