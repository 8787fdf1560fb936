"""One submission of every assignment graded as Gradescope grades it, under its default container's limits.

For each assignment: ``course export gradescope`` (not timed: the instructor's side), the bundle unpacked into a
temporary root laid out like Gradescope's, the master handed in as the submission (every test runs to the end:
the costliest submission), and ``run_autograder`` started in a cgroup of 768 MB (``memory``) and half a CPU
(``cpu``: 50 ms of every 100 ms), the limits of Gradescope's default container. Everything the run starts stays
in the cgroup (the sandbox's own groups nest below it) and is killed when it ends, as the container would be.

Printed per assignment: wall seconds; CPU seconds; the cgroup's peak memory (everything charged to it: processes,
the page cache they brought in, the pinned files) and the peak of its processes' resident memory (polled every
0.1 s); OOM kills; and the score, which must be the master's full score. Root and cgroup v1 are needed (as on
this machine). About 1-2 minutes per assignment:

    python benchmarks/bench_gradescope.py [ASSIGNMENT ...] [--memory-mb 768] [--cpu 0.5]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

from autograder.assignments import course_root, list_assignments, load_assignment
from autograder.export.bundle import write_bundle
from autograder.sandbox.cgroups import hierarchies

LIMIT_SECONDS, LIMIT_MB = 120, 768


class Container:
    """A memory and a CPU cgroup (v1) below this process's own, standing in for a Gradescope container."""

    def __init__(self, memory_bytes: int, cpus: float) -> None:
        found = {c: h for h in hierarchies() if h.version == 1 for c in h.controllers}
        if "memory" not in found or "cpu" not in found:
            sys.exit("this benchmark needs cgroup v1's memory and cpu controllers, and root")
        name = f"bench-gradescope-{os.getpid()}"
        self.memory = os.path.join(found["memory"].own_folder, name)
        self.cpu = os.path.join(found["cpu"].own_folder, name)
        for folder in (self.memory, self.cpu):
            os.makedirs(folder, exist_ok=True)
        self._write(self.memory, "memory.limit_in_bytes", memory_bytes)
        self._write(self.cpu, "cpu.cfs_period_us", 100_000)
        self._write(self.cpu, "cpu.cfs_quota_us", int(100_000 * cpus))

    @staticmethod
    def _write(folder: str, name: str, value: int) -> None:
        with open(os.path.join(folder, name), "w") as control:
            control.write(str(value))

    def enter(self) -> None:
        """Move the calling process (a child before its exec) into both groups."""
        for folder in (self.memory, self.cpu):
            self._write(folder, "cgroup.procs", os.getpid())

    def read(self, name: str) -> str:
        with open(os.path.join(self.memory, name)) as control:
            return control.read()

    def resident_bytes(self) -> int:
        stat = dict(line.split() for line in self.read("memory.stat").splitlines())
        return int(stat["total_rss"]) + int(stat["total_shmem"])

    def kill_all(self) -> None:
        for _ in range(50):
            pids = [int(p) for p in self.read("cgroup.procs").split()]
            if not pids:
                return
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.1)

    def remove(self) -> None:
        self.kill_all()
        for folder in (self.memory, self.cpu):
            for _ in range(50):
                try:
                    os.rmdir(folder)
                    break
                except OSError:
                    time.sleep(0.1)


def gradescope_root(bundle: Path, submission: list[Path], where: Path) -> Path:
    root = where / "autograder"
    (root / "source").mkdir(parents=True)
    (root / "submission").mkdir()
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(root / "source")
    for name in ("setup.sh", "run_autograder"):
        (root / "source" / name).chmod(0o755)
    for path in submission:
        shutil.copy(path, root / "submission" / path.name)
    return root


