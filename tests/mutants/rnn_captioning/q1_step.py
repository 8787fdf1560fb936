"""Q1 rnn_step_forward: bugs in the master's Q1_solution, and correct variants."""
from autograder.check.mutants import Alternative, Mutant

STEP = "    next_h = torch.tanh(x @ Wx + prev_h @ Wh + b)"
ITEM = "Q1_step_forward"

MUTANTS = [
    Mutant(ITEM, "the tanh missing", "Q1_solution", ((STEP, "    next_h = x @ Wx + prev_h @ Wh + b"),)),
    Mutant(ITEM, "a sigmoid in place of the tanh", "Q1_solution",
           ((STEP, "    next_h = torch.sigmoid(x @ Wx + prev_h @ Wh + b)"),)),
    Mutant(ITEM, "the bias left out", "Q1_solution", ((STEP, "    next_h = torch.tanh(x @ Wx + prev_h @ Wh)"),)),
    Mutant(ITEM, "Wh applied to the previous state from the wrong side", "Q1_solution",
           ((STEP, "    next_h = torch.tanh(x @ Wx + prev_h @ Wh.T + b)"),)),
    Mutant(ITEM, "the step computed in numpy, so autograd finds no gradient", "Q1_solution",
           ((STEP, "    a = x.detach().numpy() @ Wx.detach().numpy() + prev_h.detach().numpy() @ Wh.detach().numpy()\n"
                   "    next_h = torch.from_numpy(np.tanh(a + b.detach().numpy()))"),), once=True),
]

ALTERNATIVES = [
    Alternative("torch.mm and a method call", "Q1_solution",
                ((STEP, "    next_h = (torch.mm(x, Wx) + torch.mm(prev_h, Wh) + b).tanh()"),)),
    Alternative("addmm, and the tanh written with exponentials", "Q1_solution",
                ((STEP, "    a = torch.addmm(b, x, Wx) + prev_h.matmul(Wh)\n"
                        "    next_h = 1 - 2 / (torch.exp(2 * a) + 1)"),)),
    Alternative("the shapes printed on the way", "Q1_solution",
                ((STEP, "    print('x', tuple(x.shape), 'prev_h', tuple(prev_h.shape))\n" + STEP),)),
]
