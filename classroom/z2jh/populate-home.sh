#!/bin/sh
# Copies the course shipped in the image into a student's home, file by file, and never over a file
# that is already there: a notebook the student has worked on stays as they left it, while a notebook
# added to a newer image still appears. Zero to JupyterHub runs this as the pod's postStart hook, on
# every start of the student's server (config.yaml, singleuser.lifecycleHooks).
#
# Usage: populate-home.sh [SOURCE] [TARGET]   (defaults: /opt/course/notebooks  $HOME/notebooks)
#
# Plain POSIX sh and `cp -p` on purpose: `cp -n` changed its exit status between coreutils releases,
# and a postStart hook that exits non-zero makes Kubernetes kill the container.
set -eu
src=${1:-/opt/course/notebooks}
dest=${2:-$HOME/notebooks}
if [ ! -d "$src" ]; then
    echo "populate-home: the course folder $src does not exist" >&2
    exit 1
fi
mkdir -p "$dest"
cd "$src"
# find prints ./a/b; read -r keeps backslashes; names with newlines are not in the course.
find . -type d | while IFS= read -r d; do
    mkdir -p "$dest/$d"
done
find . -type f ! -path '*/.ipynb_checkpoints/*' | while IFS= read -r f; do
    if [ ! -e "$dest/$f" ]; then
        cp -p "$f" "$dest/$f"
    fi
done
