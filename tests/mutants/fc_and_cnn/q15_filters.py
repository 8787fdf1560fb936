"""Q15 the grid of first-layer filters: bugs in the master's Q15_solution and a correct variant of it."""
from autograder.check.mutants import Alternative, Mutant

GRID = "grid = visualize_grid(weights.transpose(0, 2, 3, 1))"

MUTANTS = [
    Mutant("Q15_filters", "no transpose", "Q15_solution", ((GRID, "grid = visualize_grid(weights)"),)),
    Mutant("Q15_filters", "swaps the filter's rows and columns", "Q15_solution",
           ((GRID, "grid = visualize_grid(weights.transpose(0, 3, 2, 1))"),)),
    Mutant("Q15_filters", "shows conv2", "Q15_solution", (("model.conv1.weight", "model.conv2.weight"),)),
    Mutant("Q15_filters", "scaled to [0, 1]", "Q15_solution",
           ((GRID, "grid = visualize_grid(weights.transpose(0, 2, 3, 1), ubound=1.0)"),)),
]

ALTERNATIVES = [
    Alternative("filter grid with np.moveaxis", "Q15_solution",
                ((GRID, "grid = visualize_grid(np.moveaxis(weights, 1, -1))"),)),
]
