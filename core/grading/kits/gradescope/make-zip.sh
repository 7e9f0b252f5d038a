#!/usr/bin/env bash
# Builds the zip to upload as a Gradescope programming assignment's autograder:
#   core/grading/kits/gradescope/make-zip.sh <lab folder> [<hidden folder>] [out.zip]
# It holds setup.sh, run_autograder, nic-lab.env, lab/, hidden/ and nic-lab/ (this checkout's
# files as git tracks them, plus the prebuilt wasm), all at the root of the zip as Gradescope wants.
set -euo pipefail
kit="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$kit/../../../.." && pwd)"
lab="$1"; hidden="${2:-}"; out="$(realpath -m "${3:-autograder.zip}")"
stage="$(mktemp -d)"
cp "$kit/setup.sh" "$kit/run_autograder" "$kit/nic-lab.env" "$stage/"
cp -r "$lab" "$stage/lab"
if [ -n "$hidden" ]; then cp -r "$hidden" "$stage/hidden"; fi
mkdir "$stage/nic-lab"
(cd "$repo" && git ls-files -z | xargs -0 cp --parents -t "$stage/nic-lab" && cp --parents wasm/build/nic.wasm "$stage/nic-lab/")
(cd "$stage" && rm -f "$out" && zip -qr "$out" .)
rm -rf "$stage"
echo "wrote $out"
