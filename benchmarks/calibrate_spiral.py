#!/usr/bin/env python
"""Re-run the calibration of the Q5 accuracy threshold of the spiral hidden grader.

    python benchmarks/calibrate_spiral.py [--seeds 1-10] [--epochs 1000] [--threshold 0.85]

For s = 1..10: the spiral ``generate_spiral(**{**SPIRAL_SETTINGS, "seed": 1000 + s})``, split with
``train_val_split(X, y, val_ratio=0.2, seed=s)``; torch seeded with s; the master's MLP (hidden 64, p_drop 0.2)
trained by the master's ``train_model`` (lr 0.1, batch 64, 1000 epochs, seed s), exactly as the hidden test
``test_Q5_training_reaches_validation_accuracy`` does it (that test uses s = 4). The master's cells run in the
sandbox, as in grading; accuracies are computed here, in the parent, from the logits the model returns in eval
mode. The threshold is safe when the master passes it on every seed.
"""
from __future__ import annotations

import os

os.environ["OMP_NUM_THREADS"] = "1"
os.environ.setdefault("MPLBACKEND", "Agg")

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from autograder.graders.spiral_from_scratch import q5_training as hidden  # noqa: E402
from autograder.sandbox import Limits  # noqa: E402
from autograder.workers import Grading  # noqa: E402
from course_utils.spiral import SPIRAL_SETTINGS, generate_spiral, train_val_split  # noqa: E402

NOTEBOOK = "spiral_from_scratch"


def seeds(text: str) -> list[int]:
    found: list[int] = []
    for part in text.split(","):
        low, _, high = part.partition("-")
        found += list(range(int(low), int(high or low) + 1))
    return found


def accuracy(logits: np.ndarray, labels: np.ndarray) -> float:
    logits = np.asarray(logits)
    if logits.ndim != 2 or logits.shape[0] != len(labels):
        raise SystemExit(f"the model returned logits of shape {logits.shape} for {len(labels)} samples")
    return float(np.mean(np.argmax(logits, axis=1) == labels))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=seeds, default=seeds("1-10"), help="seeds s, e.g. 1-10 or 1,4,7")
    parser.add_argument("--epochs", type=int, default=1000)
    parser.add_argument("--threshold", type=float, default=0.85)
    parser.add_argument("--timeout", type=float, default=600.0, help="wall-clock limit of one training run (s)")
    args = parser.parse_args(argv)

    grading = Grading(ROOT, NOTEBOOK)
    try:
        grader = grading.graders[NOTEBOOK]
        sandbox = grading.sandboxes[NOTEBOOK]
        test = next(t for t in grader.tests if t.function is hidden.test_Q5_training_reaches_validation_accuracy)
        cells = grader.cells_for(test, grader.master_cells)  # the master's layers, MLP and train_model
        print(f"Q5 calibration: master cells {', '.join(name for name, _ in cells)} in the sandbox; "
              f"{args.epochs} epochs, lr 0.1, batch 64, hidden 64, p_drop 0.2; threshold {args.threshold:.2f}")
        start = time.perf_counter()
        sandbox._start()
        print(f"sandbox host started in {time.perf_counter() - start:.1f} s", flush=True)
        print(f"{'seed':>4} {'spiral':>6} {'train acc':>10} {'val acc':>8} {'reported (train, val)':>22} "
              f"{'seconds':>8}  {'>= ' + format(args.threshold, '.2f'):>7}")
        rows = []
        for s in args.seeds:
            X, y = generate_spiral(**{**SPIRAL_SETTINGS, "seed": 1000 + s})
            Xtr, ytr, Xva, yva = train_val_split(X, y, val_ratio=0.2, seed=s)
            with sandbox.session(cells, Limits(wall_seconds=args.timeout)) as session:
                session.seed(s)
                model = session.new("MLP", in_dim=2, hidden_dim=64, out_dim=2, p_drop=0.2)
                start = time.perf_counter()
                reported = session.call("train_model", model, session.new("SoftmaxCrossEntropy"), Xtr, ytr, Xva, yva,
                                        lr=0.1, epochs=args.epochs, batch_size=64, seed=s, print_every=0)
                seconds = time.perf_counter() - start
                model.call("eval")
                train_acc = accuracy(model.call("forward", Xtr), ytr)
                val_acc = accuracy(model.call("forward", Xva), yva)
            rows.append((s, train_acc, val_acc, seconds))
            shown = f"({float(reported[0]):.3f}, {float(reported[1]):.3f})"
            print(f"{s:>4} {1000 + s:>6} {train_acc:>10.3f} {val_acc:>8.3f} {shown:>22} {seconds:>8.2f}  "
                  f"{'yes' if val_acc >= args.threshold else 'NO':>7}", flush=True)
    finally:
        grading.close()

    vals = [r[2] for r in rows]
    passed = sum(v >= args.threshold for v in vals)
    print(f"validation accuracy {min(vals):.3f} to {max(vals):.3f} (mean {np.mean(vals):.3f}); training accuracy "
          f"{min(r[1] for r in rows):.3f} to {max(r[1] for r in rows):.3f}; {np.mean([r[3] for r in rows]):.2f} s "
          f"per training run")
    print(f"threshold {args.threshold:.2f}: passes on {passed}/{len(rows)} seeds -> "
          f"{'SAFE' if passed == len(rows) else 'NOT SAFE: the master itself would fail'} "
          f"(margin {min(vals) - args.threshold:+.3f})")
    return 0 if passed == len(rows) else 1


if __name__ == "__main__":
    sys.exit(main())
