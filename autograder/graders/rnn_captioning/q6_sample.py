"""Q6: CaptioningRNN.sample with the master's RNN functions: word for word against the reference under parameters
set here, its shape and type, and the captions of new scenes from parameters the master trained, scored here."""
from __future__ import annotations

from functools import lru_cache, partial

import numpy as np

from autograder.graders.rnn_captioning import PROJECTION, SCENES_DRAW, SEEDS, TRAINING_DRAW
from autograder.graders.rnn_captioning.common import captioning_model, param_values, vocabulary
from autograder.kit import Calibration, Kit, Session, graded, normal
from course_utils.data import caption_word_accuracy, references_by_image, synthetic_captions

END = vocabulary(5)["<END>"]
# seed, images, input_dim, wordvec_dim, hidden_dim, vocabulary size, max_length (None: the default)
CASES = ((6101, 6, 5, 4, 6, 10, 9), (6111, 3, 4, 3, 5, 8, None), (6121, 1, 3, 2, 4, 6, 4))


def sampled(s: Session) -> dict:
    """the words chosen for every image (up to its first <END>) match the reference."""
    out = {}
    for seed, n, input_dim, wordvec_dim, hidden_dim, vocab_size, max_length in CASES:
        params = param_values(seed, input_dim, wordvec_dim, hidden_dim, vocab_size)
        model = captioning_model(s, vocabulary(vocab_size), params, input_dim, wordvec_dim, hidden_dim)
        features = normal(seed + 20, n, input_dim, scale=2.0)
        length = {} if max_length is None else {"max_length": max_length}
        out[f"captions of {n} images, {vocab_size} words, max_length {max_length or 30}"] = \
            model.call("sample", features, **length)
    return out


def up_to_end(captions: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """``captions`` with every word after the reference's first <END> of the same row set to -1."""
    kept = np.array(captions, dtype=np.int64)
    for row, words in enumerate(reference):
        ends = np.flatnonzero(words == END)
        if len(ends):
            kept[row, ends[0] + 1:] = -1
    return kept


TRAINED = {"wordvec_dim": 128, "hidden_dim": 256}
NEW_SCENES = 200


@lru_cache(maxsize=1)
def training_draw(seed: int) -> dict:
    """Hidden draw ``seed`` of the built-in data (the secret projection), in the keys the captioning solver reads;
    the URLs, which would name the draw, left blank."""
    draw = synthetic_captions(seed=TRAINING_DRAW + seed, projection_seed=PROJECTION)
    keys = ("train_captions", "train_image_idxs", "train_features", "word_to_idx", "idx_to_word")
    return {**{key: draw[key] for key in keys}, "train_urls": [""] * len(draw["train_features"])}


def trained_params(s: Session, seed: int) -> dict:
    """The parameters of a CaptioningRNN trained by the notebook's solver on hidden draw ``seed`` (run on the
    master)."""
    draw = training_draw(seed)
    s.seed(seed)
    model = s.new("CaptioningRNN", draw["word_to_idx"], input_dim=512, **TRAINED)
    solver = s.new("CaptioningSolver", model, s.keep(draw), num_epochs=3, batch_size=100, learning_rate=3e-3,
                   verbose=False, progress=False)
    solver.call("train")
    return {"trained parameters": model.get("params")}


@lru_cache(maxsize=2)
def new_scenes(seed: int) -> tuple[np.ndarray, list[np.ndarray], dict[str, int]]:
    """Features of scenes that no child sees (the secret projection), their true captions and the vocabulary."""
    draw = synthetic_captions(num_train_images=1, num_val_images=NEW_SCENES, seed=SCENES_DRAW + seed,
                              projection_seed=PROJECTION)
    references = references_by_image(draw["val_captions"], draw["val_image_idxs"], NEW_SCENES)
    return draw["val_features"], references, draw["word_to_idx"]


def new_scene_accuracy(kit: Kit, seed: int) -> float:
    """The word accuracy, computed here, of the captions that the cell's sample writes for new scenes with the
    parameters that the master trained on hidden draw ``seed``."""
    params = kit.reference(partial(trained_params, seed=seed))["trained parameters"]
    features, references, vocab = new_scenes(seed)
    model = kit.session.new("CaptioningRNN", vocab, input_dim=512, **TRAINED)
    model.set("params", params)
    captions = kit.array(model.call("sample", features, max_length=16), (NEW_SCENES, 16), "the captions")
    return caption_word_accuracy(captions.astype(np.int64), references, vocab)


CALIBRATION = Calibration("Q6_sample", new_scene_accuracy, threshold=0.65, seeds=SEEDS, master_range=(0.800, 0.851),
                          what="word accuracy of the captions of new scenes")


@graded("Q6_sample", 1.5, timeout=180)
def test_Q6_captions_match_reference(kit: Kit) -> None:
    """the words chosen match the reference up to each caption's first <END> (parameters set here, float64), and
    the captions of new scenes are right with trained parameters (word accuracy computed here).

    The words test checks <START> first, the argmax at every step and each word fed back as the next input; the
    new scenes' parameters were trained by the master on a hidden draw of the built-in data."""
    expected, got = kit.reference(sampled), sampled(kit.session)
    for label, reference in expected.items():
        words = kit.array(got[label], reference.shape, label)
        kit.expect(bool(np.all(words == np.round(words))), "{label}: the captions should hold word indices",
                   label=label)
        kit.expect(np.array_equal(up_to_end(words, reference), up_to_end(reference, reference)),
                   "{label}: a caption differs from the reference before its <END>", label=label)
    CALIBRATION.require(kit)


@graded("Q6_sample", 0.5)
def test_Q6_shape_and_type(kit: Kit) -> None:
    """sample returns a (N, max_length) tensor of torch.long word indices, max_length 30 by default, and writes
    words into it."""
    seed, n, input_dim, wordvec_dim, hidden_dim, vocab_size, _ = CASES[0]
    model = captioning_model(kit.session, vocabulary(vocab_size), param_values(seed, input_dim, wordvec_dim,
                                                                                hidden_dim, vocab_size),
                             input_dim, wordvec_dim, hidden_dim)
    for length, arguments in ((7, {"max_length": 7}), (30, {})):
        captions = model.call("sample", normal(seed + 30, n, input_dim, scale=2.0), **arguments)
        kit.array(captions, (n, length), f"sample with max_length {length}")
        kit.expect(getattr(captions, "dtype", None) == np.int64, "sample should return a tensor of dtype torch.long")
        kit.expect(bool(np.any(np.asarray(captions) != vocabulary(vocab_size)["<NULL>"])),
                   "sample writes no word into the captions (they hold <NULL> only)")
