"""``course calibrate``: a training test's measure run on the master over seeds, with its verdict."""
import io

from autograder.assignments import load_assignment
from autograder.calibrate import Measured, calibrate
from autograder.cli import main
from autograder.kit import Calibration
from tests.conftest import ROOT


def test_a_threshold_is_safe_only_when_the_master_reaches_it_on_every_seed():
    calibration = Calibration("Q5_training", lambda kit, seed: 0.0, 0.85, tuple(range(10)), (0.9, 1.0))
    assert Measured(calibration, {1: 0.9, 2: 0.95}).safe
    unsafe = Measured(calibration, {1: 0.9, 2: 0.8})
    assert not unsafe.safe and "NOT SAFE" in unsafe.summary() and "margin -0.050" in unsafe.summary()


def test_calibrate_runs_the_masters_training_in_the_sandbox_and_prints_each_seed():
    log = io.StringIO()
    (measured,) = calibrate(ROOT, load_assignment(ROOT, "spiral_from_scratch"), {"Q5"}, [4], log=log)
    assert measured.safe and 0.85 <= measured.values[4] <= 1.0
    assert "Q5_training  seed      4" in log.getvalue() and "SAFE" in log.getvalue()


def test_calibrate_says_when_an_assignment_has_nothing_to_calibrate(capsys):
    assert main(["calibrate", "spiral_from_scratch", "Q1"]) == 2
    assert "no calibrated training test among Q1" in capsys.readouterr().err
