"""Q3 relu_forward and Q4 relu_backward: bugs in the master's Q3_solution and Q4_solution and correct variants
of them."""
from autograder.check.mutants import Alternative, Mutant

RELU_OUT = "out = np.maximum(0, x)"
RELU_DX = "dx = dout * (x > 0)"

MUTANTS = [
    Mutant("Q3_relu_forward", "clips x in place", "Q3_solution", ((RELU_OUT, "x[x < 0] = 0\n    out = x"),)),
    Mutant("Q3_relu_forward", "leaky ReLU", "Q3_solution", ((RELU_OUT, "out = np.maximum(0.01 * x, x)"),)),
    Mutant("Q3_relu_forward", "returns the mask", "Q3_solution", ((RELU_OUT, "out = (x > 0).astype(float)"),)),
    Mutant("Q4_relu_backward", "forgets the upstream gradient", "Q4_solution", ((RELU_DX, "dx = (x > 0) * 1.0"),)),
    Mutant("Q4_relu_backward", "masks by the upstream gradient", "Q4_solution", ((RELU_DX, "dx = dout * (dout > 0)"),)),
    Mutant("Q4_relu_backward", "multiplies by the activation", "Q4_solution",
           ((RELU_DX, "dx = dout * np.maximum(0, x)"),)),
]

ALTERNATIVES = [
    Alternative("relu_forward as x times a mask", "Q3_solution", ((RELU_OUT, "out = x * (x > 0)"),)),
    Alternative("relu_backward with np.where", "Q4_solution", ((RELU_DX, "dx = np.where(x > 0, dout, 0.0)"),)),
    # the gradient at x = 0 is a convention (the release states x > 0): the hidden inputs hold no zero
    Alternative("relu_backward that lets the gradient through at x = 0", "Q4_solution",
                ((RELU_DX, "dx = dout * (x >= 0)"),)),
    Alternative("relu_backward zeroing dout where x < 0", "Q4_solution",
                ((RELU_DX, "dx = dout.copy()\n    dx[x < 0] = 0"),)),
]
