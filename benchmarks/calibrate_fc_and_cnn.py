#!/usr/bin/env python
"""Re-run the calibration of the accuracy thresholds of the fc_and_cnn hidden grader.

    python benchmarks/calibrate_fc_and_cnn.py [--seeds 0-9] [--only Q7,Q10,Q12,Q14]

For each seed s the master's own functions train exactly as the hidden tests train them, on the standardized draw
``hidden_gaze(HIDDEN_DRAW + s)`` (s = 0 is the draw the tests use):

- Q7:  ``train_two_layer_net(data)`` after ``np.random.seed(s)``;
- Q10: ``train_best_fc_model(data)`` after ``np.random.seed(s)``;
- Q12: ``train_cnn`` for two epochs on the first CNN_TRAIN_IMAGES training images, CNNWithoutBatchNorm
  initialised after ``torch.manual_seed(s)``;
- Q14: the Q14 cell's recipe in quick mode: CNNWithBatchNorm, one epoch of ``train_cnn`` on the whole draw.

Validation accuracies are printed per seed with their minimum and maximum; a threshold is safe when the master
passes it on every seed. The master's cells run in this process (they are trusted), one thread, quick mode.
"""
from __future__ import annotations

import os

os.environ["OMP_NUM_THREADS"] = "1"
os.environ["COURSE_QUICK"] = "1"
os.environ.setdefault("MPLBACKEND", "Agg")

import argparse  # noqa: E402
import contextlib  # noqa: E402
import io  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from autograder.submissions import parse_answers  # noqa: E402
from autograder.graders import fc_and_cnn as hidden  # noqa: E402
from autograder.graders.fc_and_cnn.common import hidden_gaze  # noqa: E402
from calibrate_spiral import seeds  # noqa: E402 - this folder is on sys.path when run as a script

MASTER = ROOT / "source" / "fc_and_cnn" / "fc_and_cnn.ipynb"


def master_namespace() -> dict:
    """The setup cells and every answer cell of the master, run in one namespace."""
    import json

    document = json.loads(MASTER.read_text())
    by_id = {c["metadata"].get("nbgrader", {}).get("grade_id"): "".join(c["source"]) for c in document["cells"]}
    namespace: dict = {"__name__": "__main__"}
    with contextlib.redirect_stdout(io.StringIO()):
        for name in hidden.SETUP_CELLS:
            exec(compile(by_id[name], name, "exec"), namespace)
        for name, source in parse_answers(MASTER.read_text()).cells.items():
            if name.endswith("_solution") and name != "Q14_solution":
                exec(compile(source, name, "exec"), namespace)
    torch.set_num_threads(1)
    return namespace


def val_accuracy(scores: np.ndarray | torch.Tensor, y: np.ndarray) -> float:
    scores = scores.detach().numpy() if isinstance(scores, torch.Tensor) else np.asarray(scores)
    return float(np.mean(scores.argmax(axis=1) == y))


def run(ns: dict, question: str, seed: int) -> float:
    draw = hidden_gaze(hidden.HIDDEN_DRAW + seed)
    data = {key: draw[key] for key in ("X_train", "y_train", "X_val", "y_val")}
    if question in ("Q7", "Q10"):
        np.random.seed(seed)
        function = "train_two_layer_net" if question == "Q7" else "train_best_fc_model"
        return val_accuracy(ns[function](data).model.loss(data["X_val"]), data["y_val"])
    torch.manual_seed(seed)
    if question == "Q12":
        model = ns["CNNWithoutBatchNorm"]()
        small = {**data, "X_train": data["X_train"][:hidden.CNN_TRAIN_IMAGES],
                 "y_train": data["y_train"][:hidden.CNN_TRAIN_IMAGES]}
        ns["train_cnn"](model, small, 2)
    else:
        model = ns["CNNWithBatchNorm"]()
        ns["train_cnn"](model, data, ns["CNN_EPOCHS"])
    model.eval()
    with torch.no_grad():
        return val_accuracy(model(torch.from_numpy(data["X_val"]).unsqueeze(1)), data["y_val"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=seeds, default=seeds("0-9"), help="seeds s, e.g. 0-9 or 1,4,7")
    parser.add_argument("--only", default="Q7,Q10,Q12,Q14", help="questions to calibrate")
    args = parser.parse_args(argv)
    ns = master_namespace()
    failed = False
    for question in args.only.split(","):
        start = time.perf_counter()
        accuracies = []
        for seed in args.seeds:
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                accuracies.append(run(ns, question, seed))
        threshold = hidden.CALIBRATION[question]["threshold"]
        passed = sum(a >= threshold for a in accuracies)
        failed |= passed < len(accuracies)
        print(f"{question}: val accuracy min {min(accuracies):.3f} max {max(accuracies):.3f} "
              f"mean {np.mean(accuracies):.3f} | threshold {threshold:.2f} passed {passed}/{len(accuracies)} | "
              f"{(time.perf_counter() - start) / len(accuracies):.1f} s per run")
        print("    " + " ".join(f"{a:.3f}" for a in accuracies), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
