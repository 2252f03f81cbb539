#!/usr/bin/env bash
# Makes the runtime drop events on purpose and checks the count the report gives: SoakTarget
# allocates unpaced on several threads (tens of GB/s, hundreds of thousands of AllocationSampled
# events per second) under `dotnet-memline run --buffer-size 1`. AllocationSampled fires on average
# once per 102,400 bytes allocated, so the target's own allocated bytes / 102,400 is about the number
# of allocation events the runtime wrote; samples received + events dropped should come close to it
# (dropped also counts the few non-allocation events lost). Takes about 10 s.
# Usage: eng/drops.sh [seconds=3] [threads=4] [buffer MB=1]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
seconds="${1:-3}"
threads="${2:-4}"
buffer="${3:-1}"

dotnet build src/DotnetMemLine.Cli -c Release -v quiet -nologo >&2
dotnet build eng/Soak/SoakTarget -c Release -v quiet -nologo >&2
tool="src/DotnetMemLine.Cli/bin/Release/net10.0/dotnet-memline.dll"
target="eng/Soak/SoakTarget/bin/Release/net10.0/SoakTarget.dll"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# With --format json the target's stdout goes to stderr; its last line is its total allocation.
dotnet "$tool" run --method Churn.AllocateShortLived --buffer-size "$buffer" --format json -o "$work/drops.nettrace" \
  -- dotnet "$target" "$threads" 0 "$seconds" > "$work/report.json" 2> "$work/stderr"

json_number() { grep -o "\"$1\": [0-9.e-]*" "$work/report.json" | head -1 | awk '{print $2}'; }
allocated_gb="$(grep -o 'rate: .* GB in' "$work/stderr" | tail -1 | awk '{print $4}' | tr -d '(')"
samples="$(json_number allocationSamples)"
dropped="$(json_number droppedEvents)"
fraction="$(json_number droppedEventFraction)"
awk -v gb="$allocated_gb" -v s="$samples" -v d="$dropped" -v f="$fraction" -v b="$buffer" 'BEGIN {
  expected = gb * 1e9 / 102400
  printf "buffer %s MB: target allocated %.1f GB, so about %.0f AllocationSampled events were written\n", b, gb, expected
  printf "received %d samples, dropped %d events (%.1f%% of the trace), received + dropped = %.0f (%.0f%% of expected)\n", s, d, f * 100, s + d, (s + d) / expected * 100
}'
grep -q '"incomplete": true' "$work/report.json" && echo "report marked incomplete: yes" || echo "report marked incomplete: no"
