"""Built-in captioning data for when COCO is absent: two coloured shapes per image, captioned by a small grammar.

Each image shows two objects, a colour (``COLOURS``) and a shape (``SHAPES``) each, of different colours, one
clearly left of or above the other: they sit in two cells of a 3x3 grid that share a row (side by side) or a
column (one above the other). Its captions are phrasings of the same fact::

    caption  := ["there is"] object relation object
    object   := "a" colour shape
    relation := "left of" | "to the left of" | "right of" | "to the right of" | "above" | "over" | "below" | "under"

The subject is either object and the relation follows; the first caption of every image is the plain
``a <left/top object> left of|above a <other object>``, the others different phrasings. About one caption in
25 holds a rare word (``RARE_WORDS``: "tiny" or "shiny" before a colour, "crimson" for red) that the vocabulary
lacks, so it is encoded as ``<UNK>``. Captions are ``<START> ... <END>`` padded with ``<NULL>`` to 17.

The 512-d feature of an image is its scene code (one-hot: side by side or stacked, colour and shape of the
left/top object and of the other, the grid row and column of each; 32 numbers, centred) times a fixed random
projection, plus Gaussian noise, scaled to unit variance: a linear read-out recovers the scene, and images of
the same scene share a feature up to the noise. Each split has its own generators (``default_rng([seed, split,
stream])``) for scenes, captions and noise; image ``index`` takes numbers ``13 * index`` to ``13 * index + 12`` of
its split's scene stream, so ``render_scene`` redraws one image from its URL ``scene://<split>/<seed>/<index>``
alone, jumping to them.
"""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from course_utils.data.coco import (_SCENE_SCHEME, COCO_FOLDER, COCO_KEYS, _read_coco,
                                    coco_present)
from course_utils.data.common import _check_counts, datasets_dir, shown_folder

CAPTION_LENGTH = 17
COLOURS = ("red", "green", "blue", "yellow", "purple")
SHAPES = ("circle", "square", "triangle", "diamond")
SPECIAL_TOKENS = ("<NULL>", "<START>", "<END>", "<UNK>")
CAPTION_WORDS = ("a", "there", "is", *COLOURS, *SHAPES, "to", "the", "left", "right", "of", "above", "over", "below",
                 "under")
RARE_WORDS = ("tiny", "shiny", "crimson")
COLOUR_RGB = {"red": (215, 40, 40), "green": (40, 160, 60), "blue": (45, 85, 215), "yellow": (235, 200, 30),
              "purple": (135, 55, 165)}
# the columns of scene_attributes: side by side (0) or stacked (1), then the left/top object, then the other
SCENE_ATTRIBUTES = ("stacked", "first_colour", "first_shape", "second_colour", "second_shape",
                    "first_row", "first_column", "second_row", "second_column")
FEATURE_DIM = 512

_ATTRIBUTE_SIZES = (2, len(COLOURS), len(SHAPES), len(COLOURS), len(SHAPES), 3, 3, 3, 3)
_SPLIT_CODES = {"train": 0, "val": 1}
_SCENE_STREAM, _CAPTION_STREAM, _NOISE_STREAM, _RENDER_STREAM = 1, 2, 3, 4
_SCENE_DRAWS = 13  # uniform numbers behind one scene
_PROJECTION_SEED = 20_140_000  # a constant: the projection is the same for every split and seed
_NOISE = 0.25  # noise std relative to the scene signal in each feature
_RARE_RATE = 0.04
# relation words by (stacked, subject is the second object, style)
_RELATIONS = {
    (0, 0, 0): ("left", "of"), (0, 0, 1): ("to", "the", "left", "of"),
    (0, 1, 0): ("right", "of"), (0, 1, 1): ("to", "the", "right", "of"),
    (1, 0, 0): ("above",), (1, 0, 1): ("over",), (1, 1, 0): ("below",), (1, 1, 1): ("under",),
}
_PHRASINGS = 8  # subject (2) x relation style (2) x "there is" or not (2); phrasing 0 is the plain one


def _scene_draws(split: str, seed: int, first: int, count: int) -> np.ndarray:
    """The uniform numbers (count, _SCENE_DRAWS) behind images ``first`` .. ``first + count - 1`` of a split.

    All images of a split read one stream, ``_SCENE_DRAWS`` numbers each; one image jumps straight to its own
    (``advance``: each float64 takes one 64-bit step), so drawing it costs the same whatever its index.
    """
    rng = np.random.default_rng([seed, _SPLIT_CODES[split], _SCENE_STREAM])
    rng.bit_generator.advance(_SCENE_DRAWS * first)
    return rng.random((count, _SCENE_DRAWS))


