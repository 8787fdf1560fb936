#!/bin/bash
# Join the shards of deploy/slurm/grade-array.sh into one gradebook, OUT/merged (grades.csv, students/<id>/),
# once every task of the array has succeeded:
#   sbatch --dependency=afterok:JOBID --kill-on-invalid-dep=yes deploy/slurm/merge.sh OUT
# course merge refuses a set of shards that is incomplete or graded with different graders.
#SBATCH --job-name=course-merge
#SBATCH --cpus-per-task=1
#SBATCH --mem=1G
#SBATCH --time=00:30:00
#SBATCH --output=course-merge-%j.log
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: sbatch merge.sh OUT" >&2; exit 2; }
exec course merge "$1"/shard-* --out "$1/merged"
