#!/usr/bin/env bash
# Benchmark harness (issue 5; not part of the test run). Builds what it needs (Release: the tool,
# eng/Bench/BenchTarget, eng/Bench/TraceLogBaseline, eng/Bench/SessionProbe, and for part 5
# eng/Bench/AsyncApiTarget and eng/Bench/LoadClient into <work>/bin; restores the pinned dotnet-trace)
# and prints a markdown report: machine, commit, date, and per part the figures and the goals with
# PASS/MISS.
#   1. overhead on the target: one BenchTarget per rate (100 MB/s, 500 MB/s, unpaced) with windows of
#      no profiler, `dotnet-memline collect` and `dotnet-trace collect` with the same providers in
#      turn, several repetitions; medians and ratios against no profiler; at 500 MB/s also bare
#      sessions of AllocationSampled alone, with and without stacks, to show what the cost is made of;
#   2. offline analysis: `dotnet-memline analyze`, the same analysis on the TraceLog decoder (eng/TraceLogDecoder)
#      against eng/Bench/TraceLogBaseline on a large trace (>= 1M samples, >= 100 MB; cached), and on a
#      short one to see whether peak memory grows with the trace: wall, events/s, peak RSS, temp files;
#      beside TraceEvent's bare EventPipeEventSource parse of the same files (eng/Bench/EventPipeSourceBaseline);
#      then 2 x cores instances of the large trace analyzed as one, on one core and on all (scaling in cores, peak RSS);
#   3. time from the end of a recording ("Trace saved") to the table, for a ~10 MB and a ~100 MB trace;
#   4. the collector's own CPU and memory during a 60 s collection at ~30K AllocationSampled events/s;
#   5. what `collect --async` costs an await-heavy server: eng/Bench/AsyncApiTarget (ASP.NET Core) under
#      eng/Bench/LoadClient, windows of no profiler, `collect` and `collect --async`, interleaved, each on
#      a fresh server after a warm-up, several repetitions; median requests/s, ratio to no profiler,
#      trace size, and bytes and events per request.
# What each part measures and how: docs/performance.md.
#
# Usage: eng/bench.sh [--quick] [--part 1,2,3,4,5] [--reps N] [--work DIR]
#   --quick   smoke run (~6 min): 1 repetition, shorter windows, a smaller part-2 trace, 10 s in part 4
#   --part    run only these parts (comma-separated or repeated)
#   --reps    repetitions in parts 1 and 5 (default 5; quick 1)
#   --work    work directory (default artifacts/bench); part 2's traces are cached in <work>/cache
# Needs Linux (/proc), the .NET 10 SDK, GNU time (/usr/bin/time) and about 1 GB of free disk.
set -euo pipefail
export LC_ALL=C   # $EPOCHREALTIME and awk's numbers with a decimal point, whatever the user's locale
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

quick=0
parts=""
reps=""
work="$root/artifacts/bench"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) quick=1 ;;
    --part) parts="$parts,$2"; shift ;;
    --part=*) parts="$parts,${1#--part=}" ;;
    --reps) reps="$2"; shift ;;
    --work) work="$2"; shift ;;
    -h|--help) sed -n '2,27p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
parts="${parts:-,1,2,3,4,5}"
wants() { [[ ",$parts," == *",$1,"* ]]; }
mkdir -p "$work"
work="$(cd "$work" && pwd)"

if (( quick )); then
  reps="${reps:-1}"; warmup=3; window=5
  big_samples=250000; big_bytes=$((25 * 1000 * 1000)); small_seconds=1
  collector_seconds=10
  api_warmup=5
else
  reps="${reps:-5}"; warmup=5; window=10
  big_samples=1000000; big_bytes=$((100 * 1000 * 1000)); small_seconds=2
  collector_seconds=60
  api_warmup=10
fi
rates=(100000000 500000000 0)                 # part 1: bytes/s; 0 = as fast as it can
tie_pp=1                                      # part 1: overheads closer than this (percentage points) are a tie
samples_per_second_goal=30000                 # part 4
sampling_stride=102400                        # AllocationSampled: one sample per ~100 KB allocated
methods=(--method Server.Serve --method Handler.Handle)
api_path=/report/200                          # part 5: the request (200 orders read, serialized)
api_concurrency=8                             # part 5: client loops
api_client_warmup=2                           # part 5: seconds each window's client sends, uncounted, before it counts
api_methods=(--method BuildAsync)             # part 5: the handler
async_bound=0.10                              # part 5: sampling alone may cost the server this much throughput

log() { echo "[bench $(date +%H:%M:%S)] $*" >&2; }
die() { echo "bench.sh: $*" >&2; exit 1; }
[[ -r /proc/self/stat ]] || die "needs Linux (/proc)"
[[ -x /usr/bin/time ]] || die "needs GNU time at /usr/bin/time (apt-get install time)"

# ---------------------------------------------------------------------------------------------
# Build
log "building Release: dotnet-memline, BenchTarget, TraceLogBaseline, SessionProbe; restoring dotnet-trace"
dotnet build src/DotnetMemLine.Cli -c Release -v quiet -nologo >&2
dotnet build eng/Bench/BenchTarget -c Release -v quiet -nologo >&2
dotnet build eng/Bench/TraceLogBaseline -c Release -v quiet -nologo >&2
dotnet build eng/Bench/EventPipeSourceBaseline -c Release -v quiet -nologo >&2
dotnet build eng/TraceLogDecoder -c Release -v quiet -nologo >&2
dotnet build eng/Bench/SessionProbe -c Release -v quiet -nologo >&2
dotnet tool restore >/dev/null
if wants 5; then
  log "building Release into $work/bin: AsyncApiTarget, LoadClient"
  dotnet build eng/Bench/AsyncApiTarget -c Release -o "$work/bin/AsyncApiTarget" -v quiet -nologo >&2
  dotnet build eng/Bench/LoadClient -c Release -o "$work/bin/LoadClient" -v quiet -nologo >&2
fi
api="$work/bin/AsyncApiTarget/AsyncApiTarget.dll"
load_client="$work/bin/LoadClient/LoadClient.dll"
tool="$root/src/DotnetMemLine.Cli/bin/Release/net10.0/dotnet-memline.dll"
target="$root/eng/Bench/BenchTarget/bin/Release/net10.0/BenchTarget.dll"
baseline="$root/eng/Bench/TraceLogBaseline/bin/Release/net10.0/TraceLogBaseline.dll"
bare_parse="$root/eng/Bench/EventPipeSourceBaseline/bin/Release/net10.0/EventPipeSourceBaseline.dll"
# The product's analysis on the TraceLog decoder it replaced (eng/TraceLogDecoder).
tracelog_decoder="$root/eng/TraceLogDecoder/bin/Release/net10.0/TraceLogDecoder.dll"
probe="$root/eng/Bench/SessionProbe/bin/Release/net10.0/SessionProbe.dll"
# The same providers and buffer as dotnet-memline (src/DotnetMemLine.Core/Collection/AllocationProviders.cs);
# both request the rundown at the end of the session (dotnet-memline: requestRundown, dotnet-trace: its default).
keywords=$(grep -o 'public const long Keywords = .*;' src/DotnetMemLine.Core/Collection/AllocationProviders.cs)
providers="Microsoft-Windows-DotNETRuntime:0x80000421019:5"
[[ "$keywords" == *"GCKeyword | LoaderKeyword | JitKeyword | JitTracingKeyword | ILToNativeMapKeyword | AllocationSamplingKeyword | SurvivalKeyword;"* ]] \
  || die "AllocationProviders.Keywords changed ($keywords): update \$providers in eng/bench.sh"
