"""Q4 CaptioningRNN.loss: bugs in the loss of the master's Q4_solution (the class cell), and correct variants."""
from autograder.check.mutants import Alternative, Mutant

SHIFT = "        captions_in, captions_out = captions[:, :-1], captions[:, 1:]"
MASK = "        mask = captions_out != self._null"
H0 = '        h0 = features @ p["W_proj"] + p["b_proj"]'
LOSS = "        loss = temporal_softmax_loss(scores, captions_out, mask)"
ITEM = "Q4_loss"

MUTANTS = [
    Mutant(ITEM, "the mask ignored: <NULL> padding counted as targets", "Q4_solution",
           ((MASK, "        mask = torch.ones_like(captions_out, dtype=torch.bool)"),)),
    Mutant(ITEM, "the mask taken from the input words", "Q4_solution",
           ((MASK, "        mask = captions_in != self._null"),)),
    Mutant(ITEM, "inputs and targets not shifted by one word", "Q4_solution",
           ((SHIFT, "        captions_in, captions_out = captions[:, :-1], captions[:, :-1]"),)),
    Mutant(ITEM, "the loss averaged over time as well", "Q4_solution",
           ((LOSS, "        loss = temporal_softmax_loss(scores, captions_out, mask) / captions_out.shape[1]"),)),
    Mutant(ITEM, "h0 not projected from the features (zeros)", "Q4_solution",
           ((H0, '        h0 = torch.zeros(features.shape[0], p["Wh"].shape[0], dtype=features.dtype)'),)),
    Mutant(ITEM, "h0 projected without its bias", "Q4_solution", ((H0, '        h0 = features @ p["W_proj"]'),)),
    Mutant(ITEM, "the loss returned as a Python number (.item()), which autograd cannot differentiate",
           "Q4_solution", ((LOSS, "        loss = temporal_softmax_loss(scores, captions_out, mask).item()"),),
           once=True),
]

ALTERNATIVES = [
    Alternative("the loss written with cross_entropy and ignore_index", "Q4_solution",
                ((MASK, ""),
                 (LOSS, '        loss = torch.nn.functional.cross_entropy(scores.reshape(-1, scores.shape[-1]), '
                        'captions_out.reshape(-1), ignore_index=self._null, reduction="sum") / captions.shape[0]'),)),
    Alternative("a float mask, and the projection with torch.addmm", "Q4_solution",
                ((MASK, "        mask = (captions_out != self._null).float()"),
                 (H0, '        h0 = torch.addmm(p["b_proj"], features, p["W_proj"])'))),
]
