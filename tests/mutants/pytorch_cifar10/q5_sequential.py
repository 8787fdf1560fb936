"""Q5 the Sequential network and Nesterov SGD: bugs in the master's Q5_solution and correct variants of it."""
from autograder.check.mutants import Alternative, Mutant

OPTIMIZER = "optimizer = optim.SGD(model.parameters(), lr=learning_rate, momentum=0.9, nesterov=True)"
CONV1 = "nn.Conv2d(3, channel_1, kernel_size=5, padding=2),"
ITEM = "Q5_sequential"

MUTANTS = [
    Mutant(ITEM, "momentum without Nesterov", "Q5_solution",
           ((OPTIMIZER, "optimizer = optim.SGD(model.parameters(), lr=learning_rate, momentum=0.9)"),)),
    Mutant(ITEM, "Nesterov with momentum 0.5", "Q5_solution",
           ((OPTIMIZER, "optimizer = optim.SGD(model.parameters(), lr=learning_rate, momentum=0.5, nesterov=True)"),)),
    Mutant(ITEM, "learning rate 3e-3", "Q5_solution", (("learning_rate = 1e-2", "learning_rate = 3e-3"),)),
    Mutant(ITEM, "weight decay added", "Q5_solution",
           ((OPTIMIZER, "optimizer = optim.SGD(model.parameters(), lr=learning_rate, momentum=0.9, nesterov=True, "
                        "weight_decay=1e-2)"),)),
    Mutant(ITEM, "a 3x3 first convolution with padding 1", "Q5_solution",
           ((CONV1, "nn.Conv2d(3, channel_1, kernel_size=3, padding=1),"),)),
]

ALTERNATIVES = [
    Alternative("nn.Flatten, positional arguments and inplace ReLUs", "Q5_solution",
                ((CONV1, "nn.Conv2d(3, channel_1, 5, 1, 2),"),
                 ("    Flatten(),", "    nn.Flatten(),"),
                 (OPTIMIZER, "optimizer = optim.SGD(model.parameters(), 1e-2, 0.9, nesterov=True)"))),
]
