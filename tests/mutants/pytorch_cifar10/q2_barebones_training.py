"""Q2 barebones parameters and training: bugs in the master's Q2_solution and correct variants of it."""
from autograder.check.mutants import Alternative, Mutant

W1 = "conv_w1 = random_weight((channel_1, 3, 5, 5))"
B1 = "conv_b1 = zero_weight((channel_1,))"
FC_W = "fc_w = random_weight((channel_2 * 32 * 32, 10))"
ITEM = "Q2_training"

MUTANTS = [
    Mutant(ITEM, "weights drawn from N(0, 1), not Kaiming", "Q2_solution",
           ((W1, "conv_w1 = torch.randn((channel_1, 3, 5, 5), requires_grad=True)"),)),
    Mutant(ITEM, "the fully connected weight starts at zero", "Q2_solution",
           ((FC_W, "fc_w = zero_weight((channel_2 * 32 * 32, 10))"),)),
    Mutant(ITEM, "a bias drawn with random_weight", "Q2_solution", ((B1, "conv_b1 = random_weight((channel_1,))"),)),
    Mutant(ITEM, "the fully connected weight transposed", "Q2_solution",
           ((FC_W, "fc_w = random_weight((10, channel_2 * 32 * 32))"),)),
    Mutant(ITEM, "the filter counts swapped", "Q2_solution", (("channel_1 = 32", "channel_1 = 16"),
                                                              ("channel_2 = 16", "channel_2 = 32"))),
    Mutant(ITEM, "weights without requires_grad", "Q2_solution",
           ((W1, "conv_w1 = random_weight((channel_1, 3, 5, 5)).detach()"),)),
]

ALTERNATIVES = [
    Alternative("Kaiming by hand with torch.randn and requires_grad_", "Q2_solution",
                ((W1, "conv_w1 = (torch.randn(channel_1, 3, 5, 5) * (2.0 / (3 * 5 * 5)) ** 0.5).requires_grad_()"),
                 (B1, "conv_b1 = torch.zeros(channel_1, requires_grad=True)"))),
]
