"""Q2 Dropout: bugs in the master's Q2_solution and correct variants of it."""
from autograder.check.mutants import Alternative, Mutant

DROP_MASK = "self._scaled_mask = (torch.rand_like(z) < keep).to(z.dtype) / keep"

MUTANTS = [
    Mutant("Q2_forward", "survivors scaled by 1/p instead of 1/(1-p)", "Q2_solution",
           ((DROP_MASK, "self._scaled_mask = (torch.rand_like(z) < keep).to(z.dtype) / self.p"),)),
    Mutant("Q2_forward", "p used as the keep probability", "Q2_solution",
           ((DROP_MASK, "self._scaled_mask = (torch.rand_like(z) < self.p).to(z.dtype) / keep"),)),
    Mutant("Q2_forward", "dropout still active in evaluation mode", "Q2_solution",
           (("if not self.training or self.p == 0.0:", "if self.p == 0.0:"),)),
    Mutant("Q2_forward", "survivors not rescaled", "Q2_solution",
           ((DROP_MASK, "self._scaled_mask = (torch.rand_like(z) < keep).to(z.dtype)"),)),
    Mutant("Q2_forward", "train() does not switch dropout back on", "Q2_solution",
           (("def train(self):", "def train(self):\n        return"),)),
    Mutant("Q2_forward", "the same mask in every forward (a generator seeded inside forward)", "Q2_solution",
           ((DROP_MASK, "generator = torch.Generator().manual_seed(0)\n        self._scaled_mask = (torch.rand("
                        "z.shape, generator=generator, dtype=z.dtype) < keep).to(z.dtype) / keep"),)),
    Mutant("Q2_forward", "p outside [0, 1) accepted silently", "Q2_solution",
           (("        if not 0.0 <= p < 1.0:", ""),
            ('            raise ValueError(f"the drop probability p must lie in [0, 1), got {p}")', ""))),
    Mutant("Q2_backward", "a new mask drawn in backward", "Q2_solution",
           (("        return da * self._scaled_mask",
             "        return da * (torch.rand_like(da) < 1.0 - self.p).to(da.dtype) / (1.0 - self.p)"),)),
    Mutant("Q2_backward", "backward applies the mask but not the 1/(1-p) scale", "Q2_solution",
           (("        return da * self._scaled_mask", "        return da * (self._scaled_mask != 0).to(da.dtype)"),)),
    Mutant("Q2_backward", "an eval-mode forward keeps the last training mask for backward", "Q2_solution",
           (("            self._scaled_mask = None", ""),)),
    Mutant("Q2_backward", "backward forgets the mask altogether", "Q2_solution",
           (("        if self._scaled_mask is None:", ""), ("            return da", ""),
            ("return da * self._scaled_mask", "return da"))),
]

ALTERNATIVES = [
    Alternative("dropout mask drawn with numpy", "Q2_solution",
                ((DROP_MASK,
                  "mask = np.random.rand(*z.shape) < keep\n"
                  "        self._scaled_mask = torch.from_numpy(mask).to(device=z.device, dtype=z.dtype) / keep"),)),
    Alternative("dropout mask from torch.bernoulli, and a warning for p = 0", "Q2_solution",
                (("self.p = float(p)",
                  "if p == 0:\n"
                  "            import warnings\n"
                  "            warnings.warn('Dropout(p=0) never drops anything')\n"
                  "        self.p = float(p)"),
                 (DROP_MASK, "self._scaled_mask = torch.bernoulli(torch.full_like(z, keep)) / keep"))),
]
