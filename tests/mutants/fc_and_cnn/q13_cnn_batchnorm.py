"""Q13 CNNWithBatchNorm: bugs in the master's Q13_solution."""
from autograder.check.mutants import Mutant

BN_CONV1 = "x = self.bn1(self.pool(F.relu(self.conv1(x))))"
BN_CONV2 = "x = self.bn2(self.pool(F.relu(self.conv2(x))))"

MUTANTS = [
    Mutant("Q13_cnn_batchnorm", "batch norm before pooling", "Q13_solution",
           ((BN_CONV1, "x = self.pool(self.bn1(F.relu(self.conv1(x))))"),)),
    Mutant("Q13_cnn_batchnorm", "batch norm before the ReLU", "Q13_solution",
           ((BN_CONV2, "x = self.pool(F.relu(self.bn2(self.conv2(x))))"),)),
    Mutant("Q13_cnn_batchnorm", "bn2 never used", "Q13_solution",
           ((BN_CONV2, "x = self.pool(F.relu(self.conv2(x)))"),)),
    Mutant("Q13_cnn_batchnorm", "batch norm without a learned scale and shift", "Q13_solution",
           (("self.bn1 = nn.BatchNorm2d(6)", "self.bn1 = nn.BatchNorm2d(6, affine=False)"),)),
]
