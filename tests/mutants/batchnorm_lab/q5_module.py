"""Q5 myBatchnorm: bugs in the master's Q5_solution and a correct variant of it."""
from autograder.check.mutants import Alternative, Mutant

MEAN_BUFFER = 'self.register_buffer("running_mean", torch.zeros(num_features))'
VAR_BUFFER = 'self.register_buffer("running_var", torch.ones(num_features))'
RUN_MEAN = "self.running_mean = self.m * mean + (1 - self.m) * self.running_mean"
RUN_VAR = "self.running_var = self.m * var + (1 - self.m) * self.running_var"
OUT = "return self.gamma * (x - mean) / torch.sqrt(var + self.epsilon) + self.beta"

MUTANTS = [
    Mutant("Q5_module", "running statistics registered as parameters", "Q5_solution",
           ((MEAN_BUFFER, "self.running_mean = nn.Parameter(torch.zeros(num_features), requires_grad=False)"),
            (VAR_BUFFER, "self.running_var = nn.Parameter(torch.ones(num_features), requires_grad=False)"))),
    Mutant("Q5_module", "running statistics as plain attributes, not buffers", "Q5_solution",
           ((MEAN_BUFFER, "self.running_mean = torch.zeros(num_features)"),
            (VAR_BUFFER, "self.running_var = torch.ones(num_features)"))),
    Mutant("Q5_module", "ignores eval(): batch statistics and updates in evaluation mode too", "Q5_solution",
           (("if self.training:", "if True:"),)),
    Mutant("Q5_module", "biased variance", "Q5_solution",
           (("mean, var = x.mean(dim=0), x.var(dim=0)", "mean, var = x.mean(dim=0), x.var(dim=0, unbiased=False)"),)),
    Mutant("Q5_module", "momentum the wrong way round", "Q5_solution",
           ((RUN_MEAN, "self.running_mean = (1 - self.m) * mean + self.m * self.running_mean"),
            (RUN_VAR, "self.running_var = (1 - self.m) * var + self.m * self.running_var"))),
    Mutant("Q5_module", "epsilon ignored (1e-3 hard-coded)", "Q5_solution",
           ((OUT, "return self.gamma * (x - mean) / torch.sqrt(var + 1e-3) + self.beta"),)),
    Mutant("Q5_module", "gamma starts at zero", "Q5_solution",
           (("self.gamma = nn.Parameter(torch.ones(num_features))", "self.gamma = nn.Parameter(torch.zeros(num_features))"),)),
]

ALTERNATIVES = [
    Alternative("in-place buffer updates and the seed's requires_grad=True inside nn.Parameter", "Q5_solution",
                ((RUN_MEAN, "self.running_mean.mul_(1 - self.m).add_(self.m * mean)"),
                 (RUN_VAR, "self.running_var.mul_(1 - self.m).add_(self.m * var)"),
                 ("self.gamma = nn.Parameter(torch.ones(num_features))",
                  "self.gamma = nn.Parameter(torch.ones(num_features, requires_grad=True))"))),
]
