"""COCO 2014 captioning in the CS231n format: captions, vocabulary, VGG-16 fc7 features and image URLs.

``datasets/get_datasets coco`` unpacks the files into ``datasets_dir() / "coco_captioning"``:

- ``coco2014_captions.h5``: HDF5 datasets ``train_captions`` (N, 17), ``train_image_idxs`` (N,),
  ``val_captions`` and ``val_image_idxs``, integers; a caption is ``<START> words <END>`` padded with ``<NULL>``.
- ``coco2014_vocab.json``: a JSON object with ``idx_to_word`` (a list) and ``word_to_idx`` (a dict).
- ``train2014_vgg16_fc7.h5`` / ``val2014_vgg16_fc7.h5`` (4096 columns) and ``train2014_vgg16_fc7_pca.h5`` /
  ``val2014_vgg16_fc7_pca.h5`` (512 columns): one HDF5 dataset ``features``, a row per image.
- ``train2014_urls.txt`` / ``val2014_urls.txt``: one image URL per line, a line per feature row.

h5py is imported when the files are read, urllib and PIL when an image is fetched.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from course_utils.data.common import datasets_dir

COCO_FOLDER = "coco_captioning"
COCO_SPLITS = ("train", "val")
COCO_CAPTIONS_FILE = "coco2014_captions.h5"
COCO_VOCAB_FILE = "coco2014_vocab.json"
COCO_FEATURES_FILES = {
    ("train", True): "train2014_vgg16_fc7_pca.h5", ("val", True): "val2014_vgg16_fc7_pca.h5",
    ("train", False): "train2014_vgg16_fc7.h5", ("val", False): "val2014_vgg16_fc7.h5",
}
COCO_URLS_FILES = {"train": "train2014_urls.txt", "val": "val2014_urls.txt"}
COCO_KEYS = ("train_captions", "train_image_idxs", "val_captions", "val_image_idxs", "train_features",
             "val_features", "idx_to_word", "word_to_idx", "train_urls", "val_urls")

_URL_TIMEOUT = 10.0  # seconds before image_from_url gives up on a server
_SCENE_SCHEME = "scene://"  # the built-in captions' images (course_utils.data.captions), drawn on the spot


def _coco_folder(base_dir: str | os.PathLike | None) -> Path:
    return Path(base_dir) if base_dir is not None else datasets_dir() / COCO_FOLDER


def _needed_files(pca_features: bool) -> list[str]:
    """The file names ``load_coco_data(pca_features=...)`` reads, in the order it reads them."""
    return [COCO_CAPTIONS_FILE, COCO_VOCAB_FILE, *(COCO_FEATURES_FILES[split, pca_features] for split in COCO_SPLITS),
            *COCO_URLS_FILES.values()]


def _missing_coco_message(path: Path) -> str:
    return (f"COCO captioning file not found: {path}. Run `datasets/get_datasets coco` to download the COCO "
            "captioning data; without it the notebook falls back to the built-in captions "
            "(course_utils.data.load_coco_or_stand_in).")


def coco_present(base_dir: str | os.PathLike | None = None) -> bool:
    """Whether ``base_dir`` (default ``datasets_dir() / "coco_captioning"``) holds every file that
    ``load_coco_data()`` reads with its default ``pca_features=True``."""
    folder = _coco_folder(base_dir)
    return all((folder / name).is_file() for name in _needed_files(pca_features=True))


def _h5_arrays(path: Path, names: list[str]) -> list[np.ndarray]:
    """The HDF5 datasets ``names`` of ``path`` as numpy arrays; a missing one or an unreadable file raises."""
    import h5py

    try:
        with h5py.File(path, "r") as f:
            missing = [name for name in names if name not in f]
            if missing:
                raise ValueError(f"{path} lacks the dataset(s) {', '.join(missing)}; it holds {', '.join(f.keys())}")
            return [np.asarray(f[name][()]) for name in names]
    except OSError as error:
        raise ValueError(f"{path} is not a readable HDF5 file: {error}") from error


def _read_vocab(path: Path) -> tuple[list[str], dict[str, int]]:
    try:
        vocab = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f"{path} is not a JSON file: {error}") from error
    idx_to_word = vocab.get("idx_to_word") if isinstance(vocab, dict) else None
    word_to_idx = vocab.get("word_to_idx") if isinstance(vocab, dict) else None
    if not isinstance(idx_to_word, list) or not isinstance(word_to_idx, dict):
        raise ValueError(f"{path}: expected a JSON object with a list idx_to_word and a dict word_to_idx")
    if len(idx_to_word) != len(word_to_idx) or any(word_to_idx.get(w) != i for i, w in enumerate(idx_to_word)):
        raise ValueError(f"{path}: idx_to_word ({len(idx_to_word)} words) and word_to_idx ({len(word_to_idx)}) "
                         "do not describe the same vocabulary")
    return idx_to_word, {word: int(index) for word, index in word_to_idx.items()}


def _check_split(folder: Path, split: str, data: dict[str, Any], pca_features: bool) -> None:
    """Shapes that must agree within a split: captions with their image indices, indices with the features'
    rows, URLs with the features' rows, words with the vocabulary."""
    captions, idxs = data[f"{split}_captions"], data[f"{split}_image_idxs"]
    features, urls = data[f"{split}_features"], data[f"{split}_urls"]
    features_file = COCO_FEATURES_FILES[split, pca_features]
    if captions.ndim != 2 or idxs.ndim != 1 or len(captions) != len(idxs):
        raise ValueError(f"{folder / COCO_CAPTIONS_FILE}: {split}_captions {captions.shape} and {split}_image_idxs "
                         f"{idxs.shape} must be (N, T) and (N,) with the same N")
    if features.ndim != 2:
        raise ValueError(f"{folder / features_file}: expected features of shape (images, D), got {features.shape}")
    if idxs.size and (idxs.min() < 0 or idxs.max() >= len(features)):
        raise ValueError(f"{folder / COCO_CAPTIONS_FILE}: {split}_image_idxs run from {idxs.min()} to {idxs.max()} "
                         f"but {features_file} has {len(features)} rows")
    if len(urls) != len(features):
        raise ValueError(f"{folder / COCO_URLS_FILES[split]} has {len(urls)} URLs but {features_file} has "
                         f"{len(features)} rows (one URL per image)")
    if captions.size and (captions.min() < 0 or captions.max() >= len(data["idx_to_word"])):
        raise ValueError(f"{folder / COCO_CAPTIONS_FILE}: {split}_captions hold word indices outside the "
                         f"{len(data['idx_to_word'])}-word vocabulary of {COCO_VOCAB_FILE}")


