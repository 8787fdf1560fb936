"""The recipes of deploy/ that grade a class in shards (a container image, a Kubernetes Indexed Job, a Slurm array,
a GitHub Actions matrix): their structure, and the commands they run, executed with a fake ``course`` that records
its arguments. Nothing is graded and no container runs, except in the image test where a runtime can build one."""
from __future__ import annotations

import copy
import json
import re
import shutil
import socket
import subprocess
from pathlib import Path

import pytest
import yaml
from kubernetes.client import ApiClient

from tests.conftest import ROOT

DEPLOY = ROOT / "deploy"
ASSIGNMENT = "spiral_from_scratch"
BASE_IMAGE = "python:3.11-slim"
# records its arguments and OMP_NUM_THREADS, and prints what the real one does: a student's score, which no
# CI log may show
FAKE_COURSE = """#!/bin/sh
printf '%s\\n' "$@" > "$FAKE_COURSE_ARGS"
echo "OMP_NUM_THREADS=${OMP_NUM_THREADS-}" > "$FAKE_COURSE_ARGS.env"
echo "alice-the-student   7/10"
echo "wrote the results"
exit "${FAKE_COURSE_STATUS:-0}"
"""
# sudo as the GitHub runner has it, minus the privileges
FAKE_SUDO = """#!/bin/sh
[ "$1" = -E ] && shift
exec "$@"
"""


class FakeCourse:
    """A ``course`` (and a ``sudo``) on a PATH of their own; ``run`` starts a command with only that environment
    (the test process's own OMP_NUM_THREADS must not leak in) and ``args`` are what ``course`` was called with."""

    def __init__(self, tmp_path: Path):
        self.bin = tmp_path / "bin"
        self.bin.mkdir()
        for name, text in (("course", FAKE_COURSE), ("sudo", FAKE_SUDO)):
            (self.bin / name).write_text(text)
            (self.bin / name).chmod(0o755)
        self.record = tmp_path / "course-args"

    def run(self, command: list[str], cwd: Path | None = None, **env: str) -> subprocess.CompletedProcess:
        self.record.unlink(missing_ok=True)
        environment = {"PATH": f"{self.bin}:/usr/local/bin:/usr/bin:/bin", "FAKE_COURSE_ARGS": str(self.record)}
        return subprocess.run(command, cwd=cwd, env=environment | env, capture_output=True, text=True, timeout=30)

    @property
    def args(self) -> list[str]:
        return self.record.read_text().splitlines()

    @property
    def omp_threads(self) -> str:
        return Path(f"{self.record}.env").read_text().strip().removeprefix("OMP_NUM_THREADS=")


@pytest.fixture
def course(tmp_path) -> FakeCourse:
    return FakeCourse(tmp_path)


# ------------------------------------------------------------------ the container image

