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

cases="${1:-10000}"
seed="${2:-1}"
shift $(( $# > 2 ? 2 : $# ))
timeout=10
work="$(mktemp -d -t memline-fuzz-XXXXXX)"
while [ $# -gt 0 ]; do
  case "$1" in
    --timeout) timeout="$2"; shift 2 ;;
    --work) work="$2"; mkdir -p "$work"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

echo "Building the tool, the line-truth target and the fuzzer..." >&2
dotnet build src/DotnetMemLine.Cli -v quiet -nologo >&2
dotnet build tests/Targets/LineTruthTarget -v quiet -nologo >&2
dotnet build eng/Fuzz -v quiet -nologo >&2

echo "Recording the seed trace in $work..." >&2
dotnet src/DotnetMemLine.Cli/bin/Debug/net10.0/dotnet-memline.dll run --method Workload.AllocateKnownAmounts \
  -o "$work/seed.nettrace" -- dotnet tests/Targets/LineTruthTarget/bin/Debug/net10.0/LineTruthTarget.dll "$work/truth.json" --rounds 5 >/dev/null

# A private temp folder, so that a leaked .etlx is ours to see (and not another run's).
mkdir -p "$work/tmp"
TMPDIR="$work/tmp" exec dotnet eng/Fuzz/bin/Debug/net10.0/Fuzz.dll --seed-trace "$work/seed.nettrace" \
  --method Workload.AllocateKnownAmounts --cases "$cases" --random-seed "$seed" --timeout "$timeout" --failures "$work/failures"
