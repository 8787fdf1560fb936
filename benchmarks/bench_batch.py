"""A finite-difference check's evaluations sent to the child one call each against one batch (``Kit.forward``).

Both sides run in the same sandbox host, interleaved, the side that goes first alternating by round: a gradient
check of a (5, 6) tanh (60 evaluations of the child's forward). Prints each round and the medians; about 30 s.

    python benchmarks/bench_batch.py [--rounds 6]
"""
from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from autograder.kit import Kit  # noqa: E402
from autograder.sandbox import Limits, Sandbox, SandboxConfig  # noqa: E402

CELL = "import numpy as np\n\nclass Tanh:\n    def forward(self, x):\n        return np.tanh(x)\n"
SIDES = ("one call each", "one batch")


def check(sandbox: Sandbox, side: str) -> tuple[float, float, int]:
    """Wall seconds, the grader's CPU seconds and the remote calls of one gradient check."""
    x, dout = np.random.default_rng(0).standard_normal((5, 6)), np.random.default_rng(1).standard_normal((5, 6))
    with sandbox.session([("cell", CELL)], Limits(wall_seconds=60), "numpy") as session:
        kit = Kit(lambda: session, lambda probe: {})
        layer = session.new("Tanh")
        forward = kit.forward(lambda v: [layer.planned_call("forward", v)]) if side == "one batch" else \
            (lambda v: layer.call("forward", v))
        calls, start, cpu = session.calls, time.perf_counter(), time.process_time()
        kit.gradient_check(forward, x, dout, dout * (1 - np.tanh(x) ** 2), "dx")
        return time.perf_counter() - start, time.process_time() - cpu, session.calls - calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=6)
    rounds = parser.parse_args().rounds
    print(f"load average at start {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    measured: dict[str, list[tuple[float, float, int]]] = {side: [] for side in SIDES}
    with Sandbox(SandboxConfig(array_api="numpy")) as sandbox:
        check(sandbox, "one batch")  # warm the host
        for index in range(rounds):
            for side in SIDES if index % 2 else SIDES[::-1]:
                measured[side].append(check(sandbox, side))
                wall, cpu, calls = measured[side][-1]
                print(f"round {index + 1}: {side:14} {wall * 1000:7.1f} ms wall, {cpu * 1000:6.1f} ms grader CPU, "
                      f"{calls} remote calls")
    medians = {side: [statistics.median(m[i] for m in measured[side]) for i in range(3)] for side in SIDES}
    for side, (wall, cpu, calls) in medians.items():
        print(f"{side:14} median {wall * 1000:7.1f} ms wall, {cpu * 1000:6.1f} ms grader CPU, {calls:.0f} calls")
    (wall_each, cpu_each, _), (wall_batch, cpu_batch, _) = medians[SIDES[0]], medians[SIDES[1]]
    print(f"one batch takes {wall_batch / wall_each:.2f}x the wall time and {cpu_batch / cpu_each:.2f}x the grader's "
          f"CPU of one call each; load average at the end {', '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