buffer_mb=256
allocation_sampling_keyword=0x80000000000   # part 1's breakdown: AllocationSampled alone
settle=1                                    # part 1: seconds between a session going live and its window

run_dir="$work/run-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$run_dir" "$work/cache"
report="$run_dir/report.md"
log "work directory: $run_dir"

# ---------------------------------------------------------------------------------------------
# Helpers
children=()
# Ends every process the script started that is still running: SIGTERM, a second one a moment later
# (dotnet-memline goes on to analyze after the first), SIGKILL for any left after 10 s.
cleanup() {
  local pid alive=() left i
  for pid in "${children[@]}"; do kill -0 "$pid" 2>/dev/null && alive+=("$pid"); done
  for i in $(seq 100); do
    (( ${#alive[@]} )) || return 0
    (( i == 1 || i == 5 )) && { kill "${alive[@]}" 2>/dev/null || true; }
    sleep 0.1
    left=()
    for pid in "${alive[@]}"; do kill -0 "$pid" 2>/dev/null && left+=("$pid"); done
    alive=("${left[@]}")
  done
  (( ${#alive[@]} )) && kill -KILL "${alive[@]}" 2>/dev/null || true
}
trap cleanup EXIT

# Prefixes each line of stdin with the wall clock (seconds since the epoch, microseconds).
stamp() { local line; while IFS= read -r line; do printf '%s %s\n' "$EPOCHREALTIME" "$line"; done; }

wait_for() { # file, extended regex, timeout seconds[, pid: give up as soon as that process has exited]
  local deadline=$((SECONDS + $3))
  until grep -Eq "$2" "$1" 2>/dev/null; do
    (( SECONDS < deadline )) || { echo "bench.sh: timed out waiting for /$2/ in $1:" >&2; tail -5 "$1" >&2; return 1; }
    if [[ -n "${4:-}" ]] && ! kill -0 "$4" 2>/dev/null; then
      grep -Eq "$2" "$1" 2>/dev/null && return 0
      echo "bench.sh: process $4 exited before /$2/ in $1:" >&2; tail -5 "$1" >&2; return 1
    fi
    sleep 0.05
  done
}

json_field() { grep -o "\"$2\": *[-0-9.eE+]*" "$1" | head -1 | sed 's/.*: *//'; }  # file, field
median() { sort -g | awk '{a[NR]=$1} END {if (NR==0) print "nan"; else if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
calc() { awk "BEGIN {printf \"$1\", $2}"; }                                             # printf format, expression
pct() { awk -v r="$1" 'BEGIN {if (r=="nan" || r=="") print "n/a"; else printf "%+.1f%%", (r - 1) * 100}'; }
mb() { awk -v b="$1" 'BEGIN {printf "%.1f MB", b / 1e6}'; }
status() { if awk "BEGIN {exit !($1)}"; then echo PASS; else echo MISS; fi; }
kill_and_wait() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }
# One-sided Mann-Whitney test on two lists of costs (stdin: "a <cost>" and "b <cost>" lines): exits 0
# when the a costs are higher than the b costs at the 5% level (normal approximation, ties count half).
# Run-to-run noise here is larger than the difference between two profilers opening the same session,
# so "worse" has to be more than a higher median.
significantly_higher() {
  awk '$1 == "a" {a[++na] = $2} $1 == "b" {b[++nb] = $2}
    END {
      if (na < 2 || nb < 2) exit 1
      for (i = 1; i <= na; i++) for (j = 1; j <= nb; j++) u += (a[i] > b[j]) ? 1 : (a[i] == b[j] ? 0.5 : 0)
      z = (u - na * nb / 2) / sqrt(na * nb * (na + nb + 1) / 12)
      exit !(z > 1.645)
    }'
}

# Part 1 pins the target to one core and the profiler to the other (when there are two and taskset
# exists), so that the profiler's own work and the scheduler's moves do not show as the target's cost.
pin_target=(); pin_profiler=()
if command -v taskset > /dev/null && (( $(nproc) >= 2 )); then
  pin_cores=1
fi

start_target() { # output file, BenchTarget arguments...; sets target_pid
  local out="$1"; shift
  "${pin_target[@]}" dotnet "$target" "$@" > "$out" 2>&1 &
  target_pid=$!
  children+=("$target_pid")
  wait_for "$out" '^ready' 60
}

# Largest file in a folder, polled every 0.1 s while a process runs: temp_watch <dir> <pid> <result file>
temp_watch() {
  local dir="$1" pid="$2" out="$3" largest=0 size
  while kill -0 "$pid" 2>/dev/null; do
    size=$(find "$dir" -type f -printf '%s\n' 2>/dev/null | sort -n | tail -1)
    (( ${size:-0} > largest )) && largest=${size:-0}
    sleep 0.1
  done
  echo "$largest" > "$out"
}

# Runs a command under /usr/bin/time -v with a private TMPDIR watched for temp files.
# measure_analysis <name> <command...>; leaves <name>.time, <name>.out, <name>.temp in $run_dir
measure_analysis() {
  local name="$1"; shift
  local tmp="$run_dir/tmp-$name"
  mkdir -p "$tmp"
  TMPDIR="$tmp" /usr/bin/time -v "$@" > "$run_dir/$name.out" 2> "$run_dir/$name.time" &
  local pid=$!
  temp_watch "$tmp" "$pid" "$run_dir/$name.temp" &
  local watcher=$!
  local rc=0
  wait "$pid" || rc=$?
  wait "$watcher" || true
  rm -rf "$tmp"
  (( rc == 0 )) || { echo "bench.sh: $name failed (exit $rc):" >&2; tail -5 "$run_dir/$name.time" >&2; return 1; }
}
wall_of() { awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s}' "$run_dir/$1.time"; }
rss_of() { awk -F': ' '/Maximum resident/ {print $2 * 1024}' "$run_dir/$1.time"; }

# ---------------------------------------------------------------------------------------------
# Report header: machine, commit, date
cpu_model=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
cores=$(nproc)
ram=$(awk '/^MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)
os="$(. /etc/os-release 2>/dev/null && echo "${PRETTY_NAME:-Linux}"), kernel $(uname -r)"
runtime=$(dotnet --list-runtimes | awk '/^Microsoft.NETCore.App/ {v = $2} END {print v}')
sdk=$(dotnet --version)
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
branch=$(git rev-parse --abbrev-ref HEAD 2>/dev/null || echo unknown)
dirty=""
[[ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]] && dirty=" (dirty: uncommitted changes)"
{
  echo "# dotnet-memline benchmark"
  echo
  echo "- Date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "- Commit: $commit$dirty, branch $branch"
  echo "- Machine: $cpu_model, $cores cores, $ram RAM, $os"
  echo "- .NET: runtime $runtime, SDK $sdk; dotnet-trace $(grep -A1 '"dotnet-trace"' .config/dotnet-tools.json | grep -o '[0-9][0-9.]*' | head -1)"
  echo "- Mode: $( ((quick)) && echo 'quick (smoke run: 1 repetition, short windows, smaller part-2 trace)' || echo 'full'); $reps repetition(s) in parts 1 and 5; load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
} > "$report"
goals="$run_dir/goals.md"
: > "$goals"
goal() { echo "| $1 | $2 | $3 | $4 |" >> "$goals"; }  # part, goal, measured, PASS/MISS

# ---------------------------------------------------------------------------------------------
# Part 1: overhead on the target
#
# One BenchTarget per rate runs throughout, printing its CPU time and allocated bytes every 0.25 s;
# the profilers attach and detach in turn and each gets a window of its own, cut from those ticks.
# Runs of separate processes differed by 5-56% with no profiler at all (start-up, heap layout, JIT
# timing); in one warm process they do not, and the machine's own slow spells show as such.
part1() {
  log "part 1: overhead; rates ${rates[*]} B/s, $reps repetition(s) of ${window} s windows per condition"
  local dir="$run_dir/part1"
  mkdir -p "$dir"
  local results="$dir/results.txt"   # rate condition rep cost gbPerSecond (one line per window)
  local ticks="$dir/tick-costs.txt"  # rate condition cost (one line per 0.25 s tick inside a window)
  : > "$results"; : > "$ticks"
  if [[ -n "${pin_cores:-}" ]]; then
    pin_target=(taskset -c 1); pin_profiler=(taskset -c 0)
    log "part 1: target pinned to CPU 1, profilers to CPU 0"
  fi
  local rate rep k cond
  for rate in "${rates[@]}"; do
    local conditions=(none memline dotnet-trace)
    (( rate == 500000000 )) && conditions+=(events-no-stacks events-stacks)
    local windows="$dir/windows-$rate.txt"
    : > "$windows"
    start_target "$dir/target-$rate.out" --rate "$rate" --ticks
    sleep "$warmup"
    for rep in $(seq "$reps"); do
      for k in $(seq 0 $(( ${#conditions[@]} - 1 ))); do
        # Rotate the order each repetition, so no condition always comes first or after the same one.
        cond=${conditions[$(( (k + rep) % ${#conditions[@]} ))]}
        part1_window "$rate" "$cond" "$rep" "$dir" >> "$windows"
      done
    done
    kill_and_wait "$target_pid"
    part1_costs "$rate" "$windows" "$dir/target-$rate.out" "$results" "$ticks"
  done
  pin_target=(); pin_profiler=()   # the other parts run unpinned
  part1_report "$results" "$ticks"
}

# One window: attaches the condition's profiler, waits for its session to settle, measures, detaches.
# Prints "rate condition rep start end" (seconds since the epoch).
part1_window() {
  local rate="$1" cond="$2" rep="$3" dir="$4"
  local tag="$dir/$cond-$rate-$rep" profiler=""
  case "$cond" in
    memline)
      "${pin_profiler[@]}" dotnet "$tool" collect -p "$target_pid" "${methods[@]}" -o "$tag.nettrace" --format json > /dev/null 2> "$tag.err" &
      profiler=$!; wait_for "$tag.err" '^Recording' 60 ;;
    dotnet-trace)
      # It stops at its own --duration, set to end just after the window (how it takes SIGTERM is its own affair).
      "${pin_profiler[@]}" dotnet dotnet-trace collect -p "$target_pid" --providers "$providers" --buffersize "$buffer_mb" -o "$tag.nettrace" \
        --duration "00:00:00:$(printf '%02d' $((settle + window + 3)))" < /dev/null > "$tag.err" 2>&1 &
      profiler=$!; wait_for "$tag.err" '^Output File' 60 ;;
    events-no-stacks|events-stacks)
      "${pin_profiler[@]}" dotnet "$probe" "$target_pid" "$allocation_sampling_keyword" "$([[ $cond == events-stacks ]] && echo stacks || echo no-stacks)" "$tag.nettrace" 2> "$tag.err" &
      profiler=$!; wait_for "$tag.err" '^Recording' 60 ;;
  esac
  [[ -n "$profiler" ]] && children+=("$profiler")
  sleep "$settle"
  local start=$EPOCHREALTIME
  sleep "$window"
  local end=$EPOCHREALTIME
  case "$cond" in
    memline)
      # SIGTERM stops the session; the trace is saved once the rundown is in. dotnet-memline would go on
      # to analyze it (part 2's business), so a second SIGTERM ends it there.
      kill -TERM "$profiler"; wait_for "$tag.err" '^Trace saved' 120 || true; kill_and_wait "$profiler" ;;
    dotnet-trace) wait "$profiler" || true ;;
    events-*) kill -TERM "$profiler"; wait "$profiler" || true ;;
  esac
  rm -f "$tag.nettrace" "$tag.rundown.nettrace"
  sleep 1   # the target settles after the rundown before the next window
  log "part 1: $(rate_label "$rate") rep $rep $cond"
  echo "$rate $cond $rep $start $end"
}

# Window costs from the target's ticks: CPU seconds per GB when paced (the rate is fixed, so a cost
# shows as CPU), wall seconds per GB when unpaced (it shows as throughput).
part1_costs() {
  local rate="$1" windows="$2" target_out="$3" results="$4" ticks="$5"
  awk -v paced=$(( rate > 0 )) -v results="$results" -v ticks="$ticks" '
    FNR == NR { r[++n] = $1; c[n] = $2; rep[n] = $3; s[n] = $4; e[n] = $5; next }
    $1 == "tick" { t[++m] = $2; cpu[m] = $3; b[m] = $4 }
    function cost(i, j) { return ((paced ? cpu[j] - cpu[i] : t[j] - t[i]) / ((b[j] - b[i]) / 1e9)) }
    END {
      for (w = 1; w <= n; w++) {
        first = 0; last = 0
        for (j = 1; j <= m; j++) if (t[j] >= s[w] && t[j] <= e[w]) { if (!first) first = j; last = j }
        if (last <= first) continue
        printf "%s %s %s %.6f %.4f\n", r[w], c[w], rep[w], cost(first, last), (b[last] - b[first]) / 1e9 / (t[last] - t[first]) >> results
        for (j = first + 1; j <= last; j++) printf "%s %s %.6f\n", r[w], c[w], cost(j - 1, j) >> ticks
      }
    }' "$windows" "$target_out"
}

part1_report() {
  local results="$1" ticks="$2"
  {
    echo "## 1. Overhead on the target"
    echo
    echo "BenchTarget, 1 allocating thread, ~22 managed frames per allocation, mixed sizes, bounded live set; one process per"
    echo "rate, ${warmup} s of warm-up, then the conditions in turn, each a ${window} s window opened ${settle} s after its session is live,"
    echo "rotated over $reps repetition(s). Cost = the target's CPU seconds per GB allocated (paced) or wall seconds per GB (unpaced)."
    echo "Overhead = median window cost / median no-profiler window cost - 1. Quiet = the same from the 20th percentile of the"
    echo "0.25 s ticks in each condition's windows: this VM has slow spells of several seconds that lift every condition alike."
    echo "dotnet-trace: \`--providers $providers --buffersize $buffer_mb\` (the providers and buffer dotnet-memline uses)."
    echo "Pinning: $([[ -n "${pin_cores:-}" ]] && echo "target on CPU 1, profiler on CPU 0 (taskset)" || echo "none (one core, or no taskset)")."
    echo "Spread: (largest - smallest) / median of the no-profiler windows."
    echo "\"Worse than dotnet-trace\" needs a median overhead more than $tie_pp percentage point(s) above dotnet-trace's and window costs"
    echo "higher across the runs (one-sided Mann-Whitney test, 5%); otherwise it is a tie."
    echo
    echo "| rate | achieved | cost, no profiler (spread) | cost, dotnet-memline | cost, dotnet-trace | overhead dotnet-memline | overhead dotnet-trace | quiet: dotnet-memline | quiet: dotnet-trace |"
    echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
  } >> "$report"
  local worse_than_trace="" overhead500="nan" ratio_list="" rate
  for rate in "${rates[@]}"; do
    local unit; unit=$( ((rate > 0)) && echo "CPU s/GB" || echo "wall s/GB")
    local none mem trc achieved spread
    none=$(part1_median "$results" "$rate" none); mem=$(part1_median "$results" "$rate" memline); trc=$(part1_median "$results" "$rate" dotnet-trace)
    spread=$(awk -v r="$rate" -v m="$none" '$1 == r && $2 == "none" {if (n++ == 0 || $4 < lo) lo = $4; if (n == 1 || $4 > hi) hi = $4}
      END {if (m > 0 && n > 1) printf "%.0f%%", (hi - lo) / m * 100; else printf "spread n/a: 1 window"}' "$results")
    achieved=$(awk -v r="$rate" '$1 == r && $2 == "none" {print $5}' "$results" | median)
    local rmem rtrc qmem qtrc
    rmem=$(ratio "$mem" "$none"); rtrc=$(ratio "$trc" "$none")
    qmem=$(ratio "$(part1_quiet "$ticks" "$rate" memline)" "$(part1_quiet "$ticks" "$rate" none)")
    qtrc=$(ratio "$(part1_quiet "$ticks" "$rate" dotnet-trace)" "$(part1_quiet "$ticks" "$rate" none)")
    local label; label=$(rate_label "$rate")
    printf '| %s | %s GB/s | %s %s (%s) | %s | %s | %s | %s | %s | %s |\n' "$label" "$(calc '%.3f' "$achieved")" \
      "$(calc '%.4f' "$none")" "$unit" "$spread" "$(calc '%.4f' "$mem")" "$(calc '%.4f' "$trc")" "$(pct "$rmem")" "$(pct "$rtrc")" \
      "$(pct "$qmem")" "$(pct "$qtrc")" >> "$report"
    (( rate == 500000000 )) && overhead500="$rmem"
    # Worse: a median more than tie_pp points higher AND higher costs across the runs (Mann-Whitney, 5%).
    if awk -v a="$rmem" -v b="$rtrc" -v t="$tie_pp" 'BEGIN {exit !(a > b + t / 100)}' \
      && awk -v r="$rate" '$1 == r && ($2 == "memline" || $2 == "dotnet-trace") {print ($2 == "memline") ? "a" : "b", $4}' "$results" | significantly_higher; then
      worse_than_trace="$worse_than_trace $label"
    fi
    ratio_list="$ratio_list${ratio_list:+; }$label $(pct "$rmem") vs $(pct "$rtrc")"
  done
  part1_breakdown "$results" "$ticks"
  {
    echo
    echo "Per window: part1/results.txt (rate, condition, repetition, cost, GB/s); per tick: part1/tick-costs.txt; the targets' own"
    echo "output: part1/target-<rate>.out; window times: part1/windows-<rate>.txt."
    echo
  } >> "$report"
  goal 1 "dotnet-memline overhead at 500 MB/s <= 3%" "$(pct "$overhead500")" "$(status "$overhead500 != \"nan\" && $overhead500 <= 1.03")"
  goal 1 "never worse than dotnet-trace (same providers; ties within $tie_pp pp)" "$ratio_list" "$([[ -z "$worse_than_trace" ]] && echo PASS || echo "MISS (at$worse_than_trace)")"
}

# What the cost at 500 MB/s is made of: the runtime's side of a session, step by step.
part1_breakdown() {
  local results="$1" ticks="$2" rate=500000000
  grep -q "^$rate events-stacks " "$results" || return 0
  local none; none=$(part1_median "$results" "$rate" none)
  local qnone; qnone=$(part1_quiet "$ticks" "$rate" none)
  {
    echo
    echo "What the cost at 500 MB/s is made of (eng/Bench/SessionProbe: a bare session that copies the stream to a file, no tool):"
    echo
    echo "| session | cost | overhead | quiet |"
    echo "| --- | --- | --- | --- |"
  } >> "$report"
  local cond name
  for cond in events-no-stacks events-stacks dotnet-trace memline; do
    case "$cond" in
      events-no-stacks) name="AllocationSampled only, no stacks" ;;
      events-stacks) name="AllocationSampled only, with stacks" ;;
      dotnet-trace) name="dotnet-trace: + GC, Loader, JIT, IL maps, inlining (same keywords as dotnet-memline)" ;;
      memline) name="dotnet-memline collect" ;;
    esac
    local c; c=$(part1_median "$results" "$rate" "$cond")
    printf '| %s | %s CPU s/GB | %s | %s |\n' "$name" "$(calc '%.4f' "$c")" "$(pct "$(ratio "$c" "$none")")" \
      "$(pct "$(ratio "$(part1_quiet "$ticks" "$rate" "$cond")" "$qnone")")" >> "$report"
  done
}

part1_median() { awk -v r="$2" -v c="$3" '$1 == r && $2 == c {print $4}' "$1" | median; }      # results, rate, condition
part1_quiet() {                                                                                 # ticks, rate, condition: 20th percentile
  awk -v r="$2" -v c="$3" '$1 == r && $2 == c {print $3}' "$1" | sort -g | awk '{a[NR] = $1} END {print (NR ? a[int(NR * 0.2) + 1] : "nan")}'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {print (a != "nan" && b != "nan" && b > 0) ? a / b : "nan"}'; }
rate_label() { if (( $1 > 0 )); then calc '%.0f MB/s' "$1 / 1e6"; else echo unpaced; fi; }

# ---------------------------------------------------------------------------------------------
# Part 2: offline analysis throughput

# Records a trace of BenchTarget (2 threads, unpaced) with dotnet-memline itself: record_trace <file> <seconds>
record_trace() {
  local file="$1" seconds="$2" out="$1.record"
  start_target "$out.target" --threads 2
  dotnet "$tool" collect -p "$target_pid" "${methods[@]}" --duration "$seconds" -o "$file" --format json > /dev/null 2> "$out.err" &
  local collector=$!
  children+=("$collector")
  wait_for "$out.err" '^Trace saved' $(( ${seconds%.*} + 120 ))
  kill_and_wait "$collector"        # it would analyze the trace now; not needed
  kill_and_wait "$target_pid"
}

# Counts a trace's events with the baseline (cached next to it): sets trace_events, trace_samples.
count_events() {
  local file="$1"
  if [[ ! -s "$file.counts" ]]; then
    dotnet "$baseline" "$file" "${methods[@]}" | grep '^baseline-result' | sed 's/^baseline-result //' > "$file.counts"
  fi
  trace_events=$(json_field "$file.counts" events)
  trace_samples=$(json_field "$file.counts" allocationEvents)
}

part2() {
  local key; key=$(sha256sum "$target" | cut -c1-12)   # traces go with the BenchTarget build (its PDB)
  local small="$work/cache/analysis-small-$key-${small_seconds}s.nettrace"
  local big="$work/cache/analysis-big-$key-$big_samples-$big_bytes.nettrace"
  if [[ ! -s "$small" ]]; then
    log "part 2: recording the short trace ($small_seconds s)"
    record_trace "$small" "$small_seconds"
  fi
  count_events "$small"
  local small_events=$trace_events small_samples=$trace_samples small_size; small_size=$(stat -c %s "$small")
  if [[ ! -s "$big" ]]; then
    # Size the recording from the short one: samples and bytes per second, 20% margin; retry if short.
    local seconds attempt
    seconds=$(awk -v s="$small_samples" -v b="$small_size" -v d="$small_seconds" -v ms="$big_samples" -v mb="$big_bytes" \
      'BEGIN {x = ms / (s / d); y = mb / (b / d); t = (x > y ? x : y) * 1.2; printf "%d", t + 1}')
    for attempt in 1 2 3; do
      log "part 2: recording the large trace ($seconds s; goal >= $big_samples samples and >= $(mb "$big_bytes"))"
      rm -f "$big.counts"
      record_trace "$big.tmp" "$seconds"
      mv "$big.tmp" "$big"
      count_events "$big"
      local size; size=$(stat -c %s "$big")
      (( trace_samples >= big_samples && size >= big_bytes )) && break
      log "part 2: only $trace_samples samples, $(mb "$size"); recording again, longer"
      seconds=$(( seconds * 2 ))
      rm -f "$big" "$big.counts"
    done
    [[ -s "$big" ]] || die "could not record a large enough trace"
  fi
  count_events "$big"
  local big_events=$trace_events big_samples_got=$trace_samples big_size; big_size=$(stat -c %s "$big")
  log "part 2: large trace $(mb "$big_size"), $big_events events ($big_samples_got samples); short trace $(mb "$small_size"), $small_events events"

  local analyzers=(memline-default memline-tracelog baseline bare-parse)
  local a which file
  for which in big small; do
    [[ $which == big ]] && file="$big" || file="$small"
    for a in "${analyzers[@]}"; do
      log "part 2: $a on the $which trace"
      case "$a" in
        memline-default) measure_analysis "$a-$which" dotnet "$tool" analyze "$file" "${methods[@]}" --format json ;;
        memline-tracelog) measure_analysis "$a-$which" dotnet "$tracelog_decoder" "$file" "${methods[@]}" --format json ;;
        baseline) measure_analysis "$a-$which" dotnet "$baseline" "$file" "${methods[@]}" ;;
        bare-parse) measure_analysis "$a-$which" dotnet "$bare_parse" "$file" ;;
      esac
    done
  done

  {
    echo "## 2. Offline analysis throughput"
    echo
    echo "Large trace: $(mb "$big_size"), $big_events events, $big_samples_got AllocationSampled, $(json_field "$big.counts" framesPerEvent) frames per sample on average; short trace: $(mb "$small_size"), $small_events events (both recorded from BenchTarget, 2 threads, unpaced, with dotnet-memline collect; cached in $work/cache)."
    echo "Events/s = the trace's events (TraceLog's count) / wall time of the whole process (\`/usr/bin/time -v\`), startup included. Largest temp file: largest file seen in the process's private TMPDIR (polled every 0.1 s)."
    echo "Analyses: \`dotnet-memline analyze <trace> ${methods[*]} --format json\`; TraceLogBaseline = TraceLog.CreateFromEventPipeDataFile to .etlx, CallStack() of every AllocationSampled event, SymbolReader line per frame of those methods (cached per code address)."
    echo
    echo "| analyzer | trace | wall | events/s | vs baseline | peak RSS | largest temp file |"
    echo "| --- | --- | --- | --- | --- | --- | --- |"
  } >> "$report"
  declare -A eps
  for which in big small; do
    local events=$big_events; [[ $which == small ]] && events=$small_events
    local base_eps; base_eps=$(awk -v e="$events" -v w="$(wall_of "baseline-$which")" 'BEGIN {print e / w}')
    for a in "${analyzers[@]}"; do
      local w r t label
      w=$(wall_of "$a-$which"); r=$(rss_of "$a-$which"); t=$(cat "$run_dir/$a-$which.temp")
      eps[$a-$which]=$(awk -v e="$events" -v w="$w" 'BEGIN {print e / w}')
      case "$a" in
        memline-default) label="dotnet-memline analyze (default decoder)" ;;
        memline-tracelog) label="dotnet-memline analysis on the TraceLog decoder (eng/TraceLogDecoder)" ;;
        baseline) label="TraceLogBaseline (.etlx $(mb "$(json_field "$run_dir/$a-$which.out" etlxBytes)"))" ;;
        bare-parse) label="EventPipeEventSource, bare parse (every event counted, no stack, no payload)" ;;
      esac
      printf '| %s | %s | %.2f s | %s | %.2fx | %s | %s |\n' "$label" "$([[ $which == big ]] && echo "large ($(mb "$big_size"))" || echo "short ($(mb "$small_size"))")" \
        "$w" "$(calc '%.0f' "${eps[$a-$which]}")" "$(awk -v a="${eps[$a-$which]}" -v b="$base_eps" 'BEGIN {print a / b}')" "$(mb "$r")" "$(mb "$t")" >> "$report"
    done
  done
  local speedup rss_big rss_small temp_big
  speedup=$(awk -v a="${eps[memline-default-big]}" -v b="${eps[baseline-big]}" 'BEGIN {print a / b}')
  rss_big=$(rss_of memline-default-big); rss_small=$(rss_of memline-default-small); temp_big=$(cat "$run_dir/memline-default-big.temp")
  echo >> "$report"
  goal 2 "analyze >= 3x the TraceLog baseline's events/s (large trace)" "$(calc '%.2fx' "$speedup")" "$(status "$speedup >= 3")"
  local over_bare; over_bare=$(awk -v a="${eps[memline-default-big]}" -v b="${eps[bare-parse-big]}" 'BEGIN {print a / b}')
  goal 2 "analyze >= 2x a bare EventPipeEventSource parse of the same file (large trace)" "$(calc '%.2fx' "$over_bare")" "$(status "$over_bare >= 2")"
  goal 2 "peak RSS flat in trace length (large <= 1.25x short, $(calc '%.0f' "$big_size / $small_size")x longer)" \
    "$(mb "$rss_big") vs $(mb "$rss_small") ($(calc '%.2fx' "$rss_big / $rss_small"))" "$(status "$rss_big <= 1.25 * $rss_small")"
  goal 2 "no temp file larger than the trace" "largest $(mb "$temp_big") for a $(mb "$big_size") trace" "$(status "$temp_big <= $big_size")"
  if (( big_samples_got < 1000000 || big_size < 100000000 )); then
    goal 2 "(the large trace has >= 1M samples and >= 100 MB)" "$big_samples_got samples, $(mb "$big_size")" \
      "$( ((quick)) && echo 'n/a (quick mode records a smaller trace)' || echo MISS)"
  fi

  # Many traces as one: the large trace as 2 x cores instances (hard links, so distinct paths), read in parallel.
  local copies=$(( 2 * cores )) i links=()
  mkdir -p "$run_dir/fleet"
  for (( i = 1; i <= copies; i++ )); do
    ln -f "$big" "$run_dir/fleet/instance-$i.nettrace"
    links+=("$run_dir/fleet/instance-$i.nettrace")
  done
  log "part 2: $copies instances of the large trace as one"
  measure_analysis "memline-fleet" dotnet "$tool" analyze "${links[@]}" "${methods[@]}" --format json
  # Scaling in cores: the same analysis on one core. One trace on all cores is no baseline for it: the read-ahead
  # already spreads one analysis over them.
  local one_core=""
  if command -v taskset > /dev/null && (( cores > 1 )); then
    log "part 2: the same on one core"
    measure_analysis "memline-fleet-one-core" taskset -c 0 dotnet "$tool" analyze "${links[@]}" "${methods[@]}" --format json
    one_core=1
  fi
  rm -rf "$run_dir/fleet"
  local w1 wn r1 rn scaling
  w1=$(wall_of memline-default-big); wn=$(wall_of memline-fleet); r1=$(rss_of memline-default-big); rn=$(rss_of memline-fleet)
  if [[ -n "$one_core" ]]; then
    local wc; wc=$(wall_of memline-fleet-one-core)
    scaling=$(awk -v a="$wc" -v b="$wn" 'BEGIN {print a / b}')
    {
      echo
      echo "Many traces as one: \`dotnet-memline analyze <$copies links to the large trace> ${methods[*]} --format json\`: $(calc '%.2f' "$wc") s on one core"
      echo "(\`taskset -c 0\`), $(calc '%.2f' "$wn") s on $cores cores, so $(calc '%.2f' "$scaling")x; peak RSS $(mb "$rn") on $cores cores (one trace: $(mb "$r1"))."
    } >> "$report"
    goal 2 "$copies traces as one: throughput near-linear in cores (>= 0.8 x $cores x one core's)" "$(calc '%.2fx' "$scaling")" "$(status "$scaling >= 0.8 * $cores")"
  else
    scaling=$(awk -v n="$copies" -v a="$w1" -v b="$wn" 'BEGIN {print n * a / b}')
    {
      echo
      echo "Many traces as one: \`dotnet-memline analyze <$copies links to the large trace> ${methods[*]} --format json\` on $cores cores: $(calc '%.2f' "$wn") s"
      echo "(one trace alone: $(calc '%.2f' "$w1") s), so $(calc '%.2f' "$scaling")x the throughput of one trace at a time; peak RSS $(mb "$rn") (one trace: $(mb "$r1"))."
    } >> "$report"
    goal 2 "$copies traces as one: throughput of one trace at a time x $(calc '%.2f' "$scaling") (no taskset or one core: no scaling in cores measured)" "$(calc '%.2fx' "$scaling")" "n/a"
  fi
  goal 2 "$copies traces as one: peak RSS bounded by the traces read at once (<= $cores x one trace's)" "$(mb "$rn") vs $(mb "$r1")" "$(status "$rn <= $cores * $r1")"
}

