#!/usr/bin/env bash
# Measures what `run --exact` costs: the wall time of LineTruthTarget's workload (allocation-heavy:
# ~12,000 objects and 5.9 MB per round) with no profiler, under `run` (sampling) and under
# `run --exact`, plus the trace size per allocation event. Release builds; prints medians.
# Usage: eng/exact-overhead.sh [rounds=20] [repeats=5]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
rounds="${1:-20}"
repeats="${2:-5}"

dotnet build src/DotnetMemLine.Cli -c Release -v quiet -nologo >&2
dotnet build tests/Targets/LineTruthTarget -c Release -v quiet -nologo >&2
tool="src/DotnetMemLine.Cli/bin/Release/net10.0/dotnet-memline.dll"
target="tests/Targets/LineTruthTarget/bin/Release/net10.0/LineTruthTarget.dll"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# The target prints "done: workload took N ms"; take the median of the runs.
workload_ms() { grep -o 'workload took [0-9]*' | awk '{print $3}'; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

measure() { # label, then the command prefix (empty for no profiler)
  local label="$1"; shift
  for _ in $(seq "$repeats"); do
    "$@" dotnet "$target" "$work/truth.json" --rounds "$rounds" 2>&1 | workload_ms
  done | median | xargs printf '%-24s %6s ms\n' "$label"
}

echo "LineTruthTarget --rounds $rounds, median of $repeats runs"
measure "no profiler"
measure "run (sampling)" dotnet "$tool" run --method Workload.AllocateKnownAmounts -o "$work/sampled.nettrace" --
measure "run --exact" dotnet "$tool" run --exact --method Workload.AllocateKnownAmounts -o "$work/exact.nettrace" --

events="$(dotnet "$tool" analyze "$work/exact.nettrace" --method Workload.AllocateKnownAmounts --format json | grep -o '"allocationSamples": [0-9]*' | awk '{print $2}')"
bytes="$(stat -c %s "$work/exact.nettrace")"
echo "exact trace: $bytes bytes, $events allocation events, $((bytes / events)) bytes per event"
