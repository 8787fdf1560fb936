"""Q10 train_best_fc_model: bugs in the master's Q10_solution."""
from autograder.check.mutants import Mutant

MUTANTS = [
    Mutant("Q10_training", "learning rate far too small", "Q10_solution",
           (('optim_config={"learning_rate": 1e-2, "momentum": 0.9},',
             'optim_config={"learning_rate": 1e-7, "momentum": 0.9},'),)),
    Mutant("Q10_training", "trains for more than 50 epochs", "Q10_solution",
           (("num_epochs=12", "num_epochs=51"),)),
    Mutant("Q10_training", "never calls train()", "Q10_solution", (("    solver.train()", ""),)),
]