def _scenes(draws: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Scenes from their uniform numbers: attributes int64 (n, 9) as ``SCENE_ATTRIBUTES``, object centres (n, 2, 2)
    as (row, column) and radii (n, 2), both in units of the image side."""
    def pick(column: int, choices: int) -> np.ndarray:
        return np.floor(draws[:, column] * choices).astype(np.int64)

    stacked = pick(0, 2)
    first_colour = pick(1, len(COLOURS))
    second_colour = (first_colour + 1 + pick(2, len(COLOURS) - 1)) % len(COLOURS)
    along = np.array([(0, 1), (0, 2), (1, 2)])[pick(5, 3)]  # the two cells along the relation's axis
    across = np.repeat(pick(6, 3)[:, None], 2, axis=1)  # the row (side by side) or column (stacked) they share
    rows = np.where(stacked[:, None] == 1, along, across)
    columns = np.where(stacked[:, None] == 1, across, along)
    attributes = np.stack([stacked, first_colour, pick(3, len(SHAPES)), second_colour, pick(4, len(SHAPES)),
                           rows[:, 0], columns[:, 0], rows[:, 1], columns[:, 1]], axis=1)
    cells = np.stack([rows, columns], axis=2)  # (n, object, row or column)
    centres = (cells + 0.5) / 3 + (draws[:, 7:11].reshape(-1, 2, 2) - 0.5) * 0.08
    radii = 0.08 + 0.04 * draws[:, 11:13]
    return attributes, centres, radii


def _scene_url(split: str, seed: int, index: int) -> str:
    return f"{_SCENE_SCHEME}{split}/{seed}/{index}"


def _parse_scene_url(url: str) -> tuple[str, int, int]:
    parts = url[len(_SCENE_SCHEME):].split("/") if url.startswith(_SCENE_SCHEME) else []
    if len(parts) != 3 or parts[0] not in _SPLIT_CODES or not (parts[1].isdigit() and parts[2].isdigit()):
        raise ValueError(f"not a scene URL (scene://train|val/<seed>/<index>): {url!r}")
    return parts[0], int(parts[1]), int(parts[2])


def scene_attributes(urls: Any) -> np.ndarray:
    """The scenes behind ``scene://`` URLs as int64 (N, 9), columns ``SCENE_ATTRIBUTES``: stacked (0 side by side,
    1 one above the other), colour and shape indices (``COLOURS``, ``SHAPES``) of the left/top object and of the
    other, and the 3x3 grid row and column of each."""
    rows = [_scenes(_scene_draws(split, seed, index, 1))[0]
            for split, seed, index in map(_parse_scene_url, np.atleast_1d(urls).tolist())]
    return np.concatenate(rows) if rows else np.zeros((0, len(SCENE_ATTRIBUTES)), dtype=np.int64)


def _shape_mask(shape: int, dy: np.ndarray, dx: np.ndarray) -> np.ndarray:
    """Inside of ``SHAPES[shape]`` at offsets ``dy``, ``dx`` from its centre in units of its radius (y down)."""
    if shape == 0:
        return dy**2 + dx**2 <= 1.0
    if shape == 1:
        return np.maximum(np.abs(dy), np.abs(dx)) <= 0.8
    if shape == 2:
        return (dy <= 0.8) & (np.abs(dx) <= (dy + 1.0) / 1.8)
    return np.abs(dy) + np.abs(dx) <= 1.1


def render_scene(url: str, size: int = 64) -> np.ndarray:
    """The image of a ``scene://<split>/<seed>/<index>`` URL, uint8 (size, size, 3), the same on every call."""
    if isinstance(size, bool) or int(size) != size or size < 1:
        raise ValueError(f"size must be a positive integer, got {size!r}")
    split, seed, index = _parse_scene_url(url)
    (attributes,), (centres,), (radii,) = _scenes(_scene_draws(split, seed, index, 1))
    rng = np.random.default_rng([seed, _SPLIT_CODES[split], _RENDER_STREAM, index])  # background and pixel noise
    grid = (np.arange(size) + 0.5) / size
    image = np.empty((size, size, 3))
    image[:] = rng.uniform(0.85, 0.95)
    for obj in range(2):
        colour, shape = attributes[1 + 2 * obj], attributes[2 + 2 * obj]
        dy = (grid[:, None] - centres[obj, 0]) / radii[obj]
        dx = (grid[None, :] - centres[obj, 1]) / radii[obj]
        image[_shape_mask(shape, dy, dx)] = np.array(COLOUR_RGB[COLOURS[colour]]) / 255.0
    image += rng.normal(0.0, 0.02, image.shape)
    return np.round(np.clip(image, 0.0, 1.0) * 255.0).astype(np.uint8)


