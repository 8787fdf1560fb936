"""Finding cgroup hierarchies (v1, v2, hybrid) and writing a child's limits, on fake control files."""
import os

import pytest

from autograder.sandbox.cgroups import CPU_PERIOD_US, Cgroups, Hierarchy, hierarchies

V1 = ("8:pids:/\n4:memory:/grading/box\n1:cpu,cpuacct:/\n0::/\n", """\
32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
""")


def test_v1_hierarchies_are_found_with_the_hosts_own_group():
    found = hierarchies(*V1)
    assert sorted((h.controllers, h.own_folder) for h in found) == [
        (("cpu",), "/sys/fs/cgroup/cpu,cpuacct"), (("memory",), "/sys/fs/cgroup/memory/grading/box"),
        (("pids",), "/sys/fs/cgroup/pids")]
    assert all(h.version == 1 for h in found)


def test_v2_is_used_for_the_controllers_it_offers(tmp_path):
    (tmp_path / "cgroup.controllers").write_text("cpuset cpu io memory pids\n")
    found = hierarchies("0::/user.slice/grader\n", f"30 23 0:26 / {tmp_path} rw - cgroup2 cgroup2 rw\n")
    assert found == [Hierarchy(str(tmp_path), 2, ("memory", "pids", "cpu"), "/user.slice/grader")]
    (tmp_path / "cgroup.controllers").write_text("")
    assert hierarchies("0::/\n", f"30 23 0:26 / {tmp_path} rw - cgroup2 cgroup2 rw\n") == []


def test_a_v2_group_gets_its_controllers_and_every_limit(tmp_path):
    own = tmp_path / "grader"
    own.mkdir()
    (own / "cgroup.subtree_control").write_text("pids\n")
    group = Cgroups("course-sandbox-1", [Hierarchy(str(tmp_path), 2, ("memory", "pids", "cpu"), "/grader")])
    folder = own / "course-sandbox-1"
    assert (own / "cgroup.subtree_control").read_text() == "+memory +cpu"
    assert (folder / "cpu.max").read_text() == f"{CPU_PERIOD_US} {CPU_PERIOD_US}"
    (folder / "memory.swap.max").write_text("max")
    group.limit(3 * 2**30, 64)
    assert (folder / "memory.max").read_text() == str(3 * 2**30)
    host_threads = len(os.listdir("/proc/self/task"))  # the host is in the group too
    assert (folder / "memory.swap.max").read_text() == "0" and (folder / "pids.max").read_text() == str(64 + host_threads)


@pytest.mark.skipif(os.geteuid() != 0 or not hierarchies(), reason="creating real cgroups needs root")
def test_real_groups_are_made_limited_and_removed():
    group = Cgroups(f"course-sandbox-test-{os.getpid()}")
    folders = [folder for _, folder in group.folders]
    try:
        group.limit(2**30, 32)
        assert group.oom_kills() == 0
        for h, folder in group.folders:
            if "pids" in h.controllers:
                assert int(open(os.path.join(folder, "pids.max")).read()) == 32 + len(os.listdir("/proc/self/task"))
    finally:
        group.remove()
    assert folders and not any(os.path.exists(folder) for folder in folders)


def test_groups_of_hosts_that_were_killed_are_removed(tmp_path):
    own = tmp_path / "grader"
    (own / "course-sandbox-999999999").mkdir(parents=True)  # no such process: its host was killed
    (own / f"course-sandbox-{os.getpid()}").mkdir()  # a live host's group stays
    Cgroups("course-sandbox-1", [Hierarchy(str(tmp_path), 1, ("pids",), "/grader")])
    assert sorted(p.name for p in own.iterdir()) == ["course-sandbox-1", f"course-sandbox-{os.getpid()}"]


def test_a_group_gets_no_more_cpu_than_the_hosts_own_and_the_smallest_memory_limit_above_counts(tmp_path):
    from autograder.sandbox.cgroups import cpu_quota, memory_limit

    own = tmp_path / "container" / "grader"
    own.mkdir(parents=True)
    (own / "cpu.cfs_quota_us").write_text("50000\n")  # half a CPU, as Gradescope gives
    (own / "cpu.cfs_period_us").write_text("100000\n")
    v1 = Hierarchy(str(tmp_path), 1, ("cpu", "memory"), "/container/grader")
    assert cpu_quota(v1) == CPU_PERIOD_US // 2
    (own / "cpu.cfs_quota_us").write_text("-1\n")  # no limit: one core
    assert cpu_quota(v1) == CPU_PERIOD_US
    (own / "cpu.max").write_text("150000 100000\n")  # more than a core: still one
    assert cpu_quota(Hierarchy(str(tmp_path), 2, ("cpu",), "/container/grader")) == CPU_PERIOD_US

    (own / "memory.limit_in_bytes").write_text(str(2**63 - 4096))  # v1's "no limit"
    (tmp_path / "container" / "memory.limit_in_bytes").write_text(str(768 * 2**20))
    assert memory_limit([v1], mounted=()) == 768 * 2**20
    assert memory_limit([Hierarchy(str(tmp_path), 1, ("pids",), "/container/grader")], mounted=()) is None
    (tmp_path / "memory.max").write_text("max\n")
    assert memory_limit([], mounted=(str(tmp_path / "memory.max"),)) is None


def test_pinning_fits_the_memory_left_to_it(monkeypatch):
    from autograder.sandbox import resident

    for limit, budget in ((None, resident.BUDGET_BYTES), (768 * 2**20, 0), (3 * 2**30, 2 * 2**30),
                          (64 * 2**30, resident.BUDGET_BYTES)):
        monkeypatch.setattr("autograder.sandbox.cgroups.memory_limit", lambda limit=limit: limit)
        assert resident.budget_bytes() == budget
    monkeypatch.setattr("autograder.sandbox.cgroups.memory_limit", lambda: 768 * 2**20)
    with pytest.raises(OSError, match="memory limit leaves no room"):
        resident.pin(("/usr",), ())  # at 768 MB: no keeper is started
