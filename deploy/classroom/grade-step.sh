#!/bin/sh
# The grading step of grade-on-push.yml, as one script (it runs the same way on a laptop):
#   sh grade-step.sh WORKSPACE BUNDLE [WORK]
#     WORKSPACE  the student's repository; all of it but .git and .github is handed in
#     BUNDLE     the zip of `course export gradescope`, or that zip encrypted with
#                `openssl enc -aes-256-cbc -pbkdf2 -salt` (its key in $COURSE_BUNDLE_KEY)
#     WORK       where to grade (default $RUNNER_TEMP), outside WORKSPACE: WORK/autograder is laid out as on
#                Gradescope (source/ the bundle, submission/ the student's files, results/) and must not exist
# The bundle's setup.sh installs the course into the python3 first on the PATH ($PYTHON if set), then its
# run_autograder grades, both as root (through sudo unless this runs as root): only root gets the sandbox's full
# confinement. What run_autograder prints goes to WORK/autograder/run_autograder.log, never to the log a student
# reads (Gradescope shows it to staff only). Last, python -m autograder.export.classroom appends the summary to
# $GITHUB_STEP_SUMMARY and result=<base64> to $GITHUB_OUTPUT and prints the score. Exits 0 once that report is
# written, whatever the grade; not 0 when the bundle cannot be unpacked.
set -eu
[ $# -ge 2 ] || { echo "usage: sh grade-step.sh WORKSPACE BUNDLE [WORK]" >&2; exit 2; }
workspace=$(cd "$1" && pwd)
bundle=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
work=${3:-${RUNNER_TEMP:?give WORK or set RUNNER_TEMP}}
root=$(mkdir -p "$work" && cd "$work" && pwd)/autograder
python=${PYTHON:-python3}

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo -E env "PATH=$PATH" "$@"; fi
}

[ ! -e "$root" ] || { echo "grade-step.sh: $root exists already; grade in a new WORK folder" >&2; exit 2; }
mkdir -p "$root/source" "$root/submission" "$root/results"
cd "$root"  # never in the student's folder: `python -m` would import its modules first
if [ "$(head -c 8 "$bundle" | tr -d '\000')" = "Salted__" ]; then
    : "${COURSE_BUNDLE_KEY:?the bundle is encrypted: set COURSE_BUNDLE_KEY to its key}"
    openssl enc -d -aes-256-cbc -pbkdf2 -pass env:COURSE_BUNDLE_KEY -in "$bundle" -out bundle.zip ||
        { echo "grade-step.sh: the bundle could not be decrypted: is COURSE_BUNDLE_KEY its key?" >&2; exit 1; }
    bundle=$root/bundle.zip
fi
unzip -q "$bundle" -d source
rm -f bundle.zip
tar -C "$workspace" --exclude=./.git --exclude=./.github -cf - . | tar -C submission -xf -

echo "grade-step.sh: installing the autograder"
if as_root env "AUTOGRADER_ROOT=$root" sh source/setup.sh; then
    echo "grade-step.sh: grading"
    as_root env "AUTOGRADER_ROOT=$root" sh source/run_autograder > run_autograder.log 2>&1 || true
    as_root chmod a+r results/results.json 2> /dev/null || true  # written as root, read by the reporter below
else
    echo "grade-step.sh: setup.sh failed, so the submission was not graded" >&2
fi
cd source  # the reporter is the bundle's and needs no more than the standard library
"$python" -m autograder.export.classroom "$root/results/results.json"