@lru_cache(maxsize=4)
def _projection(projection_seed: int = _PROJECTION_SEED) -> tuple[np.ndarray, np.ndarray]:
    """(mean scene code (32,), projection (32, 512)) scaled so that a projected centred code has unit variance.

    The mean is exact: colours and shapes are uniform, and the 18 grid layouts (side by side or stacked, one of
    three cell pairs, one of three shared rows or columns) equally likely.
    """
    layouts = np.full((18, _SCENE_DRAWS), 0.5)
    layouts[:, [0, 5, 6]] = [((a + 0.5) / 2, (b + 0.5) / 3, (c + 0.5) / 3)
                             for a in range(2) for b in range(3) for c in range(3)]
    mean = _one_hot(_scenes(layouts)[0]).mean(axis=0)
    offsets = np.cumsum((0, *_ATTRIBUTE_SIZES))
    for block in range(1, 5):  # the colour and shape blocks
        mean[offsets[block]:offsets[block + 1]] = 1.0 / _ATTRIBUTE_SIZES[block]
    variance = float(np.sum(mean * (1.0 - mean)))
    projection = np.random.default_rng(projection_seed).standard_normal((offsets[-1], FEATURE_DIM))
    return mean, projection / np.sqrt(variance)


def _one_hot(attributes: np.ndarray) -> np.ndarray:
    """(N, 9) attributes as (N, 32) float64 one-hot blocks, one block per column of ``SCENE_ATTRIBUTES``."""
    offsets = np.cumsum((0, *_ATTRIBUTE_SIZES))
    code = np.zeros((len(attributes), offsets[-1]))
    for column, offset in enumerate(offsets[:-1]):
        code[np.arange(len(attributes)), offset + attributes[:, column]] = 1.0
    return code


def _features(attributes: np.ndarray, rng: np.random.Generator, projection_seed: int) -> np.ndarray:
    mean, projection = _projection(projection_seed)
    signal = (_one_hot(attributes) - mean) @ projection
    noisy = signal + _NOISE * rng.standard_normal(signal.shape)
    return (noisy / np.sqrt(1.0 + _NOISE**2)).astype(np.float32)


def _caption_words(scene: tuple[int, ...], phrasing: int, rare: tuple[int, int] | None = None) -> list[str]:
    """The words of one caption of a scene (its first five attributes): ``phrasing`` (0-7) picks the subject,
    the relation's style and "there is"; ``rare`` = (object as mentioned, variant) slips in a rare word:
    variant 0 is "crimson" for a red object ("tiny" otherwise), 1 "tiny", 2 "shiny", before the colour."""
    stacked, first_colour, first_shape, second_colour, second_shape = scene[:5]
    objects = [[COLOURS[first_colour], SHAPES[first_shape]], [COLOURS[second_colour], SHAPES[second_shape]]]
    subject, style, there = phrasing & 1, (phrasing >> 1) & 1, (phrasing >> 2) & 1
    mentioned = [objects[subject], objects[1 - subject]]
    if rare is not None:
        target, variant = mentioned[rare[0]], rare[1]
        if variant == 0 and target[0] == "red":
            target[0] = "crimson"
        else:
            target.insert(0, "shiny" if variant == 2 else "tiny")
    return [*(("there", "is") if there else ()), "a", *mentioned[0], *_RELATIONS[stacked, subject, style],
            "a", *mentioned[1]]


def _encode(words: list[str], word_to_idx: dict[str, int]) -> list[int]:
    unknown = word_to_idx["<UNK>"]
    tokens = [word_to_idx["<START>"], *(word_to_idx.get(word, unknown) for word in words), word_to_idx["<END>"]]
    return tokens + [word_to_idx["<NULL>"]] * (CAPTION_LENGTH - len(tokens))


