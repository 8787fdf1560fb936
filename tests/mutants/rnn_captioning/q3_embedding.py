"""Q3 word_embedding_forward: bugs in the master's Q3_solution, and correct variants."""
from autograder.check.mutants import Alternative, Mutant

LOOKUP = "    out = W[x]"
ITEM = "Q3_embedding"

MUTANTS = [
    Mutant(ITEM, "the embedding matrix transposed", "Q3_solution", ((LOOKUP, "    out = W.T[x % W.shape[1]]"),)),
    Mutant(ITEM, "the vectors taken out of the graph (detach), so W gets no gradient", "Q3_solution",
           ((LOOKUP, "    out = W.detach()[x]"),), once=True),
    Mutant(ITEM, "the vectors of the first caption for every caption", "Q3_solution",
           ((LOOKUP, "    out = W[x[:1]].expand(x.shape[0], -1, -1)"),)),
    Mutant(ITEM, "every word's vector scaled by its index", "Q3_solution",
           ((LOOKUP, "    out = W[x] * x.unsqueeze(-1)"),)),
]

ALTERNATIVES = [
    Alternative("one-hot rows times W", "Q3_solution",
                ((LOOKUP, "    out = torch.nn.functional.one_hot(x, W.shape[0]).to(W.dtype) @ W"),)),
    Alternative("index_select on the flattened indices", "Q3_solution",
                ((LOOKUP, "    out = torch.index_select(W, 0, x.reshape(-1)).reshape(*x.shape, W.shape[1])"),)),
    Alternative("torch.nn.functional.embedding", "Q3_solution",
                ((LOOKUP, "    out = torch.nn.functional.embedding(x, W)"),)),
    Alternative("a stack of the rows, caption by caption", "Q3_solution",
                ((LOOKUP, "    out = torch.stack([W[row] for row in x])"),)),
]
