"""Q11 CNNWithoutBatchNorm: bugs in the master's Q11_solution and a correct variant of it."""
from autograder.check.mutants import Alternative, Mutant

CNN_CONV1 = "x = self.pool(F.relu(self.conv1(x)))"
CNN_FC1 = "x = F.relu(self.fc1(x.flatten(1)))"

MUTANTS = [
    Mutant("Q11_cnn", "no ReLU after conv1", "Q11_solution", ((CNN_CONV1, "x = self.pool(self.conv1(x))"),)),
    Mutant("Q11_cnn", "no ReLU after fc1", "Q11_solution", ((CNN_FC1, "x = self.fc1(x.flatten(1))"),)),
    Mutant("Q11_cnn", "softmax on the scores", "Q11_solution",
           (("        return self.fc2(x)", "        return F.softmax(self.fc2(x), dim=1)"),)),
    Mutant("Q11_cnn", "a 3x3 second convolution", "Q11_solution",
           (("self.conv2 = nn.Conv2d(6, 16, 5)", "self.conv2 = nn.Conv2d(6, 16, 3)"),
            ("self.fc1 = nn.Linear(16 * 6 * 27, 256)", "self.fc1 = nn.Linear(16 * 7 * 28, 256)"))),
]

ALTERNATIVES = [
    Alternative("CNN pooling before the ReLU (they commute) with functional pooling", "Q11_solution",
                ((CNN_CONV1, "x = F.relu(F.max_pool2d(self.conv1(x), 2))"),
                 ("x = self.pool(F.relu(self.conv2(x)))", "x = F.relu(F.max_pool2d(self.conv2(x), 2))"),
                 (CNN_FC1, "x = F.relu(self.fc1(torch.flatten(x, 1)))"))),
]
