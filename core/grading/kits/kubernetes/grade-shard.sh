#!/usr/bin/env bash
# One shard of a class, for a Kubernetes Indexed Job (JOB_COMPLETION_INDEX is 0..n-1) or a CI
# matrix (SHARD_INDEX is 1..n): grades the shard's slice of the sorted submissions into
# $OUT/shard-<i>-of-<n>/. A shard that is started again (a pod retried, a job re-run) keeps the
# reports it already wrote and grades the rest. When every shard is done:
#   nic-lab merge "$OUT"/shard-* --out "$OUT/class"
set -euo pipefail
: "${LAB:?LAB: the lab folder or course lab id}" "${SUBMISSIONS:?SUBMISSIONS: the folder of submissions}" "${OUT:?OUT: where shards write}" "${SHARDS:?SHARDS: how many shards}"
if [ -n "${JOB_COMPLETION_INDEX:-}" ]; then index=$((JOB_COMPLETION_INDEX + 1)); else index="${SHARD_INDEX:?SHARD_INDEX (1..SHARDS) or JOB_COMPLETION_INDEX (0..SHARDS-1)}"; fi
nic_lab="${NIC_LAB:-nic-lab}"
args=(grade-batch "$LAB" "$SUBMISSIONS" --shard "$index/$SHARDS" --out "$OUT/shard-$index-of-$SHARDS" --seeds "${SEEDS:-8}" --jobs "${JOBS:-2}")
if [ -n "${HIDDEN:-}" ]; then args+=(--hidden "$HIDDEN"); fi
if [ -n "${TIME_LIMIT:-}" ]; then args+=(--time-limit "$TIME_LIMIT"); fi
if [ -n "${TMP_DIR:-}" ]; then args+=(--tmp "$TMP_DIR"); fi
exec $nic_lab "${args[@]}"