def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of deploy/Dockerfile, continuation lines joined, comments left out."""
    text = re.sub(r"\\\n", " ", (DEPLOY / "Dockerfile").read_text())
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines]


def test_the_image_installs_the_course_with_setup_sh_and_grades_by_default():
    instructions = dockerfile_instructions()
    assert instructions[0] == ("FROM", BASE_IMAGE)
    assert ("WORKDIR", "/course") in instructions and ("COPY", ". /course") in instructions
    assert ("RUN", "sh deploy/gradescope/setup.sh /course") in instructions
    assert (DEPLOY / "gradescope" / "setup.sh").is_file()
    assert ("ENV", "OMP_NUM_THREADS=1") in instructions
    [entrypoint] = [json.loads(args) for name, args in instructions if name == "ENTRYPOINT"]
    assert entrypoint == ["course", "grade"]
    assert not any(name == "USER" for name, _ in instructions)  # the sandbox confines fully only as root
    header = (DEPLOY / "Dockerfile").read_text()
    assert "docker build -f deploy/Dockerfile -t dl-course ." in header
    assert "docker run --rm --network none --memory 2g --cpus 1" in header and "--cap-add SYS_ADMIN" in header


def dockerignored(path: str, patterns: list[str]) -> bool:
    """Whether Docker leaves ``path`` (relative to the context) out: a pattern matches it or a folder above it,
    ``*`` within one name, ``**/`` any number of folders."""
    def regex(pattern: str) -> str:
        parts = re.split(r"(\*\*/|\*|\?)", pattern)
        return "".join({"**/": "(?:.*/)?", "*": "[^/]*", "?": "[^/]"}.get(p, re.escape(p)) for p in parts)

    names = path.split("/")
    folders = ["/".join(names[:i]) for i in range(1, len(names) + 1)]
    return any(re.fullmatch(regex(p), folder) for p in patterns for folder in folders)


def test_the_build_context_keeps_the_course_and_leaves_out_what_must_not_reach_an_image():
    patterns = [line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()
                if line.strip() and not line.startswith("#")]
    kept = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                          capture_output=True, text=True, check=True).stdout.split()
    assert not [path for path in kept if dockerignored(path, patterns)]
    for left_out in (".venv/bin/python", ".git/HEAD", "autograder/__pycache__/cli.cpython-311.pyc",
                     "dl_course.egg-info/PKG-INFO", "gradebook.db", "source/dropout/gradebook.db",
                     "results/grades.csv", ".demo/out/grades.csv", "datasets/cifar-10-batches-py/data_batch_1",
                     "datasets/MPIIFaceGaze/p00/day01.mat", "datasets/cifar.tar.gz.part", "submissions/alice.ipynb",
                     "out/students/alice/results.json"):
        assert dockerignored(left_out, patterns), left_out
    for needed in ("autograder/graders/__init__.py", "source/spiral_from_scratch/spiral_from_scratch.ipynb",
                   "deploy/gradescope/setup.sh", "pyproject.toml", "datasets/README.md"):
        assert not dockerignored(needed, patterns), needed


def container_runtime() -> str:
    """docker or podman, if one can build the image here; skips the test with the reasons otherwise."""
    reasons = []
    for tool in ("docker", "podman"):
        if shutil.which(tool) is None:
            reasons.append(f"{tool} is not installed")
            continue
        info = subprocess.run([tool, "info"], capture_output=True, text=True, timeout=60)
        if info.returncode:
            problem = (info.stderr.strip().splitlines() or ["no reason given"])[-1]
            reasons.append(f"the {tool} client reaches no daemon ({problem})")
        elif subprocess.run([tool, "image", "inspect", BASE_IMAGE], capture_output=True, timeout=60).returncode:
            reasons.append(f"{tool} has no {BASE_IMAGE} image and pulling one needs a registry")
        else:
            return tool
    pytest.skip("no container runtime can build the image: " + "; ".join(reasons))


def require_package_indexes() -> None:
    """The build installs the pinned dependencies from PyPI and PyTorch's CPU wheels."""
    for host in ("pypi.org", "download.pytorch.org"):
        try:
            socket.create_connection((host, 443), timeout=5).close()
        except OSError as exc:
            pytest.skip(f"the image's build needs {host}, which is out of reach ({exc})")


