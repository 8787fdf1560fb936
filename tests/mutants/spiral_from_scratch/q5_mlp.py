"""Q5 MLP: bugs in the MLP class of the master's Q5_solution and a correct variant of it; the last three
are caught by tests that train a network (about 3 s per variant)."""
from autograder.check.mutants import Alternative, Mutant

MUTANTS = [
    Mutant("Q5_mlp", "only one hidden block", "Q5_solution",
           (("for _ in range(2):", "for _ in range(1):"),)),
    Mutant("Q5_mlp", "Tanh missing from the hidden blocks", "Q5_solution",
           (("                Tanh(),", ""),)),
    Mutant("Q5_mlp", "step forgets the gamma and beta updates", "Q5_solution",
           (('            elif hasattr(layer, "gamma"):', ""),
            ("                layer.gamma -= lr * layer.dgamma", ""),
            ("                layer.beta -= lr * layer.dbeta", ""))),
    Mutant("Q5_mlp", "train() does nothing, relying on new layers starting in training mode", "Q5_solution",
           (("layer.train()", "pass"),)),
    Mutant("Q5_mlp", "backward walks the layers in forward order", "Q5_solution",
           (("for layer in reversed(self.layers):", "for layer in self.layers:"),)),
    Mutant("Q5_mlp", "normalization hard-coded as InstanceNorm1D instead of self.norm_layer", "Q5_solution",
           (("self.norm_layer(hidden_dim, device=device, dtype=dtype)",
             "InstanceNorm1D(hidden_dim, device=device, dtype=dtype)"),)),
    Mutant("Q5_mlp", "eval() does not reach the dropout layers", "Q5_solution",
           (("layer.eval()", "self.training = False"),)),
    Mutant("Q5_mlp", "zero_grad leaves the normalization gradients", "Q5_solution",
           (('            elif hasattr(layer, "dgamma"):', ""),
            ("                layer.dgamma = torch.zeros_like(layer.gamma)", ""),
            ("                layer.dbeta = torch.zeros_like(layer.beta)", ""))),
    Mutant("Q5_mlp", "backward does not return the input gradient", "Q5_solution",
           (("        return grad", ""),)),
]

ALTERNATIVES = [
    Alternative("MLP with named layer attributes and a layers property", "Q5_solution",
                (("self.layers = []", "self.fc1 = Linear(in_dim, hidden_dim, device=device, dtype=dtype)"),
                 ("width = in_dim", "self.norm1 = self.norm_layer(hidden_dim, device=device, dtype=dtype)"),
                 ("for _ in range(2):", "self.act1, self.drop1 = Tanh(), Dropout(p_drop)"),
                 ("            self.layers += [",
                  "        self.fc2 = Linear(hidden_dim, hidden_dim, device=device, dtype=dtype)"),
                 ("                Linear(width, hidden_dim, device=device, dtype=dtype),",
                  "        self.norm2 = self.norm_layer(hidden_dim, device=device, dtype=dtype)"),
                 ("                self.norm_layer(hidden_dim, device=device, dtype=dtype),",
                  "        self.act2, self.drop2 = Tanh(), Dropout(p_drop)"),
                 ("                Tanh(),",
                  "        self.head = Linear(hidden_dim, out_dim, device=device, dtype=dtype)"),
                 ("                Dropout(p_drop),", ""),
                 ("            ]", ""),
                 ("            width = hidden_dim", ""),
                 ("        self.layers.append(Linear(hidden_dim, out_dim, device=device, dtype=dtype))", ""),
                 ("    def train(self):",
                  "    @property\n"
                  "    def layers(self):\n"
                  "        return [self.fc1, self.norm1, self.act1, self.drop1,\n"
                  "                self.fc2, self.norm2, self.act2, self.drop2, self.head]\n"
                  "\n"
                  "    def train(self):"))),
]
