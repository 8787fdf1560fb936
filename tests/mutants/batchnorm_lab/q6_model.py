"""Q6 Model, train and test: bugs in the master's Q6_solution and a correct variant of it."""
from autograder.check.mutants import Alternative, Mutant

LAYER1 = "x = F.relu(self.bn1(self.linear1(x)))"
LAYER2 = "x = F.relu(self.bn2(self.linear2(x)))"

MUTANTS = [
    Mutant("Q6_model", "batch norm after the ReLU", "Q6_solution",
           ((LAYER1, "x = self.bn1(F.relu(self.linear1(x)))"), (LAYER2, "x = self.bn2(F.relu(self.linear2(x)))"))),
    Mutant("Q6_model", "bn2 never used", "Q6_solution", ((LAYER2, "x = F.relu(self.linear2(x))"),)),
    Mutant("Q6_model", "nn.BatchNorm1d in place of myBatchnorm (a broken rule)", "Q6_solution",
           (("self.bn1 = myBatchnorm(h1_siz)", "self.bn1 = nn.BatchNorm1d(h1_siz, eps=1e-3)"),
            ("self.bn2 = myBatchnorm(h2_siz)", "self.bn2 = nn.BatchNorm1d(h2_siz, eps=1e-3)"))),
    Mutant("Q6_model", "init_weights draws the weights from N(0, 1)", "Q6_solution",
           (("linear.weight.uniform_(-1, 1)", "linear.weight.normal_(0, 1)"),)),
    Mutant("Q6_model", "init_weights forgets the biases", "Q6_solution", (("linear.bias.uniform_(-1, 1)", "pass"),)),
    Mutant("Q6_model", "train does not put the model in training mode", "Q6_solution", (("    model.train()", ""),)),
    Mutant("Q6_model", "train never resets its totals after a record", "Q6_solution",
           (("            seen, loss_sum, correct = 0, 0.0, 0", ""),)),
    Mutant("Q6_model", "train never zeroes the gradients", "Q6_solution", (("        optimizer.zero_grad()", ""),)),
    Mutant("Q6_model", "test does not put the model in evaluation mode", "Q6_solution", (("    model.eval()", ""),)),
    Mutant("Q6_model", "test averages the batch means instead of summing", "Q6_solution",
           (('reduction="sum"', 'reduction="mean"'),)),
]

ALTERNATIVES = [
    Alternative("view, init through .data, torch.nn.functional spelled out", "Q6_solution",
                (("x = x.reshape(x.shape[0], -1)", "x = x.view(-1, 28 * 28)"),
                 ("linear.weight.uniform_(-1, 1)", "linear.weight.data.uniform_(-1, 1)"),
                 ("loss = F.cross_entropy(scores, labels)", "loss = torch.nn.functional.cross_entropy(scores, labels)"))),
]
