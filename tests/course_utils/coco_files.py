"""Small COCO captioning files in the real format (CS231n's ``coco_captioning`` folder), for the loader tests."""
from __future__ import annotations

import json
from pathlib import Path

import h5py
import numpy as np

VOCAB = ["<NULL>", "<START>", "<END>", "<UNK>", "a", "cat", "dog", "on", "mat"]
PCA_WIDTH, FULL_WIDTH = 6, 10  # stand-ins for 512 and 4096
SIZES = {"train": (12, 5), "val": (7, 3)}  # captions, images


def _caption(rng: np.random.Generator, number: int) -> np.ndarray:
    """``<START>`` then three to eight words, ``<END>`` and ``<NULL>`` to 17; ``number`` makes every caption
    of a file different (its first word after <START> and the length)."""
    words = rng.integers(3, len(VOCAB), size=3 + number % 6)
    words[0] = 4 + number % 5
    row = np.zeros(17, np.int32)
    row[0], row[1:1 + len(words)], row[1 + len(words)] = 1, words, 2
    return row


def write_coco(folder: Path, seed: int = 0) -> dict[str, np.ndarray]:
    """Every file of ``coco_captioning`` in ``folder`` (created), and the arrays written, under their loader keys.

    Train: 12 captions of 5 images; val: 7 captions of 3 images; each image has at least one caption."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    written: dict[str, np.ndarray] = {}
    with h5py.File(folder / "coco2014_captions.h5", "w") as f:
        for split, (num_captions, num_images) in SIZES.items():
            captions = np.stack([_caption(rng, (split == "val") * 100 + k) for k in range(num_captions)])
            idxs = np.concatenate([np.arange(num_images), rng.integers(num_images, size=num_captions - num_images)])
            f[f"{split}_captions"], f[f"{split}_image_idxs"] = captions, idxs.astype(np.int32)
            written[f"{split}_captions"], written[f"{split}_image_idxs"] = captions, idxs.astype(np.int32)
    for split, (_, num_images) in SIZES.items():
        for suffix, width in (("_pca", PCA_WIDTH), ("", FULL_WIDTH)):
            features = rng.standard_normal((num_images, width)).astype(np.float32)
            with h5py.File(folder / f"{split}2014_vgg16_fc7{suffix}.h5", "w") as f:
                f["features"] = features
            written[f"{split}_features{suffix}"] = features
        urls = [f"http://images.example.org/{split}2014/COCO_{split}2014_{i:012d}.jpg" for i in range(num_images)]
        (folder / f"{split}2014_urls.txt").write_text("\n".join(urls) + "\n")
        written[f"{split}_urls"] = np.array(urls)
    vocab = {"idx_to_word": VOCAB, "word_to_idx": {word: i for i, word in enumerate(VOCAB)}}
    (folder / "coco2014_vocab.json").write_text(json.dumps(vocab))
    return written
