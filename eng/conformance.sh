#!/usr/bin/env bash
# The line-attribution conformance suite, full matrix: the shapes of tests/Targets/ConformanceTarget
# (plain code, one statement per line; truth from generated twins) profiled under every code shape
# the runtime produces, in exact mode (every line to the byte) and in sampling mode (every line with
# at least 40 MB within its 95% interval and within 10%), with `run` and with `collect` on tier-1
# code compiled before the attach. Prints a markdown table (docs/accuracy.md keeps the latest) and
# each line that is not right. Not part of `dotnet test` (its fast subset is ConformanceTests).
# Usage: eng/conformance.sh [--groups all|g1,g2] [--work DIR] [--cases tier1-exact,collect-tier1-sampled,...]
#        About 12 minutes on 2 cores for every case; --cases runs only the cells named (code-mode).
#        eng/conformance.sh --reanalyze [--work DIR]: analyzes the traces a previous run left in DIR again with
#        the current build (about 2 minutes): the quick check of a change to the mapping. The targets are not
#        rebuilt; the PDBs come from the copies of the builds the run kept in DIR (release-build, debug-build, r2r).
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
groups=all
work="$root/artifacts/conformance"
reanalyze=false
cases=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --groups) groups="$2"; shift 2 ;;
    --work) work="$2"; shift 2 ;;
    --reanalyze) reanalyze=true; shift ;;
    --cases) cases=",$2,"; shift 2 ;;
    *) echo "usage: eng/conformance.sh [--groups all|g1,g2] [--work DIR] [--cases c1,c2] [--reanalyze]" >&2; exit 2 ;;
  esac
done
mkdir -p "$work"
cells="$work/cells.tsv"; rm -f "$cells"

