"""Speed of ``course_utils.fast_layers`` against PyTorch float64 and against the machine's GEMM limit.

Every contender runs forward + backward on the same float64 arrays, in one process with one BLAS/OpenMP
thread (set before numpy and torch load), in rounds whose order is shuffled; each figure is a median over
rounds, in CPU seconds (one thread, so CPU time is what the work cost, and other load on the machine
disturbs it much less than wall time, which is printed too).

- ``ours``: conv_forward_fast + conv_backward_fast (or the max-pool pair);
- ``torch``: torch.nn.functional.conv2d / max_pool2d with autograd, float64, on CPU;
- ``gemm`` (conv only): the three matrix products that forward + backward need (out = cols W, dW = dout^T
  cols, dcols = dout W^T) on operands already in memory, in cache-sized chunks: the FLOP count of the layer
  at the speed of the machine's BLAS, which no im2col convolution can beat;
- ``naive`` (the seed's conv and pool shapes only): the conv_nets master's conv_forward_naive +
  conv_backward_naive (or the max-pool pair), loaded by running the master's answer cells (the master is the
  reference; no copy of its code lives here), timed on a few rounds only (``--naive-rounds``, they are slow);
  the line ``naive/ours`` is the fast layers' speed-up over them.

Goals (issue 12): ours/torch <= 1.0 for every conv shape and for the seed's pool; ours/gemm <= 2.0 at the
realistic shape; the naive speed-ups have no goal. Run:
``python benchmarks/bench_fast_layers.py [--rounds 15] [--naive-rounds 3] [--seed 0]``.
"""
from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from typing import Callable  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from autograder.assignments import course_root, read_notebook  # noqa: E402
from autograder.notebook import grade_id, is_answer, source  # noqa: E402
from course_utils.fast_layers import (conv_backward_fast, conv_forward_fast, max_pool_backward_fast,  # noqa: E402
                                      max_pool_forward_fast)

torch.set_num_threads(1)

CONV_SHAPES = {  # name: (x shape, w shape, stride, pad)
    "seed conv": ((100, 3, 31, 31), (25, 3, 3, 3), 2, 1),
    "convnet layer 1": ((50, 3, 32, 32), (32, 3, 7, 7), 1, 3),
    "realistic conv": ((64, 64, 32, 32), (64, 64, 3, 3), 1, 1),
}
POOL_SHAPES = {  # name: (x shape, pool height, pool width, stride)
    "seed pool": ((100, 3, 32, 32), 2, 2, 2),
    "convnet pool": ((50, 32, 32, 32), 2, 2, 2),
    "overlapping pool": ((50, 32, 32, 32), 3, 3, 2),
}
GOALS = {"torch": 1.0, "gemm": 2.0}
NAIVE_SHAPES = ("seed conv", "seed pool")  # where the naive layers are timed too
NAIVE_CELLS = ("Q1_solution", "Q2_solution")  # conv_nets answer cells: convolution, max pooling
CHUNK = 8 << 20


