import re

import numpy as np
import pytest
import torch

from course_utils.data import (CAPTION_WORDS, COCO_KEYS, COLOUR_RGB, COLOURS, SCENE_ATTRIBUTES, SHAPES,
                               SPECIAL_TOKENS, caption_word_accuracy, decode_captions, image_from_url, load_coco_data,
                               load_coco_or_stand_in, references_by_image, render_scene, scene_attributes,
                               synthetic_captions)
from tests.course_utils.coco_files import write_coco

COLOUR = "|".join([*COLOURS, "<UNK>"])
SHAPE = "|".join(SHAPES)
OBJECT = rf"(?:<UNK> )?(?:{COLOUR}) (?:{SHAPE})"
RELATIONS = {"left of": (0, 0), "to the left of": (0, 0), "right of": (0, 1), "to the right of": (0, 1),
             "above": (1, 0), "over": (1, 0), "below": (1, 1), "under": (1, 1)}  # (stacked, subject is second)
SENTENCE = re.compile(rf"<START> (?:there is )?a (?P<subject>{OBJECT}) (?P<relation>{'|'.join(RELATIONS)}) "
                      rf"a (?P<other>{OBJECT}) <END>")


@pytest.fixture(scope="module")
def data():
    return synthetic_captions()


def test_the_same_seed_gives_the_same_set_and_another_seed_another(data):
    again = synthetic_captions()
    other = synthetic_captions(seed=1)
    for key in COCO_KEYS:
        if isinstance(data[key], np.ndarray):
            np.testing.assert_array_equal(data[key], again[key])
    assert data["idx_to_word"] == again["idx_to_word"] and data["word_to_idx"] == again["word_to_idx"]
    assert not np.array_equal(data["train_captions"], other["train_captions"])
    assert not np.array_equal(data["val_features"], other["val_features"])


def test_train_and_val_scenes_come_from_different_streams(data):
    train, val = scene_attributes(data["train_urls"][:100]), scene_attributes(data["val_urls"][:100])
    assert (train != val).any(axis=1).mean() > 0.9
    assert not np.allclose(data["train_features"][:100], data["val_features"][:100])


def test_keys_shapes_and_dtypes_are_those_of_load_coco_data(data, tmp_path):
    write_coco(tmp_path / "coco")
    coco = load_coco_data(tmp_path / "coco")
    assert list(data) == list(coco) == list(COCO_KEYS)
    for key in COCO_KEYS:
        assert type(data[key]) is type(coco[key])
        if isinstance(data[key], np.ndarray):
            assert data[key].ndim == coco[key].ndim and data[key].dtype.kind == coco[key].dtype.kind
            assert data[key].dtype.kind == "U" or data[key].dtype == coco[key].dtype
    assert data["train_captions"].shape == (2000 * 5, 17) and data["val_captions"].shape == (500 * 5, 17)
    assert data["train_captions"].dtype == data["train_image_idxs"].dtype == np.int32
    assert data["train_features"].shape == (2000, 512) and data["val_features"].shape == (500, 512)
    assert data["train_features"].dtype == np.float32
    assert data["train_urls"].shape == (2000,) and data["val_urls"][7] == "scene://val/0/7"
    np.testing.assert_array_equal(data["val_image_idxs"], np.repeat(np.arange(500), 5))


def test_the_vocabulary_is_the_special_tokens_then_the_grammar_words(data):
    assert data["idx_to_word"] == [*SPECIAL_TOKENS, *CAPTION_WORDS]
    assert data["idx_to_word"][:4] == ["<NULL>", "<START>", "<END>", "<UNK>"]
    assert all(data["word_to_idx"][word] == i for i, word in enumerate(data["idx_to_word"]))


def test_captions_are_start_words_end_then_null_padding(data):
    for captions in (data["train_captions"], data["val_captions"]):
        assert (captions[:, 0] == 1).all() and ((captions == 1).sum(axis=1) == 1).all()
        assert ((captions == 2).sum(axis=1) == 1).all()
        end = np.argmax(captions == 2, axis=1)
        after = np.arange(17)[None, :] > end[:, None]
        assert (captions[after] == 0).all() and (captions[~after] != 0).all()


