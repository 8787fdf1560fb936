"""Q5: the cell's model and solver overfit 50 captions of a hidden draw of the built-in data; the loss of the
trained parameters on those captions is computed here."""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from autograder.graders.rnn_captioning import SEEDS, TRAINING_DRAW
from autograder.graders.rnn_captioning.common import PARAM_NAMES, param_shapes
from autograder.kit import Calibration, Kit, graded
from course_utils.data import synthetic_captions

SMALL = 50  # captions, as the notebook's small_data


@lru_cache(maxsize=2)
def small_draw(seed: int) -> dict:
    """50 images of a hidden draw of the built-in data and one of their captions each (as the notebook's
    small_data), in the keys the captioning solver reads."""
    draw = synthetic_captions(num_train_images=SMALL, num_val_images=1, seed=TRAINING_DRAW + seed)
    rng = np.random.default_rng(seed)
    rows = [rng.choice(np.flatnonzero(draw["train_image_idxs"] == image)) for image in range(SMALL)]
    return {"train_captions": draw["train_captions"][rows], "train_image_idxs": np.arange(SMALL, dtype=np.int32),
            "train_features": draw["train_features"], "train_urls": [""] * SMALL,  # a URL would name the draw
            "word_to_idx": draw["word_to_idx"], "idx_to_word": list(draw["idx_to_word"])}


def caption_loss(params: dict[str, np.ndarray], features: np.ndarray, captions: np.ndarray, null: int) -> float:
    """The captioning loss of a vanilla-RNN model with these parameters (float64): the cross-entropy of every next
    word that is not ``null``, summed over time, averaged over the captions."""
    p = {name: np.asarray(params[name], dtype=np.float64) for name in PARAM_NAMES}
    state = features.astype(np.float64) @ p["W_proj"] + p["b_proj"]
    total = 0.0
    for t in range(captions.shape[1] - 1):
        state = np.tanh(p["W_embed"][captions[:, t]] @ p["Wx"] + state @ p["Wh"] + p["b"])
        scores = state @ p["W_vocab"] + p["b_vocab"]
        scores -= scores.max(axis=1, keepdims=True)
        log_probs = scores - np.log(np.exp(scores).sum(axis=1, keepdims=True))
        targets = captions[:, t + 1]
        total -= float(np.sum(log_probs[np.arange(len(targets)), targets] * (targets != null)))
    return total / len(captions)


def overfit_loss(kit: Kit, seed: int) -> float:
    """Train the cell's small_rnn_solver (its model, its settings) on 50 captions of hidden draw ``seed``, the
    child seeded with ``seed``; the loss of the trained parameters on those captions, computed here."""
    s = kit.session
    model, solver = s.get_kept("small_rnn_model"), s.get_kept("small_rnn_solver")
    kit.expect(model.type_name == "CaptioningRNN", "small_rnn_model should be a CaptioningRNN")
    kit.expect(solver.type_name == "CaptioningSolver", "small_rnn_solver should be a CaptioningSolver (the course's, "
               "not a class of your own)")
    small = small_draw(seed)
    solver.set("data", small)
    solver.set("verbose", False)
    solver.set("progress", False)
    s.seed(seed)
    solver.call("train")
    params = model.get("params")
    kit.expect(isinstance(params, dict) and all(name in params for name in PARAM_NAMES),
               "small_rnn_model.params should hold W_proj, b_proj, W_embed, Wx, Wh, b, W_vocab and b_vocab")
    vocab_size = len(small["word_to_idx"])
    shapes = param_shapes(512, 256, 512, vocab_size)
    arrays = {name: kit.array(params[name], shapes[name], name) for name in PARAM_NAMES}
    features = small["train_features"][small["train_image_idxs"]]
    return caption_loss(arrays, features, small["train_captions"], small["word_to_idx"]["<NULL>"])


CALIBRATION = Calibration("Q5_overfit", overfit_loss, threshold=0.25, seeds=SEEDS, master_range=(0.014, 0.066),
                          what="loss on 50 captions of a hidden draw after training", lower_is_better=True)


@graded("Q5_overfit", 1, timeout=180)
def test_Q5_overfits_fifty_captions(kit: Kit) -> None:
    """the model and solver of the cell (hidden_dim 512, wordvec_dim 256, 50 epochs of batches of 25, learning rate
    5e-3) learn 50 captions of a hidden draw: the loss of the trained parameters on them is small."""
    CALIBRATION.require(kit)