def conv_contenders(x: np.ndarray, w: np.ndarray, b: np.ndarray, stride: int, pad: int) -> dict[str, Callable]:
    param = {"stride": stride, "pad": pad}
    out, _ = conv_forward_fast(x, w, b, param)
    dout = np.random.default_rng(1).standard_normal(out.shape)

    def ours() -> None:
        _, cache = conv_forward_fast(x, w, b, param)
        conv_backward_fast(dout, cache)

    xt, wt, bt = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    dout_t = torch.tensor(dout)

    def pytorch() -> None:
        for t in (xt, wt, bt):
            t.grad = None
        F.conv2d(xt, wt, bt, stride=stride, padding=pad).backward(dout_t)

    rows, depth, filters = out.shape[0] * out.shape[2] * out.shape[3], int(np.prod(w.shape[1:])), w.shape[0]
    step = max(1, CHUNK // (depth * 8))
    rng = np.random.default_rng(2)
    cols, weights = rng.standard_normal((rows, depth)), rng.standard_normal((depth, filters))
    grads = rng.standard_normal((rows, filters))

    def gemm() -> None:
        for start in range(0, rows, step):
            c, g = cols[start:start + step], grads[start:start + step]
            c @ weights, g.T @ c, g @ weights.T

    return {"ours": ours, "torch": pytorch, "gemm": gemm}


def pool_contenders(x: np.ndarray, height: int, width: int, stride: int) -> dict[str, Callable]:
    param = {"pool_height": height, "pool_width": width, "stride": stride}
    out, _ = max_pool_forward_fast(x, param)
    dout = np.random.default_rng(1).standard_normal(out.shape)

    def ours() -> None:
        _, cache = max_pool_forward_fast(x, param)
        max_pool_backward_fast(dout, cache)

    xt, dout_t = torch.tensor(x, requires_grad=True), torch.tensor(dout)

    def pytorch() -> None:
        xt.grad = None
        F.max_pool2d(xt, (height, width), stride=stride).backward(dout_t)

    return {"ours": ours, "torch": pytorch}


def naive_layers() -> dict[str, Callable]:
    """The conv_nets master's naive layers, defined by running its convolution and pooling answer cells."""
    namespace: dict = {"np": np}
    for cell in read_notebook(course_root() / "source" / "conv_nets" / "conv_nets.ipynb").cells:
        if is_answer(cell) and grade_id(cell) in NAIVE_CELLS:
            exec(source(cell), namespace)  # noqa: S102 - the course's own master notebook
    return namespace


def naive_conv(layers: dict[str, Callable], x: np.ndarray, w: np.ndarray, b: np.ndarray, stride: int,
               pad: int) -> Callable:
    param = {"stride": stride, "pad": pad}
    dout = np.random.default_rng(1).standard_normal(conv_forward_fast(x, w, b, param)[0].shape)

    def naive() -> None:
        _, cache = layers["conv_forward_naive"](x, w, b, param)
        layers["conv_backward_naive"](dout, cache)

    return naive


def naive_pool(layers: dict[str, Callable], x: np.ndarray, height: int, width: int, stride: int) -> Callable:
    param = {"pool_height": height, "pool_width": width, "stride": stride}
    dout = np.random.default_rng(1).standard_normal(max_pool_forward_fast(x, param)[0].shape)

    def naive() -> None:
        _, cache = layers["max_pool_forward_naive"](x, param)
        layers["max_pool_backward_naive"](dout, cache)

    return naive


def report_naive(name: str, naive: tuple[float, float], ours: tuple[float, float]) -> None:
    print(f"{'':18s} naive {naive[0] * 1e3:.1f} ms CPU ({naive[1] * 1e3:.1f} wall): "
          f"naive/ours = {naive[0] / ours[0]:.1f} (the fast layers' speed-up; no goal)")


def measure(contenders: dict[str, Callable], rounds: int, rng: random.Random) -> dict[str, tuple[float, float]]:
    """Median (CPU seconds, wall seconds) of each contender over ``rounds`` shuffled rounds (after a warm-up)."""
    cpu: dict[str, list[float]] = {name: [] for name in contenders}
    wall: dict[str, list[float]] = {name: [] for name in contenders}
    for run in contenders.values():
        run()
    for _ in range(rounds):
        order = list(contenders)
        rng.shuffle(order)
        for name in order:
            cpu0, wall0 = time.process_time(), time.perf_counter()
            contenders[name]()
            cpu[name].append(time.process_time() - cpu0)
            wall[name].append(time.perf_counter() - wall0)
    return {name: (statistics.median(cpu[name]), statistics.median(wall[name])) for name in contenders}


def report(name: str, times: dict[str, tuple[float, float]], goals: dict[str, float]) -> list[str]:
    cells = ", ".join(f"{who} {cpu * 1e3:.2f} ms CPU ({wall * 1e3:.2f} wall)" for who, (cpu, wall) in times.items())
    print(f"{name:18s} {cells}")
    failures = []
    for other, goal in goals.items():
        ratio = times["ours"][0] / times[other][0]
        verdict = "ok" if ratio <= goal else "MISSED"
        print(f"{'':18s} ours/{other} = {ratio:.2f} (goal <= {goal:.1f}: {verdict})")
        if ratio > goal:
            failures.append(f"{name}: ours/{other} {ratio:.2f} > {goal:.1f}")
    return failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--naive-rounds", type=int, default=3, help="rounds of the (slow) naive layers")
    parser.add_argument("--seed", type=int, default=0, help="seed of the shuffled order of contenders")
    args = parser.parse_args()
    rng, data = random.Random(args.seed), np.random.default_rng(0)
    layers = naive_layers()
    print(f"one thread, {args.rounds} shuffled rounds, medians; order seed {args.seed}; "
          f"numpy {np.__version__}, torch {torch.__version__}")
    failures = []
    for name, (x_shape, w_shape, stride, pad) in CONV_SHAPES.items():
        x, w, b = data.standard_normal(x_shape), data.standard_normal(w_shape), data.standard_normal(w_shape[0])
        goals = {"torch": GOALS["torch"], **({"gemm": GOALS["gemm"]} if name == "realistic conv" else {})}
        times = measure(conv_contenders(x, w, b, stride, pad), args.rounds, rng)
        failures += report(name, times, goals)
        if name != "realistic conv":
            print(f"{'':18s} ours/gemm = {times['ours'][0] / times['gemm'][0]:.2f} (no goal)")
        if name in NAIVE_SHAPES:
            naive = measure({"naive": naive_conv(layers, x, w, b, stride, pad)}, args.naive_rounds, rng)["naive"]
            report_naive(name, naive, times["ours"])
    for name, (x_shape, height, width, stride) in POOL_SHAPES.items():
        x = data.standard_normal(x_shape)
        times = measure(pool_contenders(x, height, width, stride), args.rounds, rng)
        goals = {"torch": GOALS["torch"]} if name == "seed pool" else {}
        failures += report(name, times, goals)
        if not goals:
            print(f"{'':18s} ours/torch = {times['ours'][0] / times['torch'][0]:.2f} (no goal)")
        if name in NAIVE_SHAPES:
            naive = measure({"naive": naive_pool(layers, x, height, width, stride)}, args.naive_rounds, rng)["naive"]
            report_naive(name, naive, times["ours"])
    print("all goals met" if not failures else "goals missed: " + "; ".join(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
