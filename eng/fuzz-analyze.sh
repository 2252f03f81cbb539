#!/usr/bin/env bash
# Fuzzes `analyze`: records a small real trace with the tool, then analyzes thousands of damaged
# copies of it in process (cut short anywhere and at block edges, bits flipped, blocks repeated,
# removed or swapped, size fields and the format version changed). Fails if any case throws anything
# but MemLineException, takes longer than --timeout, or leaves a temporary .etlx behind.
# Not part of `dotnet test` (which runs a few hundred cases). Failing inputs are saved in the work folder.
# Usage: eng/fuzz-analyze.sh [cases=10000] [random-seed=1] [--timeout seconds] [--work DIR]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

source eng/fuzz-common.sh
fuzz_options 10000 memline-fuzz "$@"
fuzz_build

fuzz_record_seed tests/Targets/LineTruthTarget/bin/Debug/net10.0/LineTruthTarget.dll

# A private temp folder, so that a leaked .etlx is ours to see (and not another run's).
mkdir -p "$work/tmp"
TMPDIR="$work/tmp" exec dotnet eng/Fuzz/bin/Debug/net10.0/Fuzz.dll --seed-trace "$work/seed.nettrace" \
  --method Workload.AllocateKnownAmounts --cases "$cases" --random-seed "$seed" --timeout "$timeout" --failures "$work/failures"
