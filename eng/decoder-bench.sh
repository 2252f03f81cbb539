#!/usr/bin/env bash
# Times `dotnet-memline analyze` (the streaming decoder) and the same analysis on the TraceLog decoder
# it replaced (eng/TraceLogDecoder) on recordings of eng/DecoderBench/AllocationStorm of several
# lengths: wall time, events per second and peak RSS (/usr/bin/time -v). Needs /usr/bin/time.
# Usage: eng/decoder-bench.sh [seconds...]   (default: 3 10 20; traces go to artifacts/decoder-bench)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
durations=("$@")
[ ${#durations[@]} -eq 0 ] && durations=(3 10 20)

dotnet build src/DotnetMemLine.Cli -c Release -v quiet -nologo >&2
dotnet build eng/TraceLogDecoder -c Release -v quiet -nologo >&2
dotnet build eng/DecoderBench/AllocationStorm -c Release -v quiet -nologo >&2
tool=src/DotnetMemLine.Cli/bin/Release/net10.0/dotnet-memline.dll
out=artifacts/decoder-bench
mkdir -p "$out"

printf '%-10s %10s %12s %-9s %8s %14s %10s\n' trace size samples decoder wall samples/s peak_rss
for seconds in "${durations[@]}"; do
  trace="$out/storm$seconds.nettrace"
  if [ ! -f "$trace" ]; then
    dotnet "$tool" run --method Outer -o "$trace" -- dotnet eng/DecoderBench/AllocationStorm/bin/Release/net10.0/AllocationStorm.dll "$seconds" >/dev/null 2>&1
  fi
  size=$(du -mL "$trace" | cut -f1)
  for decoder in nettrace tracelog; do
    if [ "$decoder" = nettrace ]; then analyze=(dotnet "$tool" analyze); else analyze=(dotnet eng/TraceLogDecoder/bin/Release/net10.0/TraceLogDecoder.dll); fi
    /usr/bin/time -v "${analyze[@]}" "$trace" --method Outer >"$out/report-$decoder.txt" 2>"$out/time-$decoder.txt"
    wall=$(grep 'Elapsed (wall' "$out/time-$decoder.txt" | awk '{print $NF}')
    secs=$(echo "$wall" | awk -F: '{ if (NF == 3) print $1*3600 + $2*60 + $3; else print $1*60 + $2 }')
    rss=$(grep 'Maximum resident' "$out/time-$decoder.txt" | awk '{print $NF}')
    samples=$(grep -m1 '^Trace:' "$out/report-$decoder.txt" | grep -oE '[0-9,]+ allocation samples' | tr -d ', a-z')
    printf '%-10s %8sMB %12s %-9s %7ss %14.0f %8sMB\n' "storm$seconds" "$size" "$samples" "$decoder" "$secs" "$(echo "$samples / $secs" | bc -l)" "$((rss / 1024))"
  done
done
