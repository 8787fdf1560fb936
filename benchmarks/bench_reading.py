#!/usr/bin/env python3
"""What reading a notebook made large by its outputs costs, two ways side by side in one run.

A notebook of about 60 MB (the spiral master's answers, a printed training log of 700,000 lines with one
character outside the Basic Multilingual Plane, and 20 plots) is written to a temporary folder and read in
fresh processes, alternately, ``--rounds`` times each:

a. a full parse: ``json.loads`` of the whole file, then its answer cells (what ``course grade`` did before,
   once per question and worker);
b. ``autograder.submissions.read_answers``: outputs stepped over, only answer cells decoded (what it does
   now, once per batch).

For each it prints wall and CPU seconds and the growth of peak resident memory (``VmHWM``) over the
process's start, and the ratios b / a.

    .venv/bin/python benchmarks/bench_reading.py [--rounds 3]
"""
from __future__ import annotations

import argparse
import base64
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MASTER = ROOT / "source/spiral_from_scratch/spiral_from_scratch.ipynb"

READ = """
import json, sys, time
sys.path.insert(0, {root!r})
from pathlib import Path
from autograder.notebook import grade_id, is_code_answer, source
from autograder.submissions import read_answers
path = Path({path!r})
def peak():  # this process image's high-water mark of resident memory, in kB (ru_maxrss survives exec)
    return int(Path("/proc/self/status").read_text().split("VmHWM:")[1].split()[0])
start = peak()
wall, cpu = time.perf_counter(), time.process_time()
if {full!r}:
    cells = {{grade_id(c): source(c) for c in json.loads(path.read_bytes())["cells"] if is_code_answer(c)}}
else:
    cells = read_answers(path, path.parent).cells
print(json.dumps([len(cells), time.perf_counter() - wall, time.process_time() - cpu,
                  (peak() - start) / 1024]))
"""


def write_notebook(path: Path) -> None:
    document = json.loads(MASTER.read_text())
    log = [f"epoch {i}: loss {1 / (i + 1):.6f} accuracy {i % 100}% \U0001F642\n" for i in range(700_000)]
    png = base64.b64encode(os.urandom(3 * 2**18)).decode() + "\n"  # 1 MB of base64, as Jupyter stores a plot
    document["cells"][-1]["outputs"] = [{"output_type": "stream", "name": "stdout", "text": log}] + [
        {"output_type": "display_data", "metadata": {}, "data": {"image/png": png, "text/plain": ["<Figure>"]}}
        for _ in range(20)]
    path.write_text(json.dumps(document, indent=1))


def measure(path: Path, full: bool) -> tuple[int, float, float, float]:
    code = READ.format(root=str(ROOT), path=str(path), full=full)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return tuple(json.loads(done.stdout))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    rounds = parser.parse_args().rounds
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "outputs.ipynb"
        write_notebook(path)
        print(f"notebook: {path.stat().st_size / 2**20:.1f} MB")
        runs: dict[bool, list] = {True: [], False: []}
        for _ in range(rounds):
            for full in (True, False):
                runs[full].append(measure(path, full))
    best = {full: [min(r[i] for r in found) for i in (1, 2, 3)] for full, found in runs.items()}
    assert runs[True][0][0] == runs[False][0][0], "the two readings found different answer cells"
    for full, label in ((True, "a. full parse (json.loads)"), (False, "b. read_answers (outputs skipped)")):
        wall, cpu, memory = best[full]
        print(f"{label:<36} wall {wall:6.2f} s  cpu {cpu:6.2f} s  peak memory +{memory:6.0f} MB  (best of {rounds})")
    print(f"b / a: wall {best[False][0] / best[True][0]:.2f}x, cpu {best[False][1] / best[True][1]:.2f}x, "
          f"memory {best[False][2] / best[True][2]:.2f}x")


if __name__ == "__main__":
    main()
