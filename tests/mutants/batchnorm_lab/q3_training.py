"""Q3 train_nn: bugs in the master's Q3_solution and a correct variant of it."""
from autograder.check.mutants import Alternative, Mutant

OPTIMIZER = "optimizer = SGD(param_dict.values(), lr=lr)"
INIT = "    initialize_nn(param_dict, layers_stats_list)"
TOTALS = "        seen, loss_sum, correct = 0, 0.0, 0"

MUTANTS = [
    Mutant("Q3_training", "never zeroes the gradients", "Q3_solution", (("            optimizer.zero_grad()", ""),)),
    Mutant("Q3_training", "the optimizer built before initialize_nn replaces the parameters", "Q3_solution",
           ((OPTIMIZER, ""), (INIT, f"    {OPTIMIZER}\n{INIT}"))),
    Mutant("Q3_training", "SGD with momentum", "Q3_solution",
           ((OPTIMIZER, "optimizer = SGD(param_dict.values(), lr=lr, momentum=0.9)"),)),
    Mutant("Q3_training", "lr ignored", "Q3_solution", ((OPTIMIZER, "optimizer = SGD(param_dict.values(), lr=0.01)"),)),
    Mutant("Q3_training", "records after updates record_every, 2 record_every, ... instead of 0, record_every, ...",
           "Q3_solution", (("if i % record_every == 0:", "if (i + 1) % record_every == 0:"),)),
    Mutant("Q3_training", "running totals not reset at each epoch", "Q3_solution",
           ((TOTALS, ""), ("    for epoch in range(num_epochs):", f"    {TOTALS.strip()}\n    for epoch in range(num_epochs):"))),
    Mutant("Q3_training", "trains with batch norm in inference mode", "Q3_solution",
           (("scores = my_nn(images, param_dict, layers_stats_list, train=True)",
             "scores = my_nn(images, param_dict, layers_stats_list, train=False)"),)),
    Mutant("Q3_training", "the summed loss not weighted by the batch size", "Q3_solution",
           (("loss_sum += loss.item() * len(labels)", "loss_sum += loss.item()"),)),
    Mutant("Q3_training", "does not re-initialize", "Q3_solution", ((INIT, ""),)),
]

ALTERNATIVES = [
    Alternative("my_zero_grad instead of optimizer.zero_grad, torch.nn.functional spelled out", "Q3_solution",
                (("            optimizer.zero_grad()", "            my_zero_grad(param_dict)"),
                 ("loss = F.cross_entropy(scores, labels)", "loss = torch.nn.functional.cross_entropy(scores, labels)"))),
]