def _captions(attributes: np.ndarray, captions_per_image: int, rng: np.random.Generator,
              word_to_idx: dict[str, int]) -> np.ndarray:
    """int32 (n * captions_per_image, 17): each image's plain caption, then other phrasings in random order
    (repeats only past eight), about ``_RARE_RATE`` of them with a rare word.

    Captions without a rare word are encoded once per (scene, phrasing) and looked up.
    """
    n = len(attributes)
    order = 1 + np.argsort(rng.random((n, _PHRASINGS - 1)), axis=1)
    repeats = rng.integers(_PHRASINGS, size=(n, max(captions_per_image - _PHRASINGS, 0)))
    phrasings = np.concatenate([np.zeros((n, 1), np.int64), order, repeats], axis=1)[:, :captions_per_image]
    rare = rng.random((n, captions_per_image, 3))
    scenes = np.repeat(attributes[:, :5], captions_per_image, axis=0)
    keys = np.concatenate([scenes, phrasings.reshape(-1, 1)], axis=1)
    unique, inverse = np.unique(keys, axis=0, return_inverse=True)
    table = np.array([_encode(_caption_words(tuple(key[:5]), key[5]), word_to_idx) for key in unique.tolist()],
                     dtype=np.int32).reshape(-1, CAPTION_LENGTH)
    captions = table[inverse.reshape(-1)]
    rare = rare.reshape(-1, 3)
    for row in np.flatnonzero(rare[:, 0] < _RARE_RATE).tolist():
        slip = (int(rare[row, 1] < 0.5), int(rare[row, 2] * 3))
        captions[row] = _encode(_caption_words(tuple(keys[row, :5].tolist()), int(keys[row, 5]), slip), word_to_idx)
    return captions


def _split(split: str, num_images: int, captions_per_image: int, seed: int, word_to_idx: dict[str, int],
           projection_seed: int) -> dict[str, np.ndarray]:
    code = _SPLIT_CODES[split]
    attributes, _, _ = _scenes(_scene_draws(split, seed, 0, num_images))
    captions = _captions(attributes, captions_per_image, np.random.default_rng([seed, code, _CAPTION_STREAM]),
                         word_to_idx)
    return {
        f"{split}_captions": captions,
        f"{split}_image_idxs": np.repeat(np.arange(num_images, dtype=np.int32), captions_per_image),
        f"{split}_features": _features(attributes, np.random.default_rng([seed, code, _NOISE_STREAM]),
                                       projection_seed),
        f"{split}_urls": np.array([_scene_url(split, seed, index) for index in range(num_images)], dtype=str),
    }


def synthetic_captions(num_train_images: int = 2000, num_val_images: int = 500, captions_per_image: int = 5,
                       seed: int = 0, projection_seed: int = _PROJECTION_SEED) -> dict[str, Any]:
    """The built-in captioning set, shaped like ``load_coco_data``.

    ``train_captions`` int32 (num_train_images * captions_per_image, 17), ``train_image_idxs`` int32 (grouped by
    image), ``val_captions``, ``val_image_idxs``, ``train_features`` float32 (num_train_images, 512),
    ``val_features``, ``idx_to_word`` (list, ``SPECIAL_TOKENS`` then ``CAPTION_WORDS``), ``word_to_idx`` (dict),
    ``train_urls`` / ``val_urls`` (``scene://<split>/<seed>/<index>``, which ``render_scene`` and
    ``image_from_url`` draw). Deterministic in ``seed``; train and val scenes come from different generators.
    ``projection_seed`` draws the features' projection (the same for every split and seed unless given): a grader
    that wants features no public code decodes gives a secret one.
    """
    _check_counts(num_train_images=num_train_images, num_val_images=num_val_images, seed=seed)
    if isinstance(captions_per_image, bool) or int(captions_per_image) != captions_per_image or captions_per_image < 1:
        raise ValueError(f"captions_per_image must be a positive integer, got {captions_per_image!r}")
    idx_to_word = [*SPECIAL_TOKENS, *CAPTION_WORDS]
    word_to_idx = {word: index for index, word in enumerate(idx_to_word)}
    parts: dict[str, Any] = {"idx_to_word": idx_to_word, "word_to_idx": word_to_idx}
    for split, count in (("train", num_train_images), ("val", num_val_images)):
        parts.update(_split(split, int(count), int(captions_per_image), int(seed), word_to_idx, int(projection_seed)))
    return {key: parts[key] for key in COCO_KEYS}


def _caption_sizes(data: dict[str, Any]) -> str:
    return (f"{len(data['train_captions'])} train captions of {len(data['train_features'])} images / "
            f"{len(data['val_captions'])} val captions of {len(data['val_features'])} images, "
            f"{len(data['idx_to_word'])} words")