if $reanalyze; then
  dotnet build src/DotnetMemLine.Cli -c Release -v quiet -nologo >&2 || exit 1
  dotnet build eng/Conformance/ConformanceCheck -c Release -v quiet -nologo >&2 || exit 1
  tool="$root/src/DotnetMemLine.Cli/bin/Release/net10.0/dotnet-memline.dll"
  check="$root/eng/Conformance/ConformanceCheck/bin/Release/net10.0/ConformanceCheck.dll"
  # The run kept a copy of each build it profiled: the PDBs the traces name, even after the target was rebuilt.
  symbols=()
  for build in release-build debug-build r2r; do [[ -d "$work/$build" ]] && symbols+=(--symbols "$work/$build"); done
  status=0
  echo "| code | mode | shapes | lines checked | right | wrong | known gaps | twin ≠ plain | wrong, not marked | wrong, within 10% |"
  echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  for dir in "$work"/*-exact "$work"/*-sampled; do
    [[ -f "$dir/trace.nettrace" && -f "$dir/truth.json" ]] || continue
    case_name="$(basename "$dir")"; name="${case_name%-*}"; mode="${case_name##*-}"
    # The shapes of that run, from its truth file (the target's list may have changed since).
    mapfile -t methods < <(dotnet "$check" --shapes "$dir/truth.json" | awk '{ printf "--method\n%s\n", $1 }')
    if ! dotnet "$tool" analyze "$dir/trace.nettrace" "${methods[@]}" "${symbols[@]}" --format json > "$dir/reanalyzed.json" 2> "$dir/reanalyzed.err"; then
      echo "  $case_name: analyze failed (see $dir/reanalyzed.err)" >&2; status=1; continue
    fi
    dotnet "$check" "$dir/truth.json" "$dir/reanalyzed.json" "$name" "$mode" "$cells" || status=1
  done
  exit $status
fi

echo "Building dotnet-memline, the conformance target (Release and Debug) and the comparer..." >&2
dotnet build src/DotnetMemLine.Cli -c Release -v quiet -nologo >&2 || exit 1
dotnet build tests/Targets/ConformanceTarget -c Release -v quiet -nologo >&2 || exit 1
# The Debug variant (unoptimized IL) is copied aside and the usual Debug build (optimized IL, which the fast
# ConformanceTests run) is put back: both write bin/Debug, and an incremental build would keep the variant.
dotnet build tests/Targets/ConformanceTarget -c Debug -p:Optimize=false --no-incremental -v quiet -nologo >&2 || exit 1
rm -rf "$work/debug-build" && cp -r tests/Targets/ConformanceTarget/bin/Debug/net10.0 "$work/debug-build" || exit 1
rm -rf "$work/release-build" && cp -r tests/Targets/ConformanceTarget/bin/Release/net10.0 "$work/release-build" || exit 1
dotnet build tests/Targets/ConformanceTarget -c Debug --no-incremental -v quiet -nologo >&2 || exit 1
dotnet build eng/Conformance/ConformanceCheck -c Release -v quiet -nologo >&2 || exit 1
wanted() { [[ -z "$cases" || "$cases" == *",$1,"* ]]; } # true when --cases was not given or names the case
if wanted r2r-exact; then
rm -rf "$work/r2r"
dotnet publish tests/Targets/ConformanceTarget -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o "$work/r2r" -v quiet -nologo >&2 || exit 1
fi

tool="$root/src/DotnetMemLine.Cli/bin/Release/net10.0/dotnet-memline.dll"
release="$root/tests/Targets/ConformanceTarget/bin/Release/net10.0/ConformanceTarget.dll"
debug="$work/debug-build/ConformanceTarget.dll"
check="$root/eng/Conformance/ConformanceCheck/bin/Release/net10.0/ConformanceCheck.dll"
mapfile -t methods < <(dotnet "$release" "$groups" --list | awk '{ printf "--method\n%s\n", $2 }')

status=0
rows=()
# run_case NAME MODE(exact|sampled) ROUNDS TARGET_DLL [ENV=VALUE...]
run_case() {
  local name="$1" mode="$2" rounds="$3" dll="$4"; shift 4
  wanted "$name-$mode" || return 0
  local dir="$work/$name-$mode"; mkdir -p "$dir"
  local exact=(); [[ "$mode" == exact ]] && exact=(--exact)
  if ! dotnet "$tool" run "${exact[@]}" "${methods[@]}" --format json -o "$dir/trace.nettrace" \
      -- env "$@" dotnet "$dll" "$groups" "$dir/truth.json" --rounds "$rounds" >"$dir/report.json" 2>"$dir/tool.err"; then
    echo "  $name $mode: dotnet-memline failed (see $dir/tool.err)" >&2; status=1; return
  fi
  local row; row=$(dotnet "$check" "$dir/truth.json" "$dir/report.json" "$name" "$mode" "$cells") || status=1
  rows+=("$row")
}

# collect_case NAME ROUNDS: sampling on tier-1 code compiled before the attach.
collect_case() {
  local name="$1" rounds="$2"; local dir="$work/$name-sampled"
  wanted "$name-sampled" || return 0
  mkdir -p "$dir"
  local fifo="$dir/stdin"; rm -f "$fifo"; mkfifo "$fifo"
  dotnet "$release" "$groups" "$dir/truth.json" --rounds "$rounds" --wait-for-go <"$fifo" >"$dir/target.out" 2>&1 &
  local target=$!
  exec 9>"$fifo"
  until grep -q '^ready' "$dir/target.out" 2>/dev/null; do sleep 0.5; kill -0 $target 2>/dev/null || break; done
  dotnet "$tool" collect -p $target "${methods[@]}" --format json -o "$dir/trace.nettrace" >"$dir/report.json" 2>"$dir/tool.err" &
  local collector=$!
  until grep -q '^Recording process' "$dir/tool.err" 2>/dev/null; do sleep 0.5; kill -0 $collector 2>/dev/null || break; done
  echo go >&9
  until grep -q '^done' "$dir/target.out" 2>/dev/null; do sleep 0.5; kill -0 $target 2>/dev/null || break; done
  # SIGTERM stops a recording as Ctrl+C does; SIGINT may be ignored (a background job of a script, or
  # this script started in the background, inherits SIGINT ignored, and .NET keeps it so).
  kill -TERM $collector; wait $collector
  echo exit >&9; exec 9>&-; wait $target
  local row; row=$(dotnet "$check" "$dir/truth.json" "$dir/report.json" "$name" sampled "$cells") || status=1
  rows+=("$row")
}

echo "Exact mode (every line to the byte)..." >&2
run_case tier0   exact 3   "$release"
run_case tc0     exact 3   "$release" DOTNET_TieredCompilation=0
run_case tier1   exact 200 "$release"
run_case pgo-off exact 200 "$release" DOTNET_TieredPGO=0
run_case osr     exact 3   "$release" DOTNET_TC_OnStackReplacement_InitialCounter=1 DOTNET_OSR_HitLimit=1
run_case r2r     exact 3   "$work/r2r/ConformanceTarget.dll" DOTNET_ReadyToRunExcludeList=ConformanceTarget
run_case debug   exact 3   "$debug"
echo "Sampling mode (lines of 40 MB or more: within the interval and 10%)..." >&2
run_case tier1   sampled 1500 "$release"
run_case tc0     sampled 1500 "$release" DOTNET_TieredCompilation=0
collect_case collect-tier1 1500

echo
echo "| code | mode | shapes | lines checked | right | wrong | known gaps | twin ≠ plain | wrong, not marked | wrong, within 10% |"
echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
printf '%s\n' "${rows[@]}"

# Shape x code kind: "ok" (every checked line right), "✗ N" (N lines wrong), "gap N" (known gaps only),
# "–" (no line big enough to check, in sampling mode).
echo
awk -F'\t' '
  { if (!($2 in seen)) { seen[$2] = 1; cols[++n] = $2 }
    if (!($1 in known)) { known[$1] = 1; shapes[++m] = $1 }
    cell[$1, $2] = ($4 > 0) ? "✗ " $4 : ($5 > 0) ? "gap " $5 : ($3 > 0) ? "ok" : "–" }
  END {
    printf "| shape |"; for (c = 1; c <= n; c++) printf " %s |", cols[c]; printf "\n"
    printf "| --- |"; for (c = 1; c <= n; c++) printf " --- |"; printf "\n"
    for (s = 1; s <= m; s++) { printf "| %s |", shapes[s]; for (c = 1; c <= n; c++) printf " %s |", ((shapes[s], cols[c]) in cell) ? cell[shapes[s], cols[c]] : ""; printf "\n" }
  }' "$cells"
exit $status
