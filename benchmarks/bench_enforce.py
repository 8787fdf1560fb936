"""What the run-time rules cost a child: its start, and a Python-heavy torch workload, with and without them.

Kinds of child, interleaved round by round in a shuffled order, on two hosts (with and without the audit
hook): ``plain`` (no audit hook, no forbidden operator: the layers beneath), ``audited`` (the audit hook every
child gets), ``from scratch`` (the hook plus the spiral's forbidden operator families and its autograd guard:
refusing kernels and code objects, made once in the rule host that forks these children), and ``plain numpy``
against ``numpy only`` (the hook plus every torch operator refused).
Each child loads one cell and answers one call: ``start`` times the session from fork to the first reply,
``work`` the call (a small MLP's forward and hand-written backward, 300 steps: many small Python calls, which
a trace function would see; numpy for the numpy children). Prints medians and ratios against the plain child
of the same array type; the first session of a set of rules (which forks its rule host) is a warm-up.

    python benchmarks/bench_enforce.py [--rounds 15]
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import time

for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ[name] = "1"

from autograder.graders.spiral_from_scratch import FROM_SCRATCH  # noqa: E402
from autograder.sandbox import Limits, Sandbox, SandboxConfig  # noqa: E402

WORK = """
import numpy as np
import torch

def layer(x, w):
    return torch.tanh(x @ w)

def work_torch(steps):
    x, w = torch.randn(64, 16), torch.randn(16, 16) * 0.1
    for _ in range(steps):
        out = layer(x, w)
        grad = x.T @ ((1 - out * out) * out)
        w = w - 0.01 * grad
    return float(w.sum())

def work_numpy(steps):
    x, w = np.random.randn(64, 16), np.random.randn(16, 16) * 0.1
    for _ in range(steps):
        out = np.tanh(x @ w)
        w = w - 0.01 * (x.T @ ((1 - out * out) * out))
    return float(w.sum())
"""
KINDS = {  # audit hook, array type, forbidden operators
    "plain": (False, "torch", ()),
    "audited": (True, "torch", ()),
    "from scratch": (True, "torch", tuple(rule.operators for rule in FROM_SCRATCH if rule.operators)),
    "plain numpy": (False, "numpy", ()),
    "numpy only": (True, "numpy", (("*",),)),
}


def measure(sandboxes: dict[bool, Sandbox], kind: str, steps: int) -> tuple[float, float]:
    audit, arrays, forbid = KINDS[kind]
    start = time.perf_counter()
    with sandboxes[audit].session([("work", WORK)], Limits(wall_seconds=120), arrays, forbid) as session:
        session.seed(0)
        started = time.perf_counter()
        session.call("work_numpy" if arrays == "numpy" else "work_torch", steps)
        done = time.perf_counter()
    return started - start, done - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--steps", type=int, default=300)
    options = parser.parse_args()
    times: dict[str, list[tuple[float, float]]] = {kind: [] for kind in KINDS}
    with Sandbox(SandboxConfig(audit=False)) as plain, Sandbox(SandboxConfig()) as audited:
        sandboxes = {False: plain, True: audited}
        for kind in KINDS:  # warm both hosts up
            measure(sandboxes, kind, 1)
        order = list(KINDS)
        for _ in range(options.rounds):
            random.shuffle(order)
            for kind in order:
                times[kind].append(measure(sandboxes, kind, options.steps))
    medians = {kind: (statistics.median(v[0] for v in values), statistics.median(v[1] for v in values))
               for kind, values in times.items()}
    print(f"{'child':14} {'start ms':>9} {'x plain':>8} {'work ms':>9} {'x plain':>8}   ({options.rounds} rounds)")
    for kind, (start, work) in medians.items():
        base_start, base_work = medians["plain numpy" if KINDS[kind][1] == "numpy" else "plain"]
        print(f"{kind:14} {start * 1e3:9.1f} {start / base_start:8.2f} {work * 1e3:9.1f} {work / base_work:8.2f}")


if __name__ == "__main__":
    main()
