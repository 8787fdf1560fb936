import socket
import urllib.error
import zipfile
from pathlib import Path

import h5py
import numpy as np
import pytest
import torch
from PIL import Image

from course_utils.data import (COCO_KEYS, coco_present, decode_captions, image_from_url, load_coco_data,
                               sample_coco_minibatch)
from tests.course_utils.coco_files import FULL_WIDTH, PCA_WIDTH, SIZES, VOCAB, write_coco
from tests.course_utils.test_data import run_get_datasets


@pytest.fixture
def coco(tmp_path: Path) -> tuple[Path, dict[str, np.ndarray]]:
    folder = tmp_path / "coco_captioning"
    return folder, write_coco(folder)


def test_load_coco_data_gives_every_key_in_its_shape_and_dtype(coco, capsys):
    folder, written = coco
    data = load_coco_data(folder)
    assert capsys.readouterr().out == f"base dir {folder}\n"
    assert list(data) == list(COCO_KEYS)
    for split, (num_captions, num_images) in SIZES.items():
        assert data[f"{split}_captions"].shape == (num_captions, 17) and data[f"{split}_captions"].dtype == np.int32
        assert data[f"{split}_image_idxs"].shape == (num_captions,) and data[f"{split}_image_idxs"].dtype == np.int32
        assert data[f"{split}_features"].shape == (num_images, PCA_WIDTH)
        assert data[f"{split}_features"].dtype == np.float32
        assert data[f"{split}_urls"].shape == (num_images,) and data[f"{split}_urls"].dtype.kind == "U"
        for key in ("captions", "image_idxs", "urls"):
            np.testing.assert_array_equal(data[f"{split}_{key}"], written[f"{split}_{key}"])
        np.testing.assert_array_equal(data[f"{split}_features"], written[f"{split}_features_pca"])
    assert data["idx_to_word"] == VOCAB and data["word_to_idx"] == {word: i for i, word in enumerate(VOCAB)}


def test_pca_features_false_reads_the_full_fc7_files(coco):
    folder, written = coco
    data = load_coco_data(folder, pca_features=False)
    assert data["train_features"].shape == (SIZES["train"][1], FULL_WIDTH)
    np.testing.assert_array_equal(data["val_features"], written["val_features"])


def test_max_train_draws_captions_with_numpy_global_seed(coco):
    folder, written = coco
    np.random.seed(231)
    first = load_coco_data(folder, max_train=8)
    np.random.seed(231)
    again = load_coco_data(folder, max_train=8)
    np.random.seed(231)
    chosen = np.random.randint(SIZES["train"][0], size=8)
    for data in (first, again):
        np.testing.assert_array_equal(data["train_captions"], written["train_captions"][chosen])
        np.testing.assert_array_equal(data["train_image_idxs"], written["train_image_idxs"][chosen])
        assert data["train_features"].shape[0] == SIZES["train"][1] and len(data["train_urls"]) == SIZES["train"][1]
        assert len(data["val_captions"]) == SIZES["val"][0]


@pytest.mark.parametrize("name", ["coco2014_captions.h5", "coco2014_vocab.json", "val2014_vgg16_fc7_pca.h5",
                                  "train2014_urls.txt"])
def test_a_missing_file_is_named_with_how_to_get_it(coco, name):
    folder, _ = coco
    (folder / name).unlink()
    assert not coco_present(folder)
    with pytest.raises(FileNotFoundError) as error:
        load_coco_data(folder)
    message = str(error.value)
    assert name in message and "datasets/get_datasets coco" in message and "built-in captions" in message