def _subsample_captions(data: dict[str, Any], max_train: int | None) -> dict[str, Any]:
    """``max_train`` training captions drawn with replacement by ``np.random.randint`` (numpy's global generator),
    with their image indices; everything else, features and URLs included, stays whole."""
    if max_train is None:
        return data
    if isinstance(max_train, bool) or int(max_train) != max_train or max_train < 0:
        raise ValueError(f"max_train must be a non-negative integer or None, got {max_train!r}")
    num_train = len(data["train_captions"])
    if num_train == 0 and max_train > 0:
        raise ValueError("max_train asks for training captions but there are none")
    keep = np.random.randint(num_train, size=int(max_train))
    return {**data, "train_captions": data["train_captions"][keep], "train_image_idxs": data["train_image_idxs"][keep]}


def _read_coco(folder: Path, max_train: int | None, pca_features: bool) -> dict[str, Any]:
    if not folder.is_dir():
        raise FileNotFoundError(_missing_coco_message(folder))
    for name in _needed_files(pca_features):
        if not (folder / name).is_file():
            raise FileNotFoundError(_missing_coco_message(folder / name))
    caption_names = [f"{split}_{kind}" for split in COCO_SPLITS for kind in ("captions", "image_idxs")]
    arrays = _h5_arrays(folder / COCO_CAPTIONS_FILE, caption_names)
    data: dict[str, Any] = {name: array.astype(np.int32, copy=False) for name, array in zip(caption_names, arrays)}
    for split in COCO_SPLITS:
        features, = _h5_arrays(folder / COCO_FEATURES_FILES[split, pca_features], ["features"])
        data[f"{split}_features"] = features.astype(np.float32, copy=False)
    data["idx_to_word"], data["word_to_idx"] = _read_vocab(folder / COCO_VOCAB_FILE)
    for split in COCO_SPLITS:
        lines = (folder / COCO_URLS_FILES[split]).read_text(encoding="utf-8").splitlines()
        data[f"{split}_urls"] = np.array([line.strip() for line in lines if line.strip()], dtype=str)
    for split in COCO_SPLITS:
        _check_split(folder, split, data, pca_features)
    return _subsample_captions({key: data[key] for key in COCO_KEYS}, max_train)


