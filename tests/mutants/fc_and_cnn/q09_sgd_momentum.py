"""Q9 sgd_momentum and compare_update_rules: bugs in the master's Q9_solution and a correct variant of it."""
from autograder.check.mutants import Alternative, Mutant

VELOCITY = 'velocity = config["momentum"] * velocity - config["learning_rate"] * dw'
COMPARE_RULES = '[("sgd", "sgd"), ("sgd_momentum", sgd_momentum)]'

MUTANTS = [
    Mutant("Q9_sgd_momentum", "forgets to store the velocity", "Q9_solution",
           (('    config["velocity"] = velocity', ""),)),
    Mutant("Q9_sgd_momentum", "velocity without the learning rate", "Q9_solution",
           ((VELOCITY, 'velocity = config["momentum"] * velocity - dw'),)),
    Mutant("Q9_sgd_momentum", "steps with the old velocity", "Q9_solution",
           (("    next_w = w + velocity", ""), (VELOCITY, f"next_w = w + velocity\n    {VELOCITY}"))),
    Mutant("Q9_comparison", "trains both networks with plain SGD", "Q9_solution",
           ((COMPARE_RULES, '[("sgd", "sgd"), ("sgd_momentum", "sgd")]'),)),
    Mutant("Q9_comparison", "another architecture", "Q9_solution", (("[256, 128, 64]", "[256, 128]"),)),
    Mutant("Q9_comparison", "ignores num_epochs", "Q9_solution",
           (("update_rule=rule, num_epochs=num_epochs", "update_rule=rule, num_epochs=5"),)),
]

ALTERNATIVES = [
    Alternative("sgd_momentum reading the velocity with a default", "Q9_solution",
                (('velocity = config.get("velocity")', 'velocity = config.get("velocity", np.zeros_like(w))'),
                 ("    if velocity is None:", ""),
                 ("        velocity = np.zeros_like(w)", ""))),
]
