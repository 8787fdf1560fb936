"""Hollow answers: code that does none of the work of its cell. Each must score nothing in its question (beyond
the part it does do, named in its description)."""
from autograder.check.mutants import Hollow


def model_whose_loss_is(term: str) -> str:
    """A CaptioningRNN with no parameters of its own whose loss sums ``term`` over ``self.params`` (the grader sets
    them) and whose sample writes nothing."""
    return '''\
class CaptioningRNN:
    def __init__(self, word_to_idx, input_dim=512, wordvec_dim=128, hidden_dim=128, cell_type="rnn",
                 dtype=torch.float32):
        self.dtype = dtype
        self._null = word_to_idx["<NULL>"]
        self.params = {}

    def loss(self, features, captions):
        return sum(''' + term + ''' for value in self.params.values())

    def sample(self, features, max_length=30):
        return torch.full((features.shape[0], max_length), self._null, dtype=torch.long)
'''


HOLLOW = [
    Hollow("rnn_step_forward that returns zeros", "Q1_solution", '''\
def rnn_step_forward(x, prev_h, Wx, Wh, b):
    return torch.zeros_like(prev_h)
'''),
    Hollow("rnn_step_forward that returns the previous state", "Q1_solution", '''\
def rnn_step_forward(x, prev_h, Wx, Wh, b):
    return prev_h
'''),
    Hollow("rnn_step_forward that multiplies its work by zero (consistent with itself)", "Q1_solution", '''\
def rnn_step_forward(x, prev_h, Wx, Wh, b):
    return 0 * torch.tanh(x @ Wx + prev_h @ Wh + b)
'''),
    Hollow("rnn_step_forward of sums of its inputs (differentiable, consistent with itself)", "Q1_solution", '''\
def rnn_step_forward(x, prev_h, Wx, Wh, b):
    return torch.tanh(prev_h + x.sum() + Wx.sum() + Wh.sum() + b.sum())
'''),
    Hollow("rnn_forward of sums of its inputs (differentiable, consistent with itself)", "Q2_solution", '''\
def rnn_forward(x, h0, Wx, Wh, b):
    return torch.tanh(h0[:, None, :] + x.sum(-1, keepdim=True) + Wx.sum() + Wh.sum() + b.sum())
'''),
    Hollow("word_embedding_forward that scales the mean row by the index", "Q3_solution", '''\
def word_embedding_forward(x, W):
    return x.unsqueeze(-1) * W.mean(0)
'''),
    Hollow("rnn_forward that repeats h0 at every step", "Q2_solution", '''\
def rnn_forward(x, h0, Wx, Wh, b):
    return h0.unsqueeze(1).repeat(1, x.shape[1], 1)
'''),
    Hollow("rnn_forward that returns zeros", "Q2_solution", '''\
def rnn_forward(x, h0, Wx, Wh, b):
    return torch.zeros(x.shape[0], x.shape[1], h0.shape[1], dtype=x.dtype)
'''),
    Hollow("word_embedding_forward that returns zeros", "Q3_solution", '''\
def word_embedding_forward(x, W):
    return torch.zeros(*x.shape, W.shape[1], dtype=W.dtype)
'''),
    Hollow("word_embedding_forward that returns the first row for every word", "Q3_solution", '''\
def word_embedding_forward(x, W):
    return W[0].expand(*x.shape, W.shape[1])
'''),
    Hollow("a model whose loss is zero times its parameters", "Q4_solution", model_whose_loss_is("(0 * value).sum()")),
    Hollow("a model whose loss is the squared size of its parameters", "Q4_solution",
           model_whose_loss_is("(value * value).sum()")),
    Hollow("a model and a solver that do not learn (learning rate 1e-12)", "Q5_solution", '''\
small_data = load_coco_or_stand_in(max_train=50)
small_rnn_model = CaptioningRNN(data["word_to_idx"], input_dim=data["train_features"].shape[1], hidden_dim=512,
                                wordvec_dim=256)
small_rnn_solver = CaptioningSolver(small_rnn_model, small_data, num_epochs=50, batch_size=25, learning_rate=1e-12)
'''),
]