def _object(text: str) -> tuple[str, str, bool]:
    """(colour, shape, rare word) of a mentioned object; the colour is None where "crimson" became <UNK>."""
    words = text.split()
    if len(words) == 3:
        return words[1], words[2], True
    return (None if words[0] == "<UNK>" else words[0]), words[1], words[0] == "<UNK>"


@pytest.mark.parametrize("split", ["train", "val"])
def test_every_caption_is_a_sentence_of_the_grammar_about_its_own_scene(data, split):
    scenes = scene_attributes(data[f"{split}_urls"])
    for text, image in zip(decode_captions(data[f"{split}_captions"], data["idx_to_word"]),
                           data[f"{split}_image_idxs"]):
        match = SENTENCE.fullmatch(text)
        assert match, text
        stacked, subject_second = RELATIONS[match["relation"]]
        scene = scenes[image]
        assert scene[0] == stacked, (text, scene)
        first, second = (scene[1], scene[2]), (scene[3], scene[4])
        said = [_object(match["subject"]), _object(match["other"])]
        assert sum(rare for _, _, rare in said) <= 1
        for (colour, shape, _), (true_colour, true_shape) in zip(said, (second, first) if subject_second
                                                                 else (first, second)):
            assert shape == SHAPES[true_shape], (text, scene)
            assert colour == COLOURS[true_colour] or (colour is None and COLOURS[true_colour] == "red"), (text, scene)


def test_the_first_caption_of_each_image_is_the_plain_phrasing(data):
    first = decode_captions(data["val_captions"][::5], data["idx_to_word"])
    plain = [t for t in first if "<UNK>" not in t]
    assert all(t.startswith("<START> a ") and re.search(" (left of|above) a ", t) for t in plain)


def test_unk_occurs_but_rarely(data):
    with_unk = (data["train_captions"] == data["word_to_idx"]["<UNK>"]).any(axis=1).mean()
    assert 0.01 < with_unk < 0.1
    phrasings = {t for t in decode_captions(data["train_captions"][:500], data["idx_to_word"])}
    assert len(phrasings) > 300, "captions of one image are different phrasings"


def test_a_linear_probe_reads_the_scene_from_the_features(data):
    sizes = (2, 5, 4, 5, 4, 3, 3, 3, 3)

    def one_hot(attributes):
        return np.concatenate([np.eye(size)[attributes[:, k]] for k, size in enumerate(sizes)], axis=1)

    train, val = scene_attributes(data["train_urls"]), scene_attributes(data["val_urls"])
    X = np.hstack([data["train_features"], np.ones((2000, 1))])
    weights = np.linalg.solve(X.T @ X + 1.0 * np.eye(X.shape[1]), X.T @ one_hot(train))
    scores = np.hstack([data["val_features"], np.ones((500, 1))]) @ weights
    starts = np.cumsum((0, *sizes))
    predicted = np.stack([scores[:, a:b].argmax(axis=1) for a, b in zip(starts[:-1], starts[1:])], axis=1)
    assert (predicted == val).mean() >= 0.95
    assert len(SCENE_ATTRIBUTES) == len(sizes)


def test_features_look_like_pca_features(data):
    features = data["train_features"]
    assert abs(float(features.mean())) < 0.05 and 0.8 < float(features.std()) < 1.2
    assert np.abs(features.mean(axis=0)).max() < 0.2


def _colour_pixels(image: np.ndarray, colour: str) -> np.ndarray:
    """(row, column) of the pixels painted ``colour`` (up to the noise)."""
    distance = np.linalg.norm(image.astype(float) - np.array(COLOUR_RGB[colour]), axis=2)
    return np.argwhere(distance < 40)