# ---------------------------------------------------------------------------------------------
# Part 3: time to the first table after the session stops

# Collects with --duration from a fresh BenchTarget (2 threads, unpaced), text table to a file.
# timed_collect <name> <seconds>; sets t_recording, t_saved, t_end (epoch seconds) and trace_size
timed_collect() {
  local name="$1" seconds="$2" out="$run_dir/part3/$1"
  start_target "$out.target" --threads 2
  dotnet "$tool" collect -p "$target_pid" "${methods[@]}" --duration "$seconds" -o "$out.nettrace" > "$out.table" 2> >(stamp > "$out.err") &
  local collector=$!
  children+=("$collector")
  local rc=0
  wait "$collector" || rc=$?
  t_end=$EPOCHREALTIME
  kill_and_wait "$target_pid"
  sleep 0.2   # the stamping reader finishes its last lines
  (( rc == 0 )) || die "collect failed (exit $rc): $(tail -3 "$out.err")"
  t_recording=$(awk '$2 == "Recording" {print $1; exit}' "$out.err")
  t_saved=$(awk '$2 == "Trace" && $3 == "saved:" {print $1; exit}' "$out.err")
  trace_size=$(stat -c %s "$out.nettrace")
}

part3() {
  mkdir -p "$run_dir/part3"
  log "part 3: calibrating the trace's bytes per second (3 s)"
  timed_collect calibrate 3
  local per_second; per_second=$(awk -v s="$trace_size" 'BEGIN {print s / 3}')
  rm -f "$run_dir/part3/calibrate.nettrace"
  {
    echo "## 3. Time to the first table after the session stops"
    echo
    echo "\`dotnet-memline collect -p <BenchTarget, 2 threads, unpaced> ${methods[*]} --duration <d>\`, text tables to a file; d chosen from a 3 s calibration ($(mb "$per_second") of trace per second)."
    echo "Stop to saved: from the end of --duration (the \"Recording\" line + d) to the \"Trace saved\" line (session stop, rundown, flush); saved to table: from \"Trace saved\" to the process's exit after printing the tables (the goal's figure)."
    echo
    echo "| trace | duration | stop to saved | saved to table | stop to table |"
    echo "| --- | --- | --- | --- | --- |"
  } >> "$report"
  local goal_mb seconds
  for goal_mb in 10 100; do
    seconds=$(awk -v g="$goal_mb" -v r="$per_second" 'BEGIN {d = g * 1e6 / r; printf "%.0f", (d < 1 ? 1 : d)}')
    log "part 3: ~$goal_mb MB trace: collecting for $seconds s"
    timed_collect "trace-${goal_mb}mb" "$seconds"
    local stop_to_saved saved_to_table
    stop_to_saved=$(awk -v r="$t_recording" -v s="$t_saved" -v d="$seconds" 'BEGIN {printf "%.2f", s - r - d}')
    saved_to_table=$(awk -v s="$t_saved" -v e="$t_end" 'BEGIN {printf "%.2f", e - s}')
    printf '| %s | %s s | %s s | %s s | %s s |\n' "$(mb "$trace_size")" "$seconds" "$stop_to_saved" "$saved_to_table" \
      "$(awk -v a="$stop_to_saved" -v b="$saved_to_table" 'BEGIN {printf "%.2f", a + b}')" >> "$report"
    (( goal_mb == 10 )) && goal 3 "first table <= 1 s after stop, ~10 MB trace ($(mb "$trace_size"))" "$saved_to_table s (saved to table; $stop_to_saved s more from the stop request)" "$(status "$saved_to_table <= 1")"
    (( goal_mb == 100 )) && goal 3 "(no goal) ~100 MB trace ($(mb "$trace_size"))" "$saved_to_table s" "-"
    rm -f "$run_dir/part3/trace-${goal_mb}mb.nettrace"
  done
  echo >> "$report"
}