def load_coco_or_stand_in(max_train: int | None = None, pca_features: bool = True,
                          base_dir: str | os.PathLike | None = None, seed: int = 0) -> dict[str, Any]:
    """``load_coco_data`` if the COCO files are there, else ``synthetic_captions(seed=seed)``; prints one line
    saying which.

    ``base_dir`` defaults to ``datasets_dir() / "coco_captioning"``. ``max_train`` subsamples either's training
    captions as ``load_coco_data`` does (``np.random.randint``); ``pca_features`` only applies to COCO (the
    built-in features are always 512-d), ``seed`` only to the stand-in. A complete folder whose files are broken
    raises instead of falling back.
    """
    folder = Path(base_dir) if base_dir is not None else datasets_dir() / COCO_FOLDER
    if coco_present(folder):
        data = _read_coco(folder, max_train, pca_features)
        print(f"Using the real COCO captions from {shown_folder(folder)}: {_caption_sizes(data)}.")
        return data
    data = _captions_of_distinct_images(synthetic_captions(seed=seed), max_train)
    reason = "incomplete: run datasets/get_datasets coco" if folder.is_dir() else "not found"
    print(f"Using the built-in captions stand-in ({shown_folder(folder)} {reason}): {_caption_sizes(data)}.")
    return data


def _captions_of_distinct_images(data: dict[str, Any], max_train: int | None) -> dict[str, Any]:
    """``max_train`` training captions of as many different images (numpy's global generator), so that no two of
    them describe one image in two ways, which no model can tell apart: COCO's 80,000 images make that rare in a
    small draw, the stand-in's 2,000 would not. Everything else stays whole."""
    if max_train is None:
        return data
    images = len(data["train_features"])
    if isinstance(max_train, bool) or int(max_train) != max_train or not 0 <= max_train <= images:
        raise ValueError(f"max_train must be an integer from 0 to {images} (the stand-in's training images), got "
                         f"{max_train!r}")
    chosen_images = np.random.choice(images, size=int(max_train), replace=False)
    by_image = references_by_image(np.arange(len(data["train_captions"]))[:, None], data["train_image_idxs"], images)
    keep = np.array([by_image[image][np.random.randint(len(by_image[image])), 0] for image in chosen_images],
                    dtype=np.int64)
    return {**data, "train_captions": data["train_captions"][keep], "train_image_idxs": data["train_image_idxs"][keep]}


def references_by_image(captions: Any, image_idxs: Any, num_images: int) -> list[np.ndarray]:
    """The captions of each image: a list of ``num_images`` arrays (K_i, T), in the order they appear
    (an image without captions gets a (0, T) array)."""
    captions, image_idxs = np.asarray(captions), np.asarray(image_idxs)
    if captions.ndim != 2 or image_idxs.shape != (len(captions),):
        raise ValueError(f"captions {captions.shape} and image_idxs {image_idxs.shape} must be (N, T) and (N,)")
    if image_idxs.size and (image_idxs.min() < 0 or image_idxs.max() >= num_images):
        raise ValueError(f"image_idxs run from {image_idxs.min()} to {image_idxs.max()}, outside 0..{num_images - 1}")
    order = np.argsort(image_idxs, kind="stable")
    ends = np.cumsum(np.bincount(image_idxs, minlength=num_images))
    return np.split(captions[order], ends[:-1])


def _through_end(tokens: np.ndarray, end: int) -> np.ndarray:
    """``tokens`` up to and including the first ``end`` (all of them without one)."""
    stops = np.flatnonzero(tokens == end)
    return tokens[:stops[0] + 1] if stops.size else tokens


def caption_word_accuracy(sampled: Any, references: list[Any], word_to_idx: dict[str, int]) -> float:
    """Mean over images of the best position-by-position word match between a sampled caption and the image's
    true captions, in [0, 1].

    ``sampled`` (N, L): word indices as a captioning model's ``sample`` gives them (no ``<START>``), each
    caption read up to and including its first ``<END>``. ``references``: N arrays (K_i, T) of true captions
    ``<START> ... <END> <NULL>...``, each read after ``<START>`` up to and including ``<END>``. A pair scores
    matching positions / the longer of the two; an image scores its best reference (0 without any).
    """
    if hasattr(sampled, "detach"):  # a torch tensor
        sampled = sampled.detach().cpu()
    sampled = np.asarray(sampled)
    if sampled.ndim != 2 or len(sampled) != len(references):
        raise ValueError(f"sampled {sampled.shape} must be (N, L) with one entry of references per row "
                         f"({len(references)} given)")
    if len(sampled) == 0:
        raise ValueError("no captions to score")
    start, end = word_to_idx["<START>"], word_to_idx["<END>"]
    scores = []
    for row, image_references in zip(sampled, references):
        words = _through_end(row, end)
        best = 0.0
        for reference in np.asarray(image_references).reshape(-1, np.shape(image_references)[-1]):
            target = _through_end(reference[1:] if len(reference) and reference[0] == start else reference, end)
            shared = min(len(words), len(target))
            matches = int(np.sum(words[:shared] == target[:shared]))
            best = max(best, matches / max(len(words), len(target), 1))
        scores.append(best)
    return float(np.mean(scores))
