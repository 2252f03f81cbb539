#!/usr/bin/env bash
# Soak test of a long, heavy collect: eng/Soak/SoakTarget allocates short-lived arrays on several
# threads (paced, 2 GB/s by default), `dotnet-memline collect` records it for the given duration,
# and the collector's memory is sampled every second from /proc/<pid>/status. Then the saved trace
# is analyzed again under /usr/bin/time to measure analysis time and peak memory.
# Prints: duration, target allocation rate, events in the trace, trace size, collector peak RSS
# (while recording, and overall with its analysis), whether the report was produced, dropped events.
# Usage: eng/soak.sh [seconds=600] [threads=2] [GB/s=2] [--buffer-size MB (default: the tool's)]
# Needs only the .NET 10 SDK and Linux (/proc). Results: docs/troubleshooting.md, "Long runs".
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
seconds="${1:-600}"
threads="${2:-2}"
rate="${3:-2}"
shift $(( $# < 3 ? $# : 3 ))
extra=("$@")

echo "Building dotnet-memline and the soak target (Release)..." >&2
dotnet build src/DotnetMemLine.Cli -c Release -v quiet -nologo >&2
dotnet build eng/Soak/SoakTarget -c Release -v quiet -nologo >&2
tool="src/DotnetMemLine.Cli/bin/Release/net10.0/dotnet-memline.dll"
target="eng/Soak/SoakTarget/bin/Release/net10.0/SoakTarget.dll"
work="${SOAK_WORK:-$(mktemp -d)}"
mkdir -p "$work"
trace="$work/soak.nettrace"

dotnet "$target" "$threads" "$rate" > "$work/target.out" 2>&1 &
target_pid=$!
collector_pid=""
cleanup() {
  [[ -n "$collector_pid" ]] && kill "$collector_pid" 2>/dev/null || true
  kill "$target_pid" 2>/dev/null || true
}
trap cleanup EXIT
until grep -q '^ready' "$work/target.out"; do sleep 0.2; done

dotnet "$tool" collect -p "$target_pid" --method Churn.AllocateShortLived --duration "$seconds" \
  -o "$trace" --format json "${extra[@]}" > "$work/report.json" 2> "$work/collect.err" &
collector_pid=$!

# VmRSS each second; the peak while recording (until "Trace saved" is printed) is what streaming
# to a file must keep flat; VmHWM at the end also covers the analysis the collector runs afterwards.
recording_peak_kb=0; hwm_kb=0
: > "$work/rss.log"
while kill -0 "$collector_pid" 2>/dev/null; do
  status="$(cat "/proc/$collector_pid/status" 2>/dev/null || true)"
  rss_kb="$(awk '/^VmRSS:/ {print $2}' <<< "$status")"
  hwm="$(awk '/^VmHWM:/ {print $2}' <<< "$status")"
  if [[ -n "$rss_kb" ]]; then
    hwm_kb="${hwm:-$hwm_kb}"
    size="$(stat -c %s "$trace" 2>/dev/null || echo 0)"
    echo "$(date +%s) rss_kb=$rss_kb trace_bytes=$size" >> "$work/rss.log"
    if ! grep -q '^Trace saved' "$work/collect.err"; then
      (( rss_kb > recording_peak_kb )) && recording_peak_kb=$rss_kb
    fi
  fi
  sleep 1
done
collector_exit=0; wait "$collector_pid" || collector_exit=$?
collector_pid=""
kill "$target_pid" 2>/dev/null || true
wait "$target_pid" 2>/dev/null || true

json_number() { grep -o "\"$1\": [0-9]*" "$work/report.json" | head -1 | awk '{print $2}'; }
first_rss_mb="$(awk 'NR==5 {sub("rss_kb=","",$2); printf "%d", $2/1024}' "$work/rss.log")"
echo
echo "duration:            $seconds s requested; $(grep -o 'Trace saved.*' "$work/collect.err" || echo 'no trace saved')"
echo "target rate:         $(grep '^rate:' "$work/target.out" | tail -1 | sed 's/^rate: //') ($threads threads)"
echo "trace size:          $(stat -c %s "$trace" | awk '{printf "%.1f MB", $1/1e6}')"
echo "allocation samples:  $(json_number allocationSamples || echo '?')"
echo "dropped events:      $(json_number droppedEvents || echo '?')"
echo "collector RSS:       ${first_rss_mb:-?} MB after 5 s; peak while recording $((recording_peak_kb / 1024)) MB; peak with its analysis (VmHWM) $((hwm_kb / 1024)) MB"
if [[ $collector_exit -eq 0 && -s "$work/report.json" ]]; then
  echo "report produced:     yes ($work/report.json)"
else
  echo "report produced:     NO (exit code $collector_exit; see $work/collect.err)"
fi

# Analysis alone, on the saved trace: wall time and peak memory.
if [[ -x /usr/bin/time && -f "$trace" ]]; then
  /usr/bin/time -v dotnet "$tool" analyze "$trace" --method Churn.AllocateShortLived --format json \
    > /dev/null 2> "$work/analyze.time" || true
  echo "analyze:             $(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$work/analyze.time") wall, peak RSS $(awk -F': ' '/Maximum resident/ {printf "%.0f MB", $2/1024}' "$work/analyze.time")"
fi
echo "work directory:      $work (RSS log: rss.log)"