def load_coco_data(base_dir: str | os.PathLike | None = None, max_train: int | None = None,
                   pca_features: bool = True) -> dict[str, Any]:
    """The COCO captioning files of ``base_dir`` (default ``datasets_dir() / "coco_captioning"``); prints ``base dir``.

    Returns ``train_captions`` int32 (N_train, 17), ``train_image_idxs`` int32 (N_train,), ``val_captions``,
    ``val_image_idxs``, ``train_features`` float32 (82783, 512), ``val_features`` (40504, 512), the 4096-d fc7
    features instead with ``pca_features=False``, ``idx_to_word`` (list), ``word_to_idx`` (dict) and
    ``train_urls`` / ``val_urls`` (numpy unicode arrays, one per feature row). ``max_train=N`` keeps N training
    captions drawn with replacement by ``np.random.randint``, so ``np.random.seed`` before the call repeats the
    draw. A missing file raises ``FileNotFoundError`` naming it; shapes that disagree raise ``ValueError``.
    """
    folder = _coco_folder(base_dir)
    print(f"base dir {folder}")
    return _read_coco(folder, max_train, pca_features)


def sample_coco_minibatch(data: dict[str, Any], batch_size: int = 100,
                          split: str = "train") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``batch_size`` captions of ``split`` drawn with replacement by ``np.random.choice`` (numpy's global
    generator), with their images' features and URLs: captions (B, T), features (B, D), urls (B,)."""
    if split not in COCO_SPLITS:
        raise ValueError(f"split must be 'train' or 'val', got {split!r}")
    captions = data[f"{split}_captions"]
    if len(captions) == 0:
        raise ValueError(f"there are no {split} captions to sample")
    chosen = np.random.choice(len(captions), batch_size)
    images = np.asarray(data[f"{split}_image_idxs"])[chosen]
    return captions[chosen], data[f"{split}_features"][images], np.asarray(data[f"{split}_urls"])[images]


def _words(indices: np.ndarray, idx_to_word: list[str]) -> str:
    words = []
    for index in indices:
        word = idx_to_word[int(index)]
        if word != "<NULL>":
            words.append(word)
        if word == "<END>":
            break
    return " ".join(words)


def decode_captions(captions: Any, idx_to_word: list[str]) -> str | list[str]:
    """Word indices back to text: a 1-D array or tensor gives one string, a 2-D one a list of strings.

    Words are joined by spaces, ``<NULL>`` is left out, and a caption stops after its first ``<END>``
    (``<START>`` and ``<END>`` stay when present).
    """
    if hasattr(captions, "detach"):  # a torch tensor, perhaps on a GPU or requiring grad
        captions = captions.detach().cpu()
    array = np.asarray(captions)
    if array.ndim == 1:
        return _words(array, idx_to_word)
    if array.ndim == 2:
        return [_words(row, idx_to_word) for row in array]
    raise ValueError(f"captions must be 1-D or 2-D word indices, got shape {array.shape}")


def _looks_offline(error: BaseException) -> bool:
    """Whether a failed request looks like no network at all rather than a dead link: the name did not
    resolve, the network or host is unreachable, or the connection timed out."""
    import errno
    import socket

    reason = getattr(error, "reason", error)
    if isinstance(reason, (socket.gaierror, TimeoutError)):
        return True
    return isinstance(reason, OSError) and reason.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ENETDOWN)


def image_from_url(url: str) -> np.ndarray | None:
    """The image at ``url`` as a uint8 array (H, W, 3), or None (printing one ``URL error`` line) if it cannot be had.

    ``scene://`` URLs of the built-in captions are drawn on the spot (``render_scene``, no network); http(s)
    and file URLs are downloaded with urllib (10 s timeout) and decoded with PIL. A dead link, an HTTP error,
    no network or bytes that are not an image never raise.
    """
    if url.startswith(_SCENE_SCHEME):
        from course_utils.data.captions import render_scene

        return render_scene(url)
    import io
    import urllib.error
    import urllib.request

    from PIL import Image, UnidentifiedImageError

    try:
        with urllib.request.urlopen(url, timeout=_URL_TIMEOUT) as response:
            raw = response.read()
    except (urllib.error.URLError, OSError, ValueError) as error:  # HTTPError and timeouts included
        note = " (no network? showing COCO images needs a network connection)" if _looks_offline(error) else ""
        print(f"URL error: {getattr(error, 'reason', error)} {url}{note}")
        return None
    try:
        with Image.open(io.BytesIO(raw)) as image:
            return np.asarray(image.convert("RGB"), dtype=np.uint8)
    except (UnidentifiedImageError, OSError, ValueError) as error:
        print(f"URL error: not an image ({error}) {url}")
        return None