def test_the_image_builds_and_grades_a_class_folder_without_network(tmp_path):
    """Minutes where it runs (the build downloads PyTorch); skipped without a container runtime."""
    tool = container_runtime()
    require_package_indexes()
    image = "dl-course-test"
    subprocess.run([tool, "build", "-f", "deploy/Dockerfile", "-t", image, "."], cwd=ROOT, check=True, timeout=3600)
    submissions, out = tmp_path / "submissions", tmp_path / "out"
    submissions.mkdir()
    out.mkdir()
    shutil.copy(ROOT / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", submissions / "alice.ipynb")
    graded = subprocess.run([tool, "run", "--rm", "--network", "none", "--memory", "2g", "--cpus", "1",
                             "-v", f"{submissions}:/submissions:ro", "-v", f"{out}:/out", image,
                             ASSIGNMENT, "/submissions", "--class-folder", "--out", "/out"],
                            capture_output=True, text=True, timeout=1800)
    assert graded.returncode == 0, graded.stderr
    # the results belong to the container's root: hand them to this user to read them
    owner = f"{subprocess.check_output(['id', '-u'], text=True).strip()}:" \
            f"{subprocess.check_output(['id', '-g'], text=True).strip()}"
    subprocess.run([tool, "run", "--rm", "-v", f"{out}:/out", "--entrypoint", "chown", image, "-R", owner, "/out"],
                   check=True, timeout=300)
    assert "alice" in (out / "grades.csv").read_text()
    assert json.loads((out / "students" / "alice" / "results.json").read_text())["tests"]


# ------------------------------------------------------------------ Kubernetes

def manifest() -> list[dict]:
    return list(yaml.safe_load_all((DEPLOY / "kubernetes" / "grade-job.yaml").read_text()))


def validated(doc: dict):
    """``doc`` as the official client's model of its kind, which checks types strictly and requires the required
    fields; refused (ValueError) too when the model does not give ``doc`` back unchanged (a key it does not know is
    dropped) or when a container has no image (the API server requires one in a pod)."""
    api = ApiClient()
    version = doc["apiVersion"].split("/")[-1]
    model = api.deserialize(json.dumps(doc), f"{version.capitalize()}{doc['kind']}", None)
    if api.sanitize_for_serialization(model) != doc:
        raise ValueError(f"{doc['kind']} {doc['metadata']['name']} holds what its model does not know")
    spec = getattr(model.spec, "template", None)
    if spec is not None and any(not container.image for container in spec.spec.containers):
        raise ValueError(f"{doc['kind']} {doc['metadata']['name']} has a container without an image")
    return model


def jobs() -> dict[str, dict]:
    return {doc["metadata"]["name"]: doc for doc in manifest() if doc["kind"] == "Job"}


def test_every_object_of_the_manifest_is_valid_for_the_kubernetes_client():
    kinds = [type(validated(doc)).__name__ for doc in manifest()]
    assert sorted(kinds) == ["V1Job", "V1Job", "V1NetworkPolicy"]


def grading_container(doc: dict) -> dict:
    [container] = doc["spec"]["template"]["spec"]["containers"]
    return container


@pytest.mark.parametrize("breakage", [
    "completions as a string", "a container without a name", "a container without an image",
    "a misspelled field", "readOnly as a string"])
def test_a_broken_manifest_is_refused(breakage):
    job = copy.deepcopy(jobs()["course-grade"])
    container = grading_container(job)
    if breakage == "completions as a string":
        job["spec"]["completions"] = str(job["spec"]["completions"])
    elif breakage == "a container without a name":
        del container["name"]
    elif breakage == "a container without an image":
        del container["image"]
    elif breakage == "a misspelled field":
        job["spec"]["completionmode"] = job["spec"].pop("completionMode")
    else:
        container["volumeMounts"][0]["readOnly"] = "true"
    with pytest.raises(ValueError):
        validated(job)


def test_the_indexed_job_grades_shard_k_of_n_in_pod_k_minus_1(course):
    job = jobs()["course-grade"]
    spec, pod = job["spec"], job["spec"]["template"]["spec"]
    n = spec["completions"]
    assert spec["completionMode"] == "Indexed" and 1 <= spec["parallelism"] <= n
    assert spec["backoffLimitPerIndex"] >= 1 and pod["restartPolicy"] == "Never"
    container = grading_container(job)
    assert container["image"] == "dl-course" and container["command"][:2] == ["sh", "-c"]
    for index in range(n):
        ran = course.run(container["command"], JOB_COMPLETION_INDEX=str(index))
        assert ran.returncode == 0, ran.stderr
        assert course.args == ["grade", ASSIGNMENT, "/class", "--class-folder", "--out", f"/results/shard-{index + 1}",
                               "--shard", f"{index + 1}/{n}"]


def test_the_grading_pods_get_one_cpu_2gib_root_and_read_only_submissions():
    job = jobs()["course-grade"]
    pod, container = job["spec"]["template"]["spec"], grading_container(job)
    assert container["resources"]["requests"] == container["resources"]["limits"] == {"cpu": "1", "memory": "2Gi"}
    context = container["securityContext"]
    assert context["runAsUser"] == 0 and "SYS_ADMIN" in context["capabilities"]["add"]
    assert context["appArmorProfile"] == {"type": "Unconfined"}
    mounts = {m["mountPath"]: m for m in container["volumeMounts"]}
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert mounts["/class"]["readOnly"] is True
    assert volumes[mounts["/class"]["name"]]["persistentVolumeClaim"]["readOnly"] is True
    assert not mounts["/results"].get("readOnly")
    assert pod["automountServiceAccountToken"] is False


def test_no_grading_pod_has_network_and_the_merge_waits_for_every_shard():
    docs = manifest()
    [policy] = [doc for doc in docs if doc["kind"] == "NetworkPolicy"]
    assert sorted(policy["spec"]["policyTypes"]) == ["Egress", "Ingress"]
    assert "ingress" not in policy["spec"] and "egress" not in policy["spec"]  # no rule: nothing is allowed
    selector = policy["spec"]["podSelector"]["matchLabels"]
    for job in jobs().values():
        assert selector.items() <= job["spec"]["template"]["metadata"]["labels"].items()
    grade, merge = jobs()["course-grade"], jobs()["course-merge"]
    assert merge["spec"]["suspend"] is True  # Kubernetes has no dependency between Jobs: resumed by hand
    assert grading_container(merge)["command"] == ["sh", "-c",
                                                   "exec course merge /results/shard-* --out /results/merged"]
    claims = [{v["name"]: v["persistentVolumeClaim"]["claimName"] for v in job["spec"]["template"]["spec"]["volumes"]}
              for job in (grade, merge)]
    assert claims[0]["results"] == claims[1]["results"]


# ------------------------------------------------------------------ Slurm

SLURM = DEPLOY / "slurm"


def sbatch_options(script: Path) -> list[str]:
    """The #SBATCH options that sbatch reads: those before the first command."""
    options = []
    for line in script.read_text().splitlines()[1:]:
        if line.startswith("#SBATCH"):
            options.append(line.removeprefix("#SBATCH").strip())
        elif line.strip() and not line.startswith("#"):
            break
    return options


@pytest.mark.parametrize("script", ["grade-array.sh", "merge.sh"])
def test_the_slurm_scripts_parse(script):
    subprocess.run(["bash", "-n", str(SLURM / script)], check=True)


def test_each_array_task_grades_its_shard_of_as_many_as_the_array_has(course, tmp_path):
    options = sbatch_options(SLURM / "grade-array.sh")
    assert {"--cpus-per-task=1", "--mem=2G"} <= set(options)
    [array] = [o.removeprefix("--array=") for o in options if o.startswith("--array=")]
    first, last = map(int, re.fullmatch(r"(\d+)-(\d+)", array).groups())
    assert first == 1
    for task in range(first, last + 1):
        ran = course.run(["bash", str(SLURM / "grade-array.sh"), ASSIGNMENT, "/class", "/grading"],
                         SLURM_ARRAY_TASK_ID=str(task), SLURM_ARRAY_TASK_COUNT=str(last))
        assert ran.returncode == 0, ran.stderr
        assert course.args == ["grade", ASSIGNMENT, "/class", "--class-folder", "--out", f"/grading/shard-{task}",
                               "--shard", f"{task}/{last}"]
        assert course.omp_threads == "1"


def test_a_shard_run_again_alone_keeps_the_n_of_the_whole_run(course):
    ran = course.run(["bash", str(SLURM / "grade-array.sh"), ASSIGNMENT, "/class", "/grading"],
                     SLURM_ARRAY_TASK_ID="3", SLURM_ARRAY_TASK_COUNT="1", SHARDS="4")
    assert ran.returncode == 0, ran.stderr
    assert course.args[-2:] == ["--shard", "3/4"]


def test_the_slurm_merge_joins_every_shard_folder(course, tmp_path):
    for k in (1, 2, 3, 4):
        (tmp_path / "grading" / f"shard-{k}").mkdir(parents=True)
    ran = course.run(["bash", str(SLURM / "merge.sh"), str(tmp_path / "grading")])
    assert ran.returncode == 0, ran.stderr
    assert course.args == ["merge", *(str(tmp_path / "grading" / f"shard-{k}") for k in (1, 2, 3, 4)),
                           "--out", str(tmp_path / "grading" / "merged")]
    assert "--dependency=afterok:" in (SLURM / "grade-array.sh").read_text()


# ------------------------------------------------------------------ GitHub Actions

def workflow() -> dict:
    return yaml.safe_load((DEPLOY / "github-actions" / "grade-matrix.yml").read_text())


def step(job: dict, name: str) -> dict:
    [found] = [s for s in job["steps"] if s.get("name", "").startswith(name)]
    return found


def run_step(course: FakeCourse, found: dict, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    """A ``run`` step as a runner runs it (``bash -e`` on a file)."""
    script = cwd / "step.sh"
    script.write_text(found["run"])
    return course.run(["bash", "-e", str(script)], cwd=cwd, **env)


def test_the_workflow_is_started_by_hand_with_an_assignment_and_a_number_of_shards():
    trigger = workflow().get("on") or workflow()[True]  # YAML 1.1 reads the key `on` as true
    assert set(trigger) == {"workflow_dispatch"}
    assert set(trigger["workflow_dispatch"]["inputs"]) == {"assignment", "shards"}


def test_the_plan_lists_shards_1_to_n_once_each_and_refuses_other_counts(course, tmp_path):
    plan = step(workflow()["jobs"]["plan"], "List the shards")
    assert plan["env"] == {"SHARDS": "${{ inputs.shards }}"}
    for count in (1, 4, 256):
        output = tmp_path / f"output-{count}"
        ran = run_step(course, plan, tmp_path, SHARDS=str(count), GITHUB_OUTPUT=str(output))
        assert ran.returncode == 0, ran.stderr
        written = dict(line.split("=", 1) for line in output.read_text().splitlines())
        assert written["count"] == str(count) and json.loads(written["shards"]) == list(range(1, count + 1))
    for wrong in ("0", "257", "two", "", "4; echo"):
        assert run_step(course, plan, tmp_path, SHARDS=wrong, GITHUB_OUTPUT=str(tmp_path / "x")).returncode != 0


def test_each_matrix_job_grades_its_shard_as_root_and_keeps_the_scores_out_of_the_log(course, tmp_path):
    jobs = workflow()["jobs"]
    grade = jobs["grade"]
    assert grade["needs"] == "plan" and grade["strategy"]["fail-fast"] is False
    assert grade["strategy"]["matrix"] == {"shard": "${{ fromJSON(needs.plan.outputs.shards) }}"}
    assert jobs["plan"]["outputs"]["shards"] == "${{ steps.shards.outputs.shards }}"
    assert jobs["plan"]["outputs"]["count"] == "${{ steps.shards.outputs.count }}"
    grading = step(grade, "Grade shard")
    assert grading["env"]["SHARD"] == "${{ matrix.shard }}"
    assert grading["env"]["SHARDS"] == "${{ needs.plan.outputs.count }}"
    assert "${{" not in grading["run"]  # inputs reach the script as variables, never spliced into its text
    env = {"ASSIGNMENT": ASSIGNMENT, "SHARD": "2", "SHARDS": "5"}
    ran = run_step(course, grading, tmp_path, **env, OMP_NUM_THREADS=grading["env"]["OMP_NUM_THREADS"])
    assert ran.returncode == 0, ran.stderr
    assert course.args == ["grade", ASSIGNMENT, f"submissions/{ASSIGNMENT}", "--class-folder", "--out", "out/shard-2",
                           "--shard", "2/5"]
    assert course.omp_threads == "1"
    assert "alice-the-student" not in ran.stdout + ran.stderr
    assert "alice-the-student" in (tmp_path / "out" / "grade-2.log").read_text()
    assert "sudo -E" in grading["run"]
    failed = run_step(course, grading, tmp_path, **env, FAKE_COURSE_STATUS="3")
    assert failed.returncode == 3
    upload = step(grade, "Keep the shard's results")
    assert upload["with"]["name"] == "shard-${{ matrix.shard }}" and upload["with"]["path"] == "out/"


def test_the_merge_job_waits_for_the_matrix_and_joins_every_shard(course, tmp_path):
    merge = workflow()["jobs"]["merge"]
    assert merge["needs"] == "grade"
    download = step(merge, "Download the shards")
    assert download["with"] == {"pattern": "shard-*", "path": "out", "merge-multiple": True}
    for k in (1, 2, 3):
        (tmp_path / "out" / f"shard-{k}").mkdir(parents=True)
        (tmp_path / "out" / f"grade-{k}.log").write_text("log")
    ran = run_step(course, step(merge, "Merge"), tmp_path)
    assert ran.returncode == 0, ran.stderr
    assert course.args == ["merge", "out/shard-1/", "out/shard-2/", "out/shard-3/", "--out", "gradebook"]
    assert "alice-the-student" not in ran.stdout and (tmp_path / "gradebook" / "merge.log").is_file()
    assert step(merge, "Keep the gradebook")["with"]["path"] == "gradebook/"

