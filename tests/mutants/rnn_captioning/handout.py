"""Correct answer cells written to the handout's task, not to the master's design (see autograder/check/mutants.py).

Each entry replaces a whole answer cell of the master with code a good student of the original handout writes:
its variable names and layout (shapes unpacked first, a preallocated tensor of states, ``N, T, D = x.shape``),
the model's training and plot left in the overfitting cell as the handout had them, prints. Every one must keep
every point.
"""
from autograder.check.mutants import Alternative

STEP = '''\
def rnn_step_forward(x, prev_h, Wx, Wh, b):
    next_h = None
    # tanh of the input's and the previous state's contributions plus the bias
    next_h = torch.tanh(torch.matmul(x, Wx) + torch.matmul(prev_h, Wh) + b)
    return next_h
'''

SEQUENCE = '''\
def rnn_forward(x, h0, Wx, Wh, b):
    h = None
    N, T, D = x.shape
    H = h0.shape[1]
    h = torch.zeros((N, T, H), dtype=x.dtype)
    prev_h = h0
    for t in range(T):
        next_h = rnn_step_forward(x[:, t, :], prev_h, Wx, Wh, b)
        h[:, t, :] = next_h
        prev_h = next_h
    return h
'''

EMBEDDING = '''\
def word_embedding_forward(x, W):
    out = None
    out = W[x, :]
    return out
'''

MODEL = '''\
class CaptioningRNN:
    def __init__(self, word_to_idx, input_dim=512, wordvec_dim=128, hidden_dim=128, cell_type="rnn",
                 dtype=torch.float32):
        if cell_type not in {"rnn"}:
            raise ValueError('Invalid cell_type "%s"' % cell_type)
        self.cell_type = cell_type
        self.dtype = dtype
        self.word_to_idx = word_to_idx
        self.idx_to_word = {i: w for w, i in word_to_idx.items()}
        self.params = {}
        vocab_size = len(word_to_idx)
        self._null = word_to_idx["<NULL>"]
        self._start = word_to_idx.get("<START>", None)
        self._end = word_to_idx.get("<END>", None)
        self.params["W_embed"] = torch.randn(vocab_size, wordvec_dim, dtype=dtype) / 100
        self.params["W_proj"] = torch.randn(input_dim, hidden_dim, dtype=dtype) / input_dim ** 0.5
        self.params["b_proj"] = torch.zeros(hidden_dim, dtype=dtype)
        self.params["Wx"] = torch.randn(wordvec_dim, hidden_dim, dtype=dtype) / wordvec_dim ** 0.5
        self.params["Wh"] = torch.randn(hidden_dim, hidden_dim, dtype=dtype) / hidden_dim ** 0.5
        self.params["b"] = torch.zeros(hidden_dim, dtype=dtype)
        self.params["W_vocab"] = torch.randn(hidden_dim, vocab_size, dtype=dtype) / hidden_dim ** 0.5
        self.params["b_vocab"] = torch.zeros(vocab_size, dtype=dtype)

    def loss(self, features, captions):
        captions_in = captions[:, :-1]
        captions_out = captions[:, 1:]
        mask = captions_out != self._null
        W_proj, b_proj = self.params["W_proj"], self.params["b_proj"]
        W_embed = self.params["W_embed"]
        Wx, Wh, b = self.params["Wx"], self.params["Wh"], self.params["b"]
        W_vocab, b_vocab = self.params["W_vocab"], self.params["b_vocab"]
        loss = 0.0
        # (1) initial hidden state, (2) word vectors, (3) the RNN, (4) scores, (5) the loss
        h0 = torch.matmul(features, W_proj) + b_proj
        x = word_embedding_forward(captions_in, W_embed)
        h = rnn_forward(x, h0, Wx, Wh, b)
        scores = temporal_affine_forward(h, W_vocab, b_vocab)
        loss = temporal_softmax_loss(scores, captions_out, mask)
        return loss

    def sample(self, features, max_length=30):
        N = features.shape[0]
        captions = self._null * torch.ones((N, max_length), dtype=torch.long)
        W_proj, b_proj = self.params["W_proj"], self.params["b_proj"]
        W_embed = self.params["W_embed"]
        Wx, Wh, b = self.params["Wx"], self.params["Wh"], self.params["b"]
        W_vocab, b_vocab = self.params["W_vocab"], self.params["b_vocab"]
        prev_h = torch.matmul(features, W_proj) + b_proj
        prev_word = self._start * torch.ones(N, dtype=torch.long)
        for t in range(max_length):
            x = word_embedding_forward(prev_word, W_embed)
            next_h = rnn_step_forward(x, prev_h, Wx, Wh, b)
            scores = torch.matmul(next_h, W_vocab) + b_vocab
            prev_word = torch.argmax(scores, dim=1)
            captions[:, t] = prev_word
            prev_h = next_h
        return captions
'''

OVERFIT = '''\
np.random.seed(231)
torch.manual_seed(231)

small_data = load_coco_or_stand_in(max_train=50)

small_rnn_model = CaptioningRNN(
    cell_type="rnn",
    word_to_idx=data["word_to_idx"],
    input_dim=data["train_features"].shape[1],
    hidden_dim=512,
    wordvec_dim=256,
)

small_rnn_solver = CaptioningSolver(
    small_rnn_model, small_data,
    num_epochs=50,
    batch_size=25,
    learning_rate=5e-3,
    verbose=True, print_every=10,
)

small_rnn_solver.train()

plt.plot(small_rnn_solver.loss_history)
plt.xlabel("Iteration")
plt.ylabel("Loss")
plt.title("Training loss history")
plt.show()
'''

ALTERNATIVES = [
    Alternative("rnn_step_forward as the handout's skeleton asks", "Q1_solution", source=STEP),
    Alternative("rnn_forward with a preallocated tensor of states", "Q2_solution", source=SEQUENCE),
    Alternative("word_embedding_forward by row indexing", "Q3_solution", source=EMBEDDING),
    Alternative("the handout's CaptioningRNN, loss and sample", "Q4_solution", source=MODEL),
    Alternative("the handout's overfitting cell, training and plotting in the cell", "Q5_solution", source=OVERFIT),
]
