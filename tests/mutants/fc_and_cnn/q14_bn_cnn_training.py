"""Q14 training the batch-norm CNN: bugs in the master's Q14_solution."""
from autograder.check.mutants import Mutant

MUTANTS = [
    Mutant("Q14_training", "trains the network without batch norm", "Q14_solution",
           (("bn_cnn = CNNWithBatchNorm()", "bn_cnn = CNNWithoutBatchNorm()"),)),
    Mutant("Q14_training", "does not train", "Q14_solution",
           (("bn_cnn_losses = train_cnn(bn_cnn, data, CNN_EPOCHS)", "bn_cnn_losses = [0.0] * CNN_EPOCHS"),)),
    Mutant("Q14_training", "learning rate far too small", "Q14_solution",
           (("train_cnn(bn_cnn, data, CNN_EPOCHS)", "train_cnn(bn_cnn, data, CNN_EPOCHS, lr=1e-6)"),)),
]