def test_a_missing_folder_is_named(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_DATASETS", str(tmp_path))
    assert not coco_present()
    with pytest.raises(FileNotFoundError, match="coco_captioning.*get_datasets coco"):
        load_coco_data()


def test_coco_present_follows_course_datasets(coco, monkeypatch):
    folder, _ = coco
    monkeypatch.setenv("COURSE_DATASETS", str(folder.parent))
    assert coco_present() and coco_present(folder)
    (folder / "train2014_vgg16_fc7.h5").unlink()  # the full features are optional
    assert coco_present()


def _rewrite(path: Path, name: str, array: np.ndarray) -> None:
    with h5py.File(path, "a") as f:
        del f[name]
        f[name] = array


@pytest.mark.parametrize("defect, words", [
    ("idxs_shorter", "train_image_idxs"),
    ("idx_past_features", "train2014_vgg16_fc7_pca.h5 has 5 rows"),
    ("urls_missing", "val2014_urls.txt has 2 URLs"),
    ("word_past_vocabulary", "9-word vocabulary"),
])
def test_shapes_that_disagree_raise_a_clear_error(coco, defect, words):
    folder, written = coco
    captions = folder / "coco2014_captions.h5"
    if defect == "idxs_shorter":
        _rewrite(captions, "train_image_idxs", written["train_image_idxs"][:-1])
    elif defect == "idx_past_features":
        _rewrite(captions, "train_image_idxs", np.where(np.arange(12) == 3, 5, written["train_image_idxs"]))
    elif defect == "urls_missing":
        (folder / "val2014_urls.txt").write_text("\n".join(written["val_urls"][:2]) + "\n")
    else:
        _rewrite(captions, "val_captions", np.where(written["val_captions"] == 2, 9, written["val_captions"]))
    with pytest.raises(ValueError, match=words):
        load_coco_data(folder)


def test_a_captions_file_without_a_dataset_names_it(coco):
    folder, _ = coco
    with h5py.File(folder / "coco2014_captions.h5", "a") as f:
        del f["val_image_idxs"]
    with pytest.raises(ValueError, match="lacks the dataset.*val_image_idxs"):
        load_coco_data(folder)


def test_minibatches_pair_each_caption_with_its_image(coco):
    folder, _ = coco
    data = load_coco_data(folder)
    for split in ("train", "val"):
        np.random.seed(0)
        captions, features, urls = sample_coco_minibatch(data, batch_size=20, split=split)
        assert captions.shape == (20, 17) and features.shape == (20, PCA_WIDTH) and urls.shape == (20,)
        for caption, feature, url in zip(captions, features, urls):
            row = np.flatnonzero((data[f"{split}_captions"] == caption).all(axis=1))[0]  # captions are unique
            image = data[f"{split}_image_idxs"][row]
            np.testing.assert_array_equal(feature, data[f"{split}_features"][image])
            assert url == data[f"{split}_urls"][image]
        np.random.seed(0)
        np.testing.assert_array_equal(sample_coco_minibatch(data, batch_size=20, split=split)[0], captions)
    with pytest.raises(ValueError, match="split"):
        sample_coco_minibatch(data, split="test")


def test_decode_captions_drops_padding_and_stops_after_end():
    words = ["<NULL>", "<START>", "<END>", "<UNK>", "a", "cat"]
    assert decode_captions(np.array([1, 4, 3, 5, 2, 0, 0]), words) == "<START> a <UNK> cat <END>"
    assert decode_captions(np.array([4, 0, 5, 2, 4, 4]), words) == "a cat <END>"  # <NULL> left out, nothing after <END>
    assert decode_captions(np.array([4, 5]), words) == "a cat"
    batch = np.array([[1, 4, 2, 0], [4, 5, 5, 5]])
    assert decode_captions(batch, words) == ["<START> a <END>", "a cat cat cat"]
    assert decode_captions(torch.tensor(batch), words) == ["<START> a <END>", "a cat cat cat"]
    assert decode_captions(torch.tensor([4, 2], dtype=torch.float32, requires_grad=True), words) == "a <END>"
    with pytest.raises(ValueError):
        decode_captions(np.zeros((2, 2, 2), int), words)


def test_image_from_url_prints_one_line_for_a_dead_link(capsys):
    assert image_from_url("http://127.0.0.1:9/x.jpg") is None
    out = capsys.readouterr().out
    assert out.startswith("URL error: ") and out.rstrip().endswith("http://127.0.0.1:9/x.jpg") and out.count("\n") == 1


@pytest.mark.parametrize("error, offline", [
    (urllib.error.URLError(socket.gaierror(-3, "Temporary failure in name resolution")), True),
    (urllib.error.URLError(TimeoutError("timed out")), True),
    (urllib.error.HTTPError("http://x/y.jpg", 404, "Not Found", None, None), False),
])
def test_image_from_url_says_when_the_network_is_missing(monkeypatch, capsys, error, offline):
    def refuse(url, timeout):
        raise error

    monkeypatch.setattr("urllib.request.urlopen", refuse)
    assert image_from_url("http://x/y.jpg") is None
    out = capsys.readouterr().out
    assert out.startswith("URL error: ") and out.count("\n") == 1
    assert ("needs a network connection" in out) == offline


def test_image_from_url_decodes_a_local_png(tmp_path, capsys):
    pixels = np.random.default_rng(0).integers(0, 256, size=(7, 9, 3), dtype=np.uint8)
    Image.fromarray(pixels).save(tmp_path / "image.png")
    Image.fromarray(pixels[:, :, 0]).save(tmp_path / "grey.png")
    np.testing.assert_array_equal(image_from_url((tmp_path / "image.png").as_uri()), pixels)
    grey = image_from_url((tmp_path / "grey.png").as_uri())
    assert grey.shape == (7, 9, 3) and grey.dtype == np.uint8
    (tmp_path / "text.png").write_text("not an image")
    assert image_from_url((tmp_path / "text.png").as_uri()) is None
    assert capsys.readouterr().out.startswith("URL error: not an image")


# ---------------------------------------------------------------- datasets/get_datasets coco


def _zip_folder(source: Path, archive: Path, extra: dict[str, bytes] | None = None) -> Path:
    with zipfile.ZipFile(archive, "w") as out:
        for path in sorted(source.rglob("*")):
            out.write(path, arcname=f"coco_captioning/{path.relative_to(source).as_posix()}")
        for name, content in (extra or {}).items():
            out.writestr(name, content)
    return archive


def test_get_datasets_coco_unpacks_a_local_archive_and_lists_it(tmp_path):
    write_coco(tmp_path / "source")
    archive = _zip_folder(tmp_path / "source", tmp_path / "coco_captioning.zip", {"__MACOSX/._x": b"fork"})
    target = tmp_path / "data"
    first = run_get_datasets("--datasets", str(target), "coco", "--url", archive.as_uri())
    assert first.returncode == 0, first.stderr
    assert sorted(p.name for p in target.iterdir()) == ["coco_captioning"], "no archive or scratch left behind"
    assert load_coco_data(target / "coco_captioning")["val_captions"].shape == (SIZES["val"][0], 17)
    again = run_get_datasets("coco", "--url", archive.as_uri(), env={"COURSE_DATASETS": str(target)})
    assert again.returncode == 0 and "already present" in again.stdout
    listing = run_get_datasets("list", env={"COURSE_DATASETS": str(target)})
    assert "coco     present" in listing.stdout


def test_get_datasets_coco_lists_missing_files_and_checks_a_given_md5(tmp_path):
    listing = run_get_datasets("--datasets", str(tmp_path), "list")
    assert "coco     missing, 0 of 6 files (run: datasets/get_datasets coco)" in listing.stdout
    write_coco(tmp_path / "source")
    archive = _zip_folder(tmp_path / "source", tmp_path / "coco_captioning.zip")
    bad = run_get_datasets("--datasets", str(tmp_path / "a"), "coco", "--url", archive.as_uri(), "--md5", "0" * 32)
    assert bad.returncode == 1 and "checksum mismatch" in bad.stderr and list((tmp_path / "a").iterdir()) == []


@pytest.mark.parametrize("evil", ["../evil", "coco_captioning/../../evil", "/tmp/evil-absolute", "elsewhere/x",
                                  "coco_captioning/link"])
def test_get_datasets_coco_refuses_unsafe_archives(tmp_path, evil):
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.writestr("coco_captioning/coco2014_vocab.json", "{}")
        member = zipfile.ZipInfo(evil)
        if evil.endswith("link"):
            member.external_attr = 0o120777 << 16  # a symbolic link
        out.writestr(member, "/etc/passwd" if evil.endswith("link") else "evil")
    target = tmp_path / "data"
    result = run_get_datasets("--datasets", str(target), "coco", "--url", archive.as_uri())
    assert result.returncode == 1 and "refusing" in result.stderr, result.stderr
    assert not (tmp_path / "evil").exists() and list(target.iterdir()) == []


def test_get_datasets_coco_reports_an_incomplete_or_broken_archive_and_a_dead_url(tmp_path):
    write_coco(tmp_path / "source")
    (tmp_path / "source" / "val2014_urls.txt").unlink()
    archive = _zip_folder(tmp_path / "source", tmp_path / "partial.zip")
    result = run_get_datasets("--datasets", str(tmp_path / "a"), "coco", "--url", archive.as_uri())
    assert result.returncode == 1 and "lacks val2014_urls.txt" in result.stderr
    assert list((tmp_path / "a").iterdir()) == []
    (tmp_path / "broken.zip").write_bytes(b"not a zip")
    result = run_get_datasets("--datasets", str(tmp_path / "b"), "coco", "--url", (tmp_path / "broken.zip").as_uri())
    assert result.returncode == 1 and "not a readable zip archive" in result.stderr
    result = run_get_datasets("--datasets", str(tmp_path / "c"), "coco", "--url", (tmp_path / "absent.zip").as_uri())
    assert result.returncode == 1 and "could not download" in result.stderr
