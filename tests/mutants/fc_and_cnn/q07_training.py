"""Q7 train_two_layer_net: bugs in the master's Q7_solution and a correct variant of it."""
from autograder.check.mutants import Alternative, Mutant

MUTANTS = [
    Mutant("Q7_training", "learning rate far too small", "Q7_solution",
           (('optim_config={"learning_rate": 5e-4}', 'optim_config={"learning_rate": 1e-8}'),)),
    Mutant("Q7_training", "never calls train()", "Q7_solution", (("    solver.train()", ""),)),
    Mutant("Q7_training", "asks for an update rule that does not exist", "Q7_solution",
           (('update_rule="adam"', 'update_rule="momentum"'),)),
]

ALTERNATIVES = [
    Alternative("two-layer training on a smaller accuracy sample, with prints", "Q7_solution",
                (("num_epochs=10, batch_size=256,", "num_epochs=10, batch_size=256, num_train_samples=500,"),
                 ("solver.train()", 'solver.train()\n    print("best", solver.best_val_acc)'))),
]
