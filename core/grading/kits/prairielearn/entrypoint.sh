#!/usr/bin/env bash
# PrairieLearn's external grader runs this in the container: the student's files are in
# /grade/student, the question's tests/ folder (students never see it) in /grade/tests, and the
# result goes to /grade/results/results.json. tests/ holds lab/ (the lab folder), optionally hidden/
# (the hidden scenarios, DIR/<lab id>.json) and nic-lab.env (SEEDS, TIME_LIMIT). A result is written
# whatever happens: a grader failure is "gradable": false with the reason, so no attempt is used up.
# Paths can be moved by the environment (the kit's test runs it on a temporary folder).
set -uo pipefail

grade_root="${PL_GRADE_ROOT:-/grade}"
student="$grade_root/student"
tests="$grade_root/tests"
results="$grade_root/results"
if [ -f "$tests/nic-lab.env" ]; then . "$tests/nic-lab.env"; fi
nic_lab="${NIC_LAB:-/nic-lab/bin/nic-lab.js}"
scratch="$(mktemp -d)"
mkdir -p "$results"

not_gradable() {
  node -e '
    const [file, reason] = process.argv.slice(1);
    require("node:fs").writeFileSync(file, JSON.stringify({ gradable: false, score: 0, message: reason, format_errors: [reason], tests: [] }, null, 2) + "\n");
  ' "$results/results.json" "$1"
  echo "nic-lab grader: $1" >&2
}

drivers=()
while IFS= read -r -d '' f; do drivers+=("$f"); done < <(find "$student" -type f \( -name '*.ts' -o -name '*.js' \) ! -name '.*' -print0 2>/dev/null | sort -z)
if [ "${#drivers[@]}" -ne 1 ]; then
  not_gradable "Not graded: submit exactly one .ts or .js driver file (found ${#drivers[@]})."
  exit 0
fi
# The variant of the lab's values: the question variant's seed from data.json (each student gets their own variant), unless params.nic_lab_student names one.
student_id=$(node -e 'try { const d = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8")); process.stdout.write(String(d.params?.nic_lab_student ?? d.variant_seed ?? "")) } catch {}' "$grade_root/data/data.json" 2>/dev/null || true)

args=(grade "$tests/lab" "${drivers[0]}" --prairielearn "$results/results.json" --tmp "$scratch" --seeds "${SEEDS:-8}")
if [ -d "$tests/hidden" ]; then args+=(--hidden "$tests/hidden"); fi
if [ -n "${TIME_LIMIT:-}" ]; then args+=(--time-limit "$TIME_LIMIT"); fi
if [ -n "$student_id" ]; then args+=(--student "$student_id"); fi
rm -f "$results/results.json"
node "$nic_lab" "${args[@]}" 2> "$scratch/stderr"
status=$?
cat "$scratch/stderr" >&2
if [ ! -s "$results/results.json" ]; then
  not_gradable "Not graded: the grader failed (exit $status): $(tail -n 3 "$scratch/stderr" | tr '\n' ' ')"
fi
exit 0
