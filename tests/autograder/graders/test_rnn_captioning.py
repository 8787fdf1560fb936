"""The rnn_captioning grader's own computations: the loss it computes from trained parameters is the notebook's,
and its hidden draws are the ones it promises."""
import numpy as np
import torch

from autograder.graders.rnn_captioning.common import param_values, vocabulary
from autograder.graders.rnn_captioning.q4_loss import captions
from autograder.graders.rnn_captioning.q5_overfit import SMALL, caption_loss, small_draw
from tests.conftest import ROOT


def master_namespace() -> dict:
    """The master's RNN functions, given layers and CaptioningRNN, run in this process (trusted code)."""
    from autograder.assignments import load_assignment
    from autograder.engine import load_grader

    grader = load_grader("rnn_captioning", load_assignment(ROOT, "rnn_captioning").notebooks[0])
    namespace = {}
    for name in ("Q1_solution", "Q2_solution", "Q3_solution", "given_temporal_layers", "Q4_solution"):
        source = grader.master_cells.get(name) or dict(grader.setup)[name]
        exec(compile("import numpy as np\nimport torch\n" + source, name, "exec"), namespace)
    return namespace


def test_the_loss_computed_from_trained_parameters_is_the_notebooks_loss():
    namespace = master_namespace()
    for seed, n, length, input_dim, wordvec_dim, hidden_dim, vocab_size in ((1, 5, 9, 6, 4, 7, 11), (2, 1, 4, 3, 2, 3, 6)):
        vocab = vocabulary(vocab_size)
        params = param_values(seed, input_dim, wordvec_dim, hidden_dim, vocab_size)
        features = np.random.default_rng(seed).standard_normal((n, input_dim))
        words = captions(seed, n, length, vocab_size, padded=True)
        model = namespace["CaptioningRNN"](vocab, input_dim=input_dim, wordvec_dim=wordvec_dim, hidden_dim=hidden_dim,
                                           dtype=torch.float64)
        model.params = {name: torch.from_numpy(value) for name, value in params.items()}
        expected = model.loss(torch.from_numpy(features), torch.from_numpy(words)).item()
        assert abs(caption_loss(params, features, words, vocab["<NULL>"]) - expected) < 1e-10 * max(1.0, expected)


def test_the_overfitting_draw_is_fifty_images_with_one_caption_each():
    small = small_draw(0)
    assert small["train_captions"].shape == (SMALL, 17) and len(small["train_features"]) == SMALL
    np.testing.assert_array_equal(small["train_image_idxs"], np.arange(SMALL))
    assert all(row[0] == small["word_to_idx"]["<START>"] for row in small["train_captions"])
    assert not np.array_equal(small_draw(1)["train_features"], small["train_features"])


def test_the_padded_captions_have_different_lengths_and_end_before_their_padding():
    words = captions(4101, 4, 8, 9, padded=True)
    lengths = [int(np.argmax(row == vocabulary(9)["<END>"])) for row in words]
    assert len(set(lengths)) == 4 and lengths[0] == 2
    assert all(np.all(row[end + 1:] == 0) and np.all(row[1:end] >= 3) for row, end in zip(words, lengths))
    assert not np.any(captions(4101, 4, 8, 9, padded=False) == 0)