def master_submission(root: Path, name: str, where: Path) -> list[Path]:
    """The master notebooks and the master's own files (the PyTorch challenge's weights) as a student hands them in."""
    from autograder.engine import load_grader

    assignment = load_assignment(root, name)
    files = [nb.path for nb in assignment.notebooks]
    for nb in assignment.notebooks:
        for file_name, content in load_grader(name, nb, with_tests=False).master_files.items():
            (where / file_name).write_bytes(content)
            files.append(where / file_name)
    return files


def run(root: Path, memory_bytes: int, cpus: float) -> dict:
    container = Container(memory_bytes, cpus)
    peak = [0]
    done = threading.Event()

    def poll() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], container.resident_bytes())
            time.sleep(0.1)

    environment = {**os.environ, "AUTOGRADER_ROOT": str(root), "PATH": f"{Path(sys.executable).parent}:"
                   f"{os.environ['PATH']}"}
    start, cpu = time.perf_counter(), os.times()
    process = subprocess.Popen(["sh", str(root / "source" / "run_autograder")], env=environment,
                               preexec_fn=container.enter, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    watcher = threading.Thread(target=poll, daemon=True)
    watcher.start()
    output = process.communicate()[0]
    wall = time.perf_counter() - start
    done.set()
    watcher.join()
    container.kill_all()  # the container ends with its submission: the keeper of pinned files with it
    after = os.times()
    oom = dict(line.split() for line in container.read("memory.oom_control").splitlines()).get("oom_kill", "?")
    measured = {"wall": wall, "cpu": (after.children_user + after.children_system) - (cpu.children_user + cpu.children_system),
                "peak_mb": int(container.read("memory.max_usage_in_bytes")) / 2**20, "resident_mb": peak[0] / 2**20,
                "oom_kills": oom, "output": output.decode(errors="replace")}
    container.remove()
    return measured


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("assignments", nargs="*")
    parser.add_argument("--memory-mb", type=int, default=LIMIT_MB)
    parser.add_argument("--cpu", type=float, default=0.5)
    args = parser.parse_args()
    course = course_root()
    names = args.assignments or [a.name for a in list_assignments(course)]
    print(f"limits: {args.memory_mb} MB, {args.cpu:g} CPU; goal: each submission under {LIMIT_SECONDS} s and "
          f"{LIMIT_MB} MB", flush=True)
    rows = []
    for name in names:
        with tempfile.TemporaryDirectory(prefix="bench-gradescope-") as temporary:
            where = Path(temporary)
            started = time.perf_counter()
            write_bundle(course, load_assignment(course, name), where / f"{name}.zip")
            export = time.perf_counter() - started
            root = gradescope_root(where / f"{name}.zip", master_submission(course, name, where), where)
            measured = run(root, args.memory_mb * 2**20, args.cpu)
            results = json.loads((root / "results" / "results.json").read_text())
            best = load_assignment(course, name).points("auto")
            row = {"assignment": name, "export": export, **measured, "score": f"{results['score']:g}/{best:g}"}
            ok = measured["wall"] <= LIMIT_SECONDS and measured["oom_kills"] == "0" and results["score"] == best
            rows.append((row, ok))
            print(f"{name:<22} wall {measured['wall']:6.1f} s  cpu {measured['cpu']:6.1f} s  cgroup peak "
                  f"{measured['peak_mb']:5.0f} MB  resident peak {measured['resident_mb']:5.0f} MB  oom kills "
                  f"{measured['oom_kills']}  score {row['score']}  (export {export:.0f} s)  {'ok' if ok else 'OVER'}",
                  flush=True)
            if results["score"] != best:
                print(measured["output"][-3000:])
    print("\n| assignment | wall s | CPU s | cgroup peak MB | resident peak MB | score |\n|---|---|---|---|---|---|")
    for row, ok in rows:
        print(f"| {row['assignment']} | {row['wall']:.0f} | {row['cpu']:.0f} | {row['peak_mb']:.0f} | "
              f"{row['resident_mb']:.0f} | {row['score']}{'' if ok else ' (over a limit)'} |")


if __name__ == "__main__":
    main()
