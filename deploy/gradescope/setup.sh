#!/bin/sh
# Install the course and its pinned dependencies into whatever python3 is first on the PATH.
#   Gradescope runs it from an exported bundle (`course export gradescope`), the container image from the repo:
#   sh setup.sh [COURSE_DIR]      COURSE_DIR: the folder holding pyproject.toml (default: this script's folder,
#                                 or the repository root when the script sits in deploy/gradescope/)
# PyTorch comes from its CPU wheel index (TORCH_INDEX_URL), not PyPI's multi-GB CUDA build, unless the pinned
# version is installed already.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
course=${1:-$here}
[ -f "$course/pyproject.toml" ] || course=$(cd "$here/../.." && pwd)
[ -f "$course/pyproject.toml" ] || { echo "setup.sh: no pyproject.toml in $course" >&2; exit 2; }
python=${PYTHON:-python3}
torch=$(sed -n 's/.*"\(torch==[0-9.]*\)".*/\1/p' "$course/pyproject.toml")

if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "setup.sh: the course needs Python 3.11 or newer; $python is $("$python" -V 2>&1)." >&2
    echo "  Put a Python 3.11 first on the PATH (on Gradescope: choose an Ubuntu image with Python 3.11, or" >&2
    echo "  apt-get install python3.11 python3.11-venv and set PYTHON=python3.11)." >&2
    exit 2
fi
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_BREAK_SYSTEM_PACKAGES=1  # a system Python (PEP 668) is meant here
if "$python" -c "import importlib.metadata as m, sys; sys.exit(m.version('torch').split('+')[0] != '${torch#torch==}')" \
        2>/dev/null; then
    echo "setup.sh: $torch is installed already"
else
    "$python" -m pip install --no-cache-dir "$torch" \
        --extra-index-url "${TORCH_INDEX_URL:-https://download.pytorch.org/whl/cpu}"
fi
# The course installs editable from its folder; a Python that has it from another folder keeps that install
# (an instructor's checkout is not repointed at a bundle) unless COURSE_REINSTALL=1: run_autograder imports the
# bundle's own code from its folder anyway, and the pins are the same.
installed=$("$python" -I -c 'import importlib.util as u, os
s = u.find_spec("autograder")
print(os.path.dirname(s.submodule_search_locations[0]) if s else "")' 2>/dev/null || true)
if [ -z "$installed" ] || [ "${COURSE_REINSTALL:-0}" = 1 ]; then
    "$python" -m pip install --no-cache-dir --quiet -e "$course"
elif [ "$installed" = "$course" ]; then
    echo "setup.sh: the course in $course is installed already"
else
    echo "setup.sh: this Python has the course from $installed: kept (COURSE_REINSTALL=1 replaces it)"
fi
(cd "$course" && "$python" -c 'import autograder, course_utils, torch; print("setup.sh: ready, torch", torch.__version__)')
