"""Q4 Tanh: bugs in the master's Q4_solution and correct variants of it."""
from autograder.check.mutants import Alternative, Mutant

MUTANTS = [
    Mutant("Q4_forward", "tanh from exponentials, overflows for large inputs", "Q4_solution",
           (("self._out = torch.tanh(z)",
             "self._out = (torch.exp(z) - torch.exp(-z)) / (torch.exp(z) + torch.exp(-z))"),)),
    Mutant("Q4_forward", "sigmoid instead of tanh", "Q4_solution",
           (("self._out = torch.tanh(z)", "self._out = torch.sigmoid(z)"),), once=True),
    Mutant("Q4_forward", "float32 input returned as float64", "Q4_solution",
           (("self._out = torch.tanh(z)", "self._out = torch.tanh(z.double())"),)),
    Mutant("Q4_backward", "backward uses z instead of the output", "Q4_solution",
           (("self._out = torch.tanh(z)", "self._z = z\n        self._out = torch.tanh(z)"),
            ("return da * (1.0 - self._out * self._out)", "return da * (1.0 - self._z * self._z)"))),
    Mutant("Q4_backward", "derivative without the square", "Q4_solution",
           (("return da * (1.0 - self._out * self._out)", "return da * (1.0 - self._out)"),)),
    Mutant("Q4_backward", "sigmoid's derivative a(1-a)", "Q4_solution",
           (("return da * (1.0 - self._out * self._out)", "return da * self._out * (1.0 - self._out)"),)),
    Mutant("Q4_backward", "cache starts as a zero tensor, so backward before forward returns da", "Q4_solution",
           (("self._out = None", "self._out = torch.zeros(())"),
            ("        if self._out is None:", ""),
            ('            raise RuntimeError("call forward before backward")', ""))),
]

ALTERNATIVES = [
    Alternative("tanh as 1 - 2 / (exp(2z) + 1)", "Q4_solution",
                (("self._out = torch.tanh(z)", "self._out = 1.0 - 2.0 / (torch.exp(2.0 * z) + 1.0)"),)),
    Alternative("tanh caches its input and recomputes tanh in backward", "Q4_solution",
                (("self._out = torch.tanh(z)", "self._z = z\n        self._out = torch.tanh(z)"),
                 ("return self._out", "return torch.tanh(z)"),
                 ("return da * (1.0 - self._out * self._out)", "return da * (1.0 - torch.tanh(self._z) ** 2)"))),
]