def test_render_scene_draws_the_captioned_colours_where_the_caption_says(data):
    scenes = scene_attributes(data["val_urls"][:40])
    for index, text in enumerate(decode_captions(data["val_captions"][:200:5], data["idx_to_word"])):
        image = render_scene(data["val_urls"][index])
        assert image.shape == (64, 64, 3) and image.dtype == np.uint8
        match = SENTENCE.fullmatch(text)
        stacked, subject_second = RELATIONS[match["relation"]]
        subject = COLOURS[scenes[index][3 if subject_second else 1]]
        other = COLOURS[scenes[index][1 if subject_second else 3]]
        assert subject in text or "<UNK>" in text
        at_subject, at_other = _colour_pixels(image, subject), _colour_pixels(image, other)
        assert len(at_subject) > 20 and len(at_other) > 20, text
        axis = 0 if stacked else 1  # rows for above/below, columns for left/right
        before = at_subject[:, axis].mean() < at_other[:, axis].mean()
        assert before != bool(subject_second), text


def test_render_scene_is_deterministic_and_takes_a_size(data):
    url = data["train_urls"][123]
    np.testing.assert_array_equal(render_scene(url), render_scene(url))
    np.testing.assert_array_equal(image_from_url(url), render_scene(url))
    assert render_scene(url, size=32).shape == (32, 32, 3)
    assert not np.array_equal(render_scene(url), render_scene(data["train_urls"][124]))
    with pytest.raises(ValueError):
        render_scene("scene://test/0/1")


def _tokens(text: str, word_to_idx: dict[str, int]) -> list[int]:
    return [word_to_idx[word] for word in text.split()]


def _reference(text: str, word_to_idx: dict[str, int]) -> np.ndarray:
    tokens = _tokens(f"<START> {text} <END>", word_to_idx)
    return np.array(tokens + [0] * (17 - len(tokens)))


def _sampled(text: str, word_to_idx: dict[str, int], fill: str = "<NULL>", length: int = 16) -> np.ndarray:
    tokens = _tokens(text, word_to_idx)
    return np.array(tokens + [word_to_idx[fill]] * (length - len(tokens)))


def test_caption_word_accuracy_on_hand_made_captions(data):
    w = data["word_to_idx"]
    truth = "a red circle left of a blue square"  # 8 words, 9 tokens with <END>
    refs = [np.stack([_reference(truth, w), _reference("a blue square right of a red circle", w)])]

    def score(text, fill="<NULL>"):
        return caption_word_accuracy(_sampled(text, w, fill)[None], refs, w)

    assert score(f"{truth} <END>") == 1.0
    assert score(f"{truth} <END>", fill="circle") == 1.0, "positions after <END> are ignored"
    assert score("a red circle left of a green square <END>") == pytest.approx(8 / 9)
    assert score("a red circle <END> left of a blue square <END>") == pytest.approx(3 / 9), "stops at the first <END>"
    assert score("a blue square right of a red circle <END>") == 1.0, "the best reference counts"
    assert score("a red circle left of a blue square", fill="a") == pytest.approx(8 / 16), "no <END>: the whole row"
    assert score("a <NULL> circle left of a blue square <END>") == pytest.approx(8 / 9), "<NULL> before <END> is a word"
    seven = "a red circle above a blue square"  # 7 words, 8 tokens with <END>: one wrong word leaves 7 of 8
    assert caption_word_accuracy(_sampled("a red circle above a blue circle <END>", w)[None],
                                 [_reference(seven, w)[None]], w) == pytest.approx(7 / 8)


def test_caption_word_accuracy_averages_images_and_takes_tensors(data):
    w = data["word_to_idx"]
    sampled = np.stack([_sampled("a red circle above a blue square <END>", w),
                        _sampled("a green diamond <END>", w)])
    refs = [_reference("a red circle above a blue square", w)[None],
            _reference("a green diamond over a red circle", w)[None]]
    expected = (1.0 + 3 / 8) / 2  # "a green diamond" matches 3 of the 8 reference tokens
    assert caption_word_accuracy(sampled, refs, w) == pytest.approx(expected)
    assert caption_word_accuracy(torch.tensor(sampled), refs, w) == pytest.approx(expected)
    assert caption_word_accuracy(sampled, [refs[0], np.zeros((0, 17), int)], w) == pytest.approx(0.5)
    with pytest.raises(ValueError):
        caption_word_accuracy(sampled, refs[:1], w)


