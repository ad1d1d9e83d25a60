#!/usr/bin/env bash
# Runs the gyre demo from a build directory: a loop iterating numbers to a fixpoint per epoch, on all cores.
# usage: scripts/demo.sh BUILD_DIR   (make run-demo passes build/ or build/<mode>)
set -euo pipefail
build=${1:?usage: demo.sh BUILD_DIR}
gyre="$build/gyre"
if [ ! -x "$gyre" ]; then
    echo "demo.sh: $gyre not found; run 'make' first" >&2
    exit 1
fi
"$gyre" demo
