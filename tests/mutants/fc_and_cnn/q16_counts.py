"""Q16 the parameter counts: bugs in the master's Q16_solution and a correct variant of it."""
from autograder.check.mutants import Alternative, Mutant

MUTANTS = [
    Mutant("Q16_counts", "forgets the biases of the FC net", "Q16_solution",
           (("fan_in * fan_out + fan_out for", "fan_in * fan_out for"),)),
    Mutant("Q16_counts", "counts the running statistics", "Q16_solution", (("+ 2 * 6 + 2 * 16", "+ 4 * 6 + 4 * 16"),)),
    Mutant("Q16_counts", "forgets the convolution biases", "Q16_solution",
           (("(6 * 1 * 3 * 3 + 6) + (16 * 6 * 5 * 5 + 16)", "(6 * 1 * 3 * 3) + (16 * 6 * 5 * 5)"),)),
]

ALTERNATIVES = [
    Alternative("parameter counts by a loop", "Q16_solution",
                (("count = sum(fan_in * fan_out + fan_out for fan_in, fan_out in zip(dims[:-1], dims[1:]))",
                  "count = 0\n"
                  "    for fan_in, fan_out in zip(dims[:-1], dims[1:]):\n"
                  "        count += (fan_in + 1) * fan_out"),)),
]
