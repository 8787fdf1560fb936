"""The fc_and_cnn grader scores Q14 on the validation images the notebook itself standardized."""
import os
import subprocess
import sys

import numpy as np

from autograder.assignments import course_root, load_assignment
from autograder.engine import load_grader
from autograder.graders.fc_and_cnn.q14_bn_cnn_training import course_validation_data


def test_q14s_validation_data_is_what_the_notebook_holds_in_quick_mode(tmp_path):
    """Children run in quick mode: the grader's copy of the course data must have been standardized with the
    same training split (its mean image and its pixels' deviation) as the notebook's ``data``."""
    notebook = load_assignment(course_root(), "fc_and_cnn").notebooks[0]
    cells = dict(load_grader("fc_and_cnn", notebook, with_tests=False).setup)
    script = "\n".join([cells["given_imports"], cells["given_data"].split("\nfig,")[0],
                        f"np.savez({str(tmp_path / 'val.npz')!r}, X=data['X_val'], y=data['y_val'])"])
    subprocess.run([sys.executable, "-c", script], check=True, capture_output=True,
                   env={**os.environ, "COURSE_QUICK": "1", "MPLBACKEND": "Agg"})
    held = np.load(tmp_path / "val.npz")
    X_val, y_val = course_validation_data()
    np.testing.assert_array_equal(held["y"], y_val)
    np.testing.assert_allclose(held["X"], X_val, rtol=0, atol=1e-6)