def test_the_true_captions_score_one_against_their_references(data):
    references = references_by_image(data["val_captions"], data["val_image_idxs"], 500)
    assert len(references) == 500 and all(r.shape == (5, 17) for r in references)
    np.testing.assert_array_equal(references[3], data["val_captions"][15:20])
    plain = data["val_captions"][::5, 1:]  # as a model samples them: no <START>
    assert caption_word_accuracy(plain, references, data["word_to_idx"]) == 1.0
    shuffled = np.roll(plain, 1, axis=0)
    assert caption_word_accuracy(shuffled, references, data["word_to_idx"]) < 0.8


def test_references_by_image_keeps_images_without_captions():
    captions = np.arange(4 * 17).reshape(4, 17)
    references = references_by_image(captions, np.array([2, 0, 2, 0]), 4)
    assert [len(r) for r in references] == [2, 0, 2, 0]
    np.testing.assert_array_equal(references[2], captions[[0, 2]])
    assert references[1].shape == (0, 17)
    with pytest.raises(ValueError):
        references_by_image(captions, np.array([0, 1, 2, 4]), 4)


def test_max_train_draws_captions_of_distinct_images_with_numpy_global_seed(tmp_path, monkeypatch, capsys, data):
    monkeypatch.setenv("COURSE_DATASETS", str(tmp_path))
    draws = []
    for _ in range(2):
        np.random.seed(231)
        draws.append(load_coco_or_stand_in(max_train=50))
    small = draws[0]
    np.testing.assert_array_equal(small["train_captions"], draws[1]["train_captions"])
    assert len(set(small["train_image_idxs"].tolist())) == 50
    rows = {tuple(row) for row in data["train_captions"].tolist()}
    for caption, image in zip(small["train_captions"], small["train_image_idxs"]):
        assert tuple(caption.tolist()) in rows
        assert any(np.array_equal(caption, c) for c in data["train_captions"][data["train_image_idxs"] == image])
    assert small["train_features"].shape == (2000, 512) and small["val_captions"].shape == (2500, 17)
    with pytest.raises(ValueError, match="max_train"):
        load_coco_or_stand_in(max_train=2001)


def test_load_coco_or_stand_in_uses_the_real_files_when_present(tmp_path, monkeypatch, capsys):
    written = write_coco(tmp_path / "coco_captioning")
    monkeypatch.setenv("COURSE_DATASETS", str(tmp_path))
    data = load_coco_or_stand_in()
    out = capsys.readouterr().out
    assert out.startswith("Using the real COCO captions from ") and out.count("\n") == 1
    assert "12 train captions of 5 images" in out
    np.testing.assert_array_equal(data["val_captions"], written["val_captions"])
    np.random.seed(0)
    assert load_coco_or_stand_in(max_train=3)["train_captions"].shape == (3, 17)
    assert load_coco_or_stand_in(pca_features=False)["train_features"].shape[1] == written["train_features"].shape[1]


def test_load_coco_or_stand_in_falls_back_to_the_built_in_captions(tmp_path, monkeypatch, capsys, data):
    monkeypatch.setenv("COURSE_DATASETS", str(tmp_path))
    stand_in = load_coco_or_stand_in()
    out = capsys.readouterr().out
    assert out.startswith("Using the built-in captions stand-in (") and "not found" in out and out.count("\n") == 1
    np.testing.assert_array_equal(stand_in["train_captions"], data["train_captions"])
    write_coco(tmp_path / "coco_captioning")
    (tmp_path / "coco_captioning" / "train2014_urls.txt").unlink()
    load_coco_or_stand_in()
    assert "incomplete: run datasets/get_datasets coco" in capsys.readouterr().out


def test_another_projection_changes_the_features_alone():
    public, secret = synthetic_captions(20, 5, seed=3), synthetic_captions(20, 5, seed=3, projection_seed=99)
    for key in ("train_captions", "train_image_idxs", "val_captions", "train_urls"):
        np.testing.assert_array_equal(public[key], secret[key])
    assert np.abs(np.corrcoef(public["train_features"].ravel(), secret["train_features"].ravel())[0, 1]) < 0.2
    assert abs(float(secret["train_features"].std()) - 1.0) < 0.1
