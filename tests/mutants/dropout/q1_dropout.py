"""Q1 dropout_forward / dropout_backward: bugs in the master's Q1_solution and correct variants of it."""
from autograder.check.mutants import Alternative, Mutant

MASK = "mask = (np.random.rand(*x.shape) < p) / p"
SEED = "np.random.seed(dropout_param[\"seed\"])"
TRAIN = "if mode == \"train\":"
BACKWARD = "dx = dout * mask"

MUTANTS = [
    Mutant("Q1_forward", "p read as the drop probability (PyTorch's convention)", "Q1_solution",
           ((MASK, "mask = (np.random.rand(*x.shape) < 1 - p) / (1 - p)"),)),
    Mutant("Q1_forward", "p read as the drop probability, survivors divided by p", "Q1_solution",
           ((MASK, "mask = (np.random.rand(*x.shape) >= p) / p"),)),
    Mutant("Q1_forward", "survivors not divided by p", "Q1_solution",
           ((MASK, "mask = (np.random.rand(*x.shape) < p) * 1.0"),)),
    Mutant("Q1_forward", "survivors divided by 1 - p", "Q1_solution",
           ((MASK, "mask = (np.random.rand(*x.shape) < p) / (1 - p)"),)),
    Mutant("Q1_forward", "survivors multiplied by p", "Q1_solution",
           ((MASK, "mask = (np.random.rand(*x.shape) < p) * p"),)),
    Mutant("Q1_forward", "dropout still applied in test mode", "Q1_solution",
           ((TRAIN, "if mode in (\"train\", \"test\"):"),)),
    Mutant("Q1_forward", "test mode scales the input by p", "Q1_solution",
           (("out = x", "out = x * p"),)),
    Mutant("Q1_forward", "the seed ignored", "Q1_solution",
           ((SEED, "pass"),)),
    Mutant("Q1_forward", "the generator reseeded with 0 when no seed is given (the same mask every call)",
           "Q1_solution",
           (("if \"seed\" in dropout_param:", "if True:"), (SEED, "np.random.seed(dropout_param.get(\"seed\", 0))"))),
    Mutant("Q1_forward", "the seed given to a new generator instead of np.random.seed", "Q1_solution",
           ((SEED, "pass"), (MASK, "mask = (np.random.default_rng(dropout_param.get(\"seed\")).random(x.shape) < p) / p"))),
    Mutant("Q1_backward", "a new mask drawn in backward", "Q1_solution",
           ((BACKWARD, "dx = dout * (np.random.rand(*dout.shape) < dropout_param[\"p\"]) / dropout_param[\"p\"]"),)),
    Mutant("Q1_backward", "backward applies the mask without the 1/p scale", "Q1_solution",
           ((BACKWARD, "dx = dout * (mask != 0)"),)),
    Mutant("Q1_backward", "backward divides by p once more", "Q1_solution",
           ((BACKWARD, "dx = dout * mask / dropout_param[\"p\"]"),)),
    Mutant("Q1_backward", "backward multiplies by the mask in test mode too", "Q1_solution",
           (("    if dropout_param[\"mode\"] == \"train\":", "    if True:"),)),
    Mutant("Q1_backward", "backward returns dout in training mode", "Q1_solution",
           ((BACKWARD, "dx = dout"),)),
    Mutant("Q1_backward", "backward reads the mask of the last forward from a global", "Q1_solution",
           (("        out = (x * mask).astype(x.dtype, copy=False)",
             "        out = (x * mask).astype(x.dtype, copy=False)\n        global LAST_MASK\n        LAST_MASK = mask"),
            (BACKWARD, "dx = dout * LAST_MASK"))),
]

ALTERNATIVES = [
    Alternative("a boolean mask, divided by p when applied (forward and backward)", "Q1_solution",
                ((MASK, "mask = np.random.rand(*x.shape) < p"),
                 ("        out = (x * mask).astype(x.dtype, copy=False)", "        out = x * mask / p"),
                 (BACKWARD, "dx = dout * mask / dropout_param[\"p\"]"))),
    Alternative("the mask from np.random.random_sample, np.where in backward, prints", "Q1_solution",
                ((MASK, "mask = (np.random.random_sample(x.shape) < p) / p\n        print('kept', (mask > 0).mean())"),
                 (BACKWARD, "dx = np.where(mask != 0, dout * mask, 0.0)"))),
    Alternative("the mask from np.random.uniform, a copy of x in test mode", "Q1_solution",
                ((MASK, "mask = (np.random.uniform(size=x.shape) < p) / p"),
                 ("out = x", "out = x.copy()"))),
]
