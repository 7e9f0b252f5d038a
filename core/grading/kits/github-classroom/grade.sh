#!/usr/bin/env bash
# The GitHub Classroom kit's grading step: grades $DRIVER against $LAB and sets the step output
# `result` (the reporter's base64 JSON, from `grade --github-classroom`) in $GITHUB_OUTPUT. Exit 0
# when graded, whatever the score: the reporter fails the check when a test failed and records the
# points. A grader error (exit 3) or bad input (exit 2) fails the step, so it is not a student's 0.
set -uo pipefail
: "${LAB:?LAB}" "${DRIVER:?DRIVER}" "${GITHUB_OUTPUT:?GITHUB_OUTPUT}"
result="$(mktemp)"
args=(grade "$LAB" "$DRIVER" --github-classroom "$result" --seeds "${SEEDS:-8}")
if [ -n "${STUDENT_ID:-}" ]; then args+=(--student "$STUDENT_ID"); fi
node "${NIC_LAB:-bin/nic-lab.js}" "${args[@]}"
status=$?
if [ -s "$result" ]; then echo "result=$(base64 -w0 < "$result")" >> "$GITHUB_OUTPUT"; fi
exit $status
