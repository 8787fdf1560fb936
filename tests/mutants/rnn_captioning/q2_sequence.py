"""Q2 rnn_forward: bugs in the master's Q2_solution, and correct variants."""
from autograder.check.mutants import Alternative, Mutant

STEP = "        state = rnn_step_forward(x[:, t], state, Wx, Wh, b)"
STACK = "    h = torch.stack(states, dim=1)"
LOOP = "    for t in range(x.shape[1]):"
ITEM = "Q2_forward"

MUTANTS = [
    Mutant(ITEM, "the hidden state not carried from step to step (h0 at every step)", "Q2_solution",
           ((STEP, "        state = rnn_step_forward(x[:, t], h0, Wx, Wh, b)"),)),
    Mutant(ITEM, "the states stacked along the first axis, (T, N, H)", "Q2_solution",
           ((STACK, "    h = torch.stack(states, dim=0)"),)),
    Mutant(ITEM, "the last time step left out", "Q2_solution", ((LOOP, "    for t in range(x.shape[1] - 1):"),)),
    Mutant(ITEM, "the time and batch axes confused (x[t])", "Q2_solution",
           ((STEP, "        state = rnn_step_forward(x[t % x.shape[0]], state, Wx, Wh, b)"),)),
    Mutant(ITEM, "the states before each step kept (h0 first, the last state lost)", "Q2_solution",
           (("        states.append(state)", ""),
            (STEP, "        states.append(state)\n        state = rnn_step_forward(x[:, t], state, Wx, Wh, b)"))),
    Mutant(ITEM, "the states copied into a tensor under torch.no_grad(), so autograd finds no gradient",
           "Q2_solution",
           ((STACK, "    with torch.no_grad():\n"
                    "        h = torch.zeros(x.shape[0], x.shape[1], h0.shape[1], dtype=x.dtype)\n"
                    "        for t, state in enumerate(states):\n"
                    "            h[:, t] = state"),), once=True),
]

ALTERNATIVES = [
    Alternative("a preallocated tensor written step by step, with autograd on", "Q2_solution",
                (("    states = []", "    h = torch.zeros(x.shape[0], x.shape[1], h0.shape[1], dtype=x.dtype)"),
                 ("        states.append(state)", "        h[:, t] = state"), (STACK, ""))),
    Alternative("unbind over time and concatenate", "Q2_solution",
                ((LOOP, "    for x_t in x.unbind(dim=1):"),
                 (STEP, "        state = rnn_step_forward(x_t, state, Wx, Wh, b)"),
                 (STACK, "    h = torch.cat([s.unsqueeze(1) for s in states], dim=1)"))),
]
