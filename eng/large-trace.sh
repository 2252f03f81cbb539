#!/usr/bin/env bash
# Analysis of a very large trace: records eng/Soak/SoakTarget allocating as fast as it can on two
# threads (about 15 MB of trace per second here) with `dotnet-memline collect`, then analyzes the
# trace under /usr/bin/time on a pseudo-terminal (util-linux `script`), so the progress line shows.
# Prints: trace size and samples, analysis wall time, peak RSS, and the progress lines seen.
# Usage: eng/large-trace.sh [seconds=210 (about 3 GB)] [work dir]  (keeps the trace in the work dir)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
seconds="${1:-210}"
work="${2:-$(mktemp -d)}"
mkdir -p "$work"
trace="$work/large.nettrace"

dotnet build src/DotnetMemLine.Cli -c Release -v quiet -nologo >&2
dotnet build eng/Soak/SoakTarget -c Release -v quiet -nologo >&2
tool="$root/src/DotnetMemLine.Cli/bin/Release/net10.0/dotnet-memline.dll"
target="$root/eng/Soak/SoakTarget/bin/Release/net10.0/SoakTarget.dll"

if [[ ! -s "$trace" ]]; then
  dotnet "$target" 2 0 > "$work/target.out" 2>&1 &
  until grep -q '^ready' "$work/target.out"; do sleep 0.2; done
  target_pid="$(grep -o 'pid [0-9]*' "$work/target.out" | awk '{print $2}')"
  trap 'kill "$target_pid" 2>/dev/null || true' EXIT
  echo "Recording $seconds s of process $target_pid into $trace..." >&2
  dotnet "$tool" collect -p "$target_pid" --method Churn.AllocateShortLived --duration "$seconds" -o "$trace" --format json \
    > "$work/collect.json" 2> "$work/collect.err"
  kill "$target_pid" 2>/dev/null || true
fi

echo "Analyzing..." >&2
script -qec "/usr/bin/time -v -o '$work/analyze.time' dotnet '$tool' analyze '$trace' --method Churn.AllocateShortLived > '$work/analyze.out'" "$work/tty.log" > /dev/null
echo "trace:          $(stat -c %s "$trace" | awk '{printf "%.2f GB", $1/1e9}'), $(grep -o '[0-9,]* allocation samples' "$work/analyze.out" | head -1), $(grep -o '[0-9,]* dropped events' "$work/analyze.out" | head -1)"
echo "analyze:        $(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$work/analyze.time") wall, peak RSS $(awk -F': ' '/Maximum resident/ {printf "%.0f MB", $2/1024}' "$work/analyze.time"), exit status $(awk -F': ' '/Exit status/ {print $2}' "$work/analyze.time")"
echo "progress lines: $(tr '\r' '\n' < "$work/tty.log" | grep -c 'Analyzing trace:'), e.g. '$(tr '\r' '\n' < "$work/tty.log" | grep 'Analyzing trace: attributing' | tail -1 | sed 's/ *$//')'"
echo "temp files:     $(find "${TMPDIR:-/tmp}" -maxdepth 1 -name 'dotnet-memline-*' -newer "$trace" 2>/dev/null | wc -l) left by the analysis"
echo "work directory: $work"