# ---------------------------------------------------------------------------------------------
# Part 4: the collector's own CPU and memory at ~30K events/s
part4() {
  local dir="$run_dir/part4"
  mkdir -p "$dir"
  local rate=$((samples_per_second_goal * sampling_stride))
  log "part 4: collecting for $collector_seconds s from BenchTarget paced at $(calc '%.2f' "$rate / 1e9") GB/s (2 threads)"
  start_target "$dir/target.out" --threads 2 --rate "$rate" --progress
  local ticks; ticks=$(getconf CLK_TCK)
  dotnet "$tool" collect -p "$target_pid" "${methods[@]}" --duration "$collector_seconds" -o "$dir/collect.nettrace" --format json \
    > "$dir/report.json" 2> >(stamp > "$dir/collect.err") &
  local collector=$!
  children+=("$collector")
  # Each second: time, utime+stime (ticks), VmRSS and VmHWM (kB), and whether the recording is over.
  : > "$dir/samples.txt"
  while kill -0 "$collector" 2>/dev/null; do
    local stat rss hwm phase=starting
    stat=$(cut -d' ' -f14,15 "/proc/$collector/stat" 2>/dev/null) || break
    rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$collector/status" 2>/dev/null || echo 0)
    hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$collector/status" 2>/dev/null || echo 0)
    grep -q ' Recording' "$dir/collect.err" 2>/dev/null && phase=recording
    grep -q ' Trace saved' "$dir/collect.err" 2>/dev/null && phase=analyzing
    echo "$EPOCHREALTIME ${stat/ /+} $rss $hwm $phase" >> "$dir/samples.txt"
    sleep 1
  done
  wait "$collector" || die "collect failed: $(tail -3 "$dir/collect.err")"
  kill_and_wait "$target_pid"
  sleep 0.2
  # CPU over the recording: from the first to the last sample taken while recording.
  local cpu_pct rss_peak hwm_rec seconds_sampled
  read -r cpu_pct seconds_sampled < <(awk -v hz="$ticks" '$5 == "recording" {split($2, c, "+"); t = c[1] + c[2]; if (!n++) {t0 = $1; c0 = t} t1 = $1; c1 = t}
    END {if (n < 2) print "nan 0"; else printf "%.2f %.1f\n", (c1 - c0) / hz / (t1 - t0) * 100, t1 - t0}' "$dir/samples.txt")
  rss_peak=$(awk '$5 == "recording" && $3 > m {m = $3} END {print m * 1024}' "$dir/samples.txt")
  hwm_rec=$(awk '$5 == "recording" {h = $4} END {print h * 1024}' "$dir/samples.txt")
  local samples dropped duration eps achieved
  samples=$(json_field "$dir/report.json" allocationSamples)
  dropped=$(json_field "$dir/report.json" droppedEvents)
  duration=$(json_field "$dir/report.json" durationSeconds)
  eps=$(awk -v s="$samples" -v d="$duration" 'BEGIN {print s / d}')
  achieved=$(grep '^rate:' "$dir/target.out" | tail -1 | sed 's/^rate: //')
  {
    echo "## 4. The collector's own cost"
    echo
    echo "\`dotnet-memline collect --duration $collector_seconds\` on BenchTarget paced at $(calc '%.2f' "$rate / 1e9") GB/s in 2 threads (target: $samples_per_second_goal AllocationSampled/s); target's measured rate: ${achieved:-?}."
    echo "CPU: the collector's utime+stime (/proc/<pid>/stat) between the first and last 1-s samples taken while recording ($seconds_sampled s). RSS: largest VmRSS sampled while recording, and VmHWM (peak since start, including the method check before recording) at the last of them."
    echo
    echo "| events/s achieved | samples | dropped | collector CPU | peak VmRSS recording | VmHWM at stop | trace |"
    echo "| --- | --- | --- | --- | --- | --- | --- |"
    printf '| %s | %s | %s | %s%% of one core | %s | %s | %s |\n' "$(calc '%.0f' "$eps")" "$samples" "$dropped" "$cpu_pct" "$(mb "$rss_peak")" "$(mb "$hwm_rec")" "$(mb "$(stat -c %s "$dir/collect.nettrace")")"
    echo
  } >> "$report"
  local at="at $(calc '%.0f' "$eps") events/s"
  awk -v e="$eps" -v g="$samples_per_second_goal" 'BEGIN {exit !(e < 0.9 * g)}' && at="$at (BELOW the 30K goal: the machine could not sustain the rate)"
  goal 4 "collector <= 2% of one core, $at" "$cpu_pct%" "$(status "$cpu_pct <= 2")"
  goal 4 "collector <= 100 MB RSS" "$(mb "$hwm_rec") VmHWM ($(mb "$rss_peak") peak VmRSS sampled)" "$(status "$hwm_rec <= 100 * 1024 * 1024")"
  goal 4 "zero dropped events" "$dropped" "$(status "$dropped == 0")"
  rm -f "$dir/collect.nettrace"
}

# ---------------------------------------------------------------------------------------------
# Part 5: what `collect --async` costs an await-heavy server
#
# Each window has a fresh AsyncApiTarget: warm-up load, then the mode's profiler attaches (none,
# `collect`, `collect --async`), and once its session is live a LoadClient sends load; the client's
# first seconds (its own start) are not counted. The modes are interleaved, rotated each repetition.
part5() {
  local dir="$run_dir/part5"
  mkdir -p "$dir"
  local results="$dir/results.txt"   # rep mode rps requests seconds failed warmup_requests trace_bytes events
  : > "$results"
  log "part 5: AsyncApiTarget GET $api_path, $api_concurrency client loops; $reps repetition(s) of ${window} s windows per mode"
  local modes=(none collect async) rep k
  for rep in $(seq "$reps"); do
    for k in 0 1 2; do
      part5_window "${modes[$(( (k + rep) % 3 ))]}" "$rep" "$dir" >> "$results"
    done
  done
  part5_report "$results"
}

# One window on a fresh server; prints its results line.
part5_window() {
  local mode="$1" rep="$2" tag="$3/$1-$2"
  dotnet "$api" 0 > "$tag.server" 2>&1 &
  local server=$!
  children+=("$server")
  wait_for "$tag.server" '^Listening [0-9]+$' 60 "$server"
  local url; url="http://127.0.0.1:$(sed -n 's/^Listening //p' "$tag.server")$api_path"
  run_load "$tag.warmup" "$url" "$api_concurrency" "$api_warmup"
  local collector="" async=()
  [[ $mode == async ]] && async=(--async)
  if [[ $mode != none ]]; then
    dotnet "$tool" collect -p "$server" "${api_methods[@]}" "${async[@]}" -o "$tag.nettrace" > "$tag.table" 2> "$tag.err" &
    collector=$!
    children+=("$collector")
    wait_for "$tag.err" '^Recording' 60 "$collector"
  fi
  sleep "$settle"
  run_load "$tag.load" "$url" "$api_concurrency" "$window" "$api_client_warmup"
  local trace_bytes=0 events=0
  if [[ -n "$collector" ]]; then
    # SIGTERM stops the session; the trace is saved once the rundown is in. The analysis that would
    # follow is not measured here, so a second SIGTERM ends it.
    kill -TERM "$collector" 2>/dev/null || true
    wait_for "$tag.err" '^Trace saved' 120 "$collector"
    kill_and_wait "$collector"
  fi
  kill_and_wait "$server"
  grep -q '^requests=' "$tag.load" || die "LoadClient printed no result: $(tail -3 "$tag.load")"
  if [[ -n "$collector" ]]; then
    trace_bytes=$(stat -c %s "$tag.nettrace")
    # The trace's events (TraceLog's count), read after the server is gone; its .etlx goes to a private TMPDIR.
    mkdir -p "$tag.tmp"
    TMPDIR="$tag.tmp" dotnet "$baseline" "$tag.nettrace" "${api_methods[@]}" > "$tag.count" 2>&1 &
    local counter=$!
    children+=("$counter")
    wait "$counter" || true
    events=$(grep '^baseline-result' "$tag.count" | grep -o '"events": *[0-9]*' | sed 's/.*: *//') || events=nan
    rm -rf "$tag.tmp" "$tag.nettrace" "$tag.rundown.nettrace"
  fi
  log "part 5: rep $rep $mode: $(cat "$tag.load")$( [[ $mode != none ]] && echo ", trace $(mb "$trace_bytes")")"
  local rps requests seconds failed warmup_requests
  rps=$(load_field rps "$tag.load"); requests=$(load_field requests "$tag.load"); seconds=$(load_field seconds "$tag.load")
  failed=$(load_field failed "$tag.load"); warmup_requests=$(load_field warmup_requests "$tag.load")
  echo "$rep $mode $rps $requests $seconds ${failed:-0} ${warmup_requests:-0} $trace_bytes ${events:-nan}"
}
# LoadClient in the background, waited for: a signal to the script then ends it too (cleanup).
run_load() { # output file, LoadClient arguments...
  local out="$1"; shift
  dotnet "$load_client" "$@" > "$out" &
  local pid=$!
  children+=("$pid")
  wait "$pid"
}
load_field() { sed -n "s/.*\<$1=\([0-9.]*\).*/\1/p" "$2"; }   # name, LoadClient output: its value
part5_median() { awk -v m="$2" -v c="$3" '$2 == m {print $c}' "$1" | median; }   # results, mode, column

part5_report() {
  local results="$1"
  local none_rps; none_rps=$(part5_median "$results" none 3)
  local spread; spread=$(awk -v m="$none_rps" '$2 == "none" {if (n++ == 0 || $3 < lo) lo = $3; if (n == 1 || $3 > hi) hi = $3}
    END {if (m > 0 && n > 1) printf "%.0f%%", (hi - lo) / m * 100; else printf "n/a: 1 window"}' "$results")
  {
    echo "## 5. Following awaits and hand-offs: what \`--async\` costs a server"
    echo
    echo "eng/Bench/AsyncApiTarget (ASP.NET Core minimal API, workstation GC; GET $api_path reads a file with awaits and"
    echo "serializes 200 orders to JSON, three async methods deep) under eng/Bench/LoadClient ($api_concurrency loops), all on the same $cores cores."
    echo "Per window a fresh server, ${api_warmup} s of warm-up load, then the mode's profiler, \`dotnet-memline collect -p <pid> ${api_methods[*]}\`"
    echo "with or without \`--async\`, and ${settle} s after its \"Recording\" line a client that sends ${api_client_warmup} s of load uncounted, then counts ${window} s."
    echo "Modes interleaved, rotated over $reps repetition(s); medians. Requests/s: the counted requests / the counted seconds."
    echo "Trace: the session's .nettrace (from attach to stop: the client's whole run; not the attach snapshot .rundown.nettrace)."
    echo "Per request: trace bytes and events (TraceLog's count) / all requests the client completed while recording."
    echo "Spread of the no-profiler windows, (largest - smallest) / median: $spread."
    echo
    echo "| mode | requests/s | vs no profiler | trace | bytes / request | events / request | failed requests |"
    echo "| --- | --- | --- | --- | --- | --- | --- |"
  } >> "$report"
  local mode label rps r ratio_collect=nan ratio_async=nan
  for mode in none collect async; do
    case "$mode" in
      none) label="no profiler" ;;
      collect) label="\`collect\` (sampling)" ;;
      async) label="\`collect --async\`" ;;
    esac
    rps=$(part5_median "$results" "$mode" 3)
    r=$(ratio "$rps" "$none_rps")
    [[ $mode == collect ]] && ratio_collect=$r
    [[ $mode == async ]] && ratio_async=$r
    local failed; failed=$(awk -v m="$mode" '$2 == m {f += $6} END {print f + 0}' "$results")
    if [[ $mode == none ]]; then
      printf '| %s | %s | - | - | - | - | %s |\n' "$label" "$(calc '%.0f' "$rps")" "$failed" >> "$report"
    else
      local size per_request events_per_request
      size=$(part5_median "$results" "$mode" 8)
      per_request=$(awk -v m="$mode" '$2 == m && $4 + $7 > 0 {print $8 / ($4 + $7)}' "$results" | median)
      events_per_request=$(awk -v m="$mode" '$2 == m && $4 + $7 > 0 && $9 != "nan" {print $9 / ($4 + $7)}' "$results" | median)
      printf '| %s | %s | %s (x%s) | %s | %s B | %s | %s |\n' "$label" "$(calc '%.0f' "$rps")" "$(pct "$r")" "$(calc '%.2f' "$r")" \
        "$(mb "$size")" "$(calc '%.0f' "$per_request")" "$([[ $events_per_request == nan ]] && echo n/a || calc '%.1f' "$events_per_request")" \
        "$failed" >> "$report"
    fi
  done
  {
    echo
    echo "Per window: part5/results.txt (repetition, mode, requests/s, requests, seconds, failed, warm-up requests, trace bytes, events);"
    echo "each window's server, client and collector output: part5/<mode>-<repetition>.*."
    echo
  } >> "$report"
  local async_note=""
  awk -v r="$ratio_async" -v b="$async_bound" 'BEGIN {exit !(r != "nan" && r >= 1 - b)}' \
    && async_note=" (within the bound: \`--async\` no longer needs to be opt-in for its cost)"
  goal 5 "\`--async\` is opt-in because it costs more than $(calc '%.0f' "$async_bound * 100")% throughput on this server; sampling alone should stay within $(calc '%.0f' "$async_bound * 100")%" \
    "requests/s vs no profiler: \`collect\` $(pct "$ratio_collect"), \`collect --async\` $(pct "$ratio_async")$async_note ($reps window(s) each)" \
    "$(status "$ratio_collect != \"nan\" && $ratio_collect >= 1 - $async_bound")"
}

# ---------------------------------------------------------------------------------------------
wants 1 && part1
wants 2 && part2
wants 3 && part3
wants 4 && part4
wants 5 && part5
{
  echo "## Goals"
  echo
  echo "| part | goal | measured | status |"
  echo "| --- | --- | --- | --- |"
  cat "$goals"
  echo
  echo "Logs and raw figures: $run_dir"
} >> "$report"
echo
cat "$report"
