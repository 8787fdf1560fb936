"""Q4 the module and its optimizer: bugs in the master's Q4_solution, including training loops of the student's
own that replace the given train_part34 (as a student who pastes a loop of their own does), and correct
variants."""
from autograder.check.mutants import Alternative, Mutant

MODEL = "model = ThreeLayerConvNet(in_channel=3, channel_1=channel_1, channel_2=channel_2, num_classes=10)"
OPTIMIZER = "optimizer = optim.SGD(model.parameters(), lr=learning_rate)"
ITEM = "Q4_training"


def own_loop(body: str) -> str:
    """The optimizer line, then a train_part34 of the student's own whose inner step is ``body``."""
    return OPTIMIZER + '''

def train_part34(model, optimizer, epochs=1):
    model = model.to(device=device)
    for epoch in range(epochs):
        for x, y in loader_train:
            model.train()
            loss = F.cross_entropy(model(x.to(device=device, dtype=dtype)), y.to(device=device))
''' + body


MUTANTS = [
    Mutant(ITEM, "SGD with momentum 0.9", "Q4_solution",
           ((OPTIMIZER, "optimizer = optim.SGD(model.parameters(), lr=learning_rate, momentum=0.9)"),)),
    Mutant(ITEM, "learning rate 1e-2", "Q4_solution", (("learning_rate = 3e-3", "learning_rate = 1e-2"),)),
    Mutant(ITEM, "the optimizer holds another model's parameters", "Q4_solution",
           ((OPTIMIZER, "optimizer = optim.SGD(ThreeLayerConvNet(3, channel_1, channel_2, 10).parameters(), "
                        "lr=learning_rate)"),)),
    Mutant(ITEM, "Adam instead of SGD", "Q4_solution", ((OPTIMIZER, "optimizer = optim.Adam(model.parameters(), "
                                                                    "lr=learning_rate)"),)),
    Mutant(ITEM, "the filter counts swapped", "Q4_solution",
           ((MODEL, "model = ThreeLayerConvNet(3, channel_2, channel_1, 10)"),)),
    Mutant(ITEM, "an own training loop that never calls zero_grad", "Q4_solution",
           ((OPTIMIZER, own_loop("            loss.backward()\n            optimizer.step()\n")),)),
    Mutant(ITEM, "an own training loop that never calls step", "Q4_solution",
           ((OPTIMIZER, own_loop("            optimizer.zero_grad()\n            loss.backward()\n")),)),
    Mutant(ITEM, "an own training loop that steps before backward", "Q4_solution",
           ((OPTIMIZER, own_loop("            optimizer.zero_grad()\n            optimizer.step()\n"
                                 "            loss.backward()\n")),)),
]

ALTERNATIVES = [
    Alternative("positional arguments and momentum=0 spelled out", "Q4_solution",
                ((MODEL, "model = ThreeLayerConvNet(3, channel_1, channel_2, 10)"),
                 (OPTIMIZER, "optimizer = optim.SGD(params=model.parameters(), lr=3e-3, momentum=0.0)"))),
    Alternative("an own training loop that does what train_part34 does", "Q4_solution",
                ((OPTIMIZER, own_loop("            optimizer.zero_grad()\n            loss.backward()\n"
                                      "            optimizer.step()\n")),)),
]
