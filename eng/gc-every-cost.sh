#!/usr/bin/env bash
# What --gc-every costs the program it profiles, under `run`, without --gc-every and with it at 1 s and 0.2 s,
# interleaved, N repetitions each; medians in markdown tables:
#   - the bundled sample's own timings of its two methods (ClassifyMessages holds 1.2 GB of float arrays at once,
#     ClassifyMessagesChunked 40 MB at a time);
#   - eng/Bench/LiveGraphTarget: work done in 5 s while two million small linked objects are alive (every full GC
#     marks them all: the costly case).
# Usage: eng/gc-every-cost.sh [reps]   (default 5). Results: docs/performance.md, "--gc-every".
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
reps="${1:-5}"
dotnet build src/DotnetMemLine.Cli -c Release -v quiet -nologo >&2
dotnet build samples/MessageClassifier -c Release -v quiet -nologo >&2
dotnet build eng/Bench/LiveGraphTarget -c Release -v quiet -nologo >&2
graph=(dotnet eng/Bench/LiveGraphTarget/bin/Release/net10.0/LiveGraphTarget.dll)
tool=(dotnet src/DotnetMemLine.Cli/bin/Release/net10.0/dotnet-memline.dll)
sample=(dotnet samples/MessageClassifier/bin/Release/net10.0/MessageClassifier.dll)
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

declare -A all chunked graphwork
settings=("none" "1" "0.2")
for ((r = 1; r <= reps; r++)); do
  for s in "${settings[@]}"; do
    extra=(); [[ "$s" != none ]] && extra=(--gc-every "$s")
    out=$("${tool[@]}" run --method ClassifyMessages "${extra[@]}" -o "$work/t.nettrace" -- "${sample[@]}" 2>&1)
    all[$s]+="$(grep -o 'ClassifyMessages: .* in [0-9]* ms' <<<"$out" | grep -o '[0-9]* ms' | grep -o '[0-9]*') "
    chunked[$s]+="$(grep -o 'ClassifyMessagesChunked: .* in [0-9]* ms' <<<"$out" | grep -o '[0-9]* ms' | grep -o '[0-9]*') "
    out=$("${tool[@]}" run --method Churn "${extra[@]}" -o "$work/g.nettrace" -- "${graph[@]}" 2>&1)
    graphwork[$s]+="$(grep -o 'work [0-9]*' <<<"$out" | grep -o '[0-9]*') "
  done
done

median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
echo "| --gc-every | ClassifyMessages (ms, median of $reps) | ClassifyMessagesChunked (ms) |"
echo "| --- | --- | --- |"
for s in "${settings[@]}"; do
  echo "| $s | $(median <<<"${all[$s]}") | $(median <<<"${chunked[$s]}") |"
done
echo
echo "| --gc-every | LiveGraphTarget work in 5 s (median of $reps) |"
echo "| --- | --- |"
for s in "${settings[@]}"; do
  echo "| $s | $(median <<<"${graphwork[$s]}") |"
done
echo
echo "$(date -u +%F), commit $(git rev-parse --short HEAD), $(nproc) cores, $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)"
