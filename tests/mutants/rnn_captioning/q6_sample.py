"""Q6 CaptioningRNN.sample: bugs in the sampling of the master's Q4_solution (the class cell), and correct
variants, among them one that stops at <END> and leaves <NULL> after it."""
from autograder.check.mutants import Alternative, Mutant

START = "            words = torch.full((features.shape[0],), self._start, dtype=torch.long)"
H0 = '            state = features @ params["W_proj"] + params["b_proj"]'
STEP = '                state = rnn_step_forward(vectors, state, params["Wx"], params["Wh"], params["b"])'
ARGMAX = "                words = scores.argmax(dim=1)"
WRITE = "                captions[:, t] = words"
ITEM = "Q6_sample"

MUTANTS = [
    Mutant(ITEM, "<START> fed at every step instead of the word just chosen", "Q4_solution",
           ((WRITE, WRITE + "\n" + START.replace("            ", "                ", 1)),)),
    Mutant(ITEM, "words drawn at random from the softmax instead of the argmax", "Q4_solution",
           ((ARGMAX, "                words = torch.multinomial(torch.softmax(scores, dim=1), 1).squeeze(1)"),)),
    Mutant(ITEM, "the state not carried from step to step (h0 at every step)", "Q4_solution",
           ((H0, H0.replace("state =", "h0 =") + "\n            state = h0"),
            (STEP, STEP.replace("vectors, state,", "vectors, h0,")))),
    Mutant(ITEM, "h0 not projected from the features (zeros)", "Q4_solution",
           ((H0, '            state = torch.zeros(features.shape[0], params["Wh"].shape[0], dtype=features.dtype)'),)),
    Mutant(ITEM, "the first input word is <NULL>, not <START>", "Q4_solution",
           ((START, START.replace("self._start", "self._null")),)),
    Mutant(ITEM, "the captions written one position late", "Q4_solution",
           ((WRITE, "                if t + 1 < max_length:\n                    captions[:, t + 1] = words"),)),
    Mutant(ITEM, "the captions left as they were made (all <NULL>)", "Q4_solution", ((WRITE, ""),)),
    Mutant(ITEM, "word indices returned as floats", "Q4_solution",
           (("        return captions", "        return captions.double()"),)),
]

ALTERNATIVES = [
    Alternative("a list of words stacked at the end, stopping once every caption has ended", "Q4_solution",
                ((START, START + "\n            chosen = []"),
                 (WRITE, "                chosen.append(words)\n"
                         "                if bool((torch.stack(chosen, dim=1) == self._end).any(dim=1).all()):\n"
                         "                    break\n"
                         "            captions[:, :len(chosen)] = torch.stack(chosen, dim=1)"))),
    Alternative("no torch.no_grad(), scores with temporal_affine_forward on one step", "Q4_solution",
                (("        with torch.no_grad():", "        if True:"),
                 ("                scores = state @ params[\"W_vocab\"] + params[\"b_vocab\"]",
                  '                scores = temporal_affine_forward(state[:, None], params["W_vocab"], '
                  'params["b_vocab"])[:, 0]'),
                 (WRITE, "                captions[:, t] = words.detach()"))),
]
