#!/bin/bash
# Grade a class on a Slurm cluster: one array task per shard, each on one CPU.
#   sbatch deploy/slurm/grade-array.sh ASSIGNMENT CLASS_FOLDER OUT
# grades the students in CLASS_FOLDER (one notebook or folder each) into OUT/shard-K, K = 1 to N, where N is the
# size of the array below; deploy/slurm/merge.sh then joins the shards into OUT/merged:
#   job=$(sbatch --parsable deploy/slurm/grade-array.sh spiral_from_scratch ~/class ~/grading)
#   sbatch --dependency=afterok:$job --kill-on-invalid-dep=yes deploy/slurm/merge.sh ~/grading
# Another N: change --array=1-4 (and only that). A shard that failed is run again on its own, with the N of the
# first run (it resumes, keeping the students it graded):
#   sbatch --array=3 --export=ALL,SHARDS=4 deploy/slurm/grade-array.sh spiral_from_scratch ~/class ~/grading
# `course` must be on the PATH the job inherits (sbatch passes on the submitting shell's environment): install the
# course into a virtualenv on shared storage with deploy/gradescope/setup.sh and activate it before sbatch.
#
# Run as a normal user, the grader gives students' code per-process limits only (it says so in the log): the full
# sandbox (namespaces, a read-only root, cgroups) needs root. Where the site allows containers, grade inside the
# image of deploy/Dockerfile instead, e.g. with rootless Podman (root in the container; add --cap-add SYS_ADMIN):
#   podman run --rm --network none -v "$class:/class:ro" -v "$out:/out" dl-course \
#       "$assignment" /class --class-folder --out "/out/shard-$shard" --shard "$shard/$shards"
# or with Apptainer's --fakeroot (apptainer run --fakeroot --net --network none ...). Slurm's --mem and
# --cpus-per-task bound the task in both cases.
#SBATCH --job-name=course-grade
#SBATCH --array=1-4
#SBATCH --cpus-per-task=1
#SBATCH --mem=2G
#SBATCH --time=12:00:00
#SBATCH --output=course-grade-%A_%a.log
set -euo pipefail
[ $# -eq 3 ] || { echo "usage: sbatch grade-array.sh ASSIGNMENT CLASS_FOLDER OUT" >&2; exit 2; }
assignment=$1 class=$2 out=$3
shard=${SLURM_ARRAY_TASK_ID:?submit with sbatch, which runs the array}
# SHARDS: the N of a whole run, for a task submitted again on its own (whose array counts 1)
shards=${SHARDS:-${SLURM_ARRAY_TASK_COUNT:?submit with sbatch, which runs the array}}
# one thread per worker: the task has one CPU, and more threads only contend for it
export OMP_NUM_THREADS=1
exec course grade "$assignment" "$class" --class-folder --out "$out/shard-$shard" --shard "$shard/$shards"
