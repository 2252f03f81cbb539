# Shared by eng/fuzz-analyze.sh and eng/fuzz-pdb.sh (sourced, not run): their options, the build, and the seed trace.

# fuzz_options DEFAULT_CASES WORK_PREFIX ARGS...: sets cases, seed, timeout and work from
# [cases] [random-seed] [--timeout seconds] [--work DIR].
fuzz_options() {
  local default_cases="$1" prefix="$2"
  shift 2
  cases="${1:-$default_cases}"
  seed="${2:-1}"
  shift $(( $# > 2 ? 2 : $# ))
  timeout=10
  work="$(mktemp -d -t "$prefix-XXXXXX")"
  while [ $# -gt 0 ]; do
    case "$1" in
      --timeout) timeout="$2"; shift 2 ;;
      --work) work="$2"; mkdir -p "$work"; shift 2 ;;
      *) echo "unknown option $1" >&2; exit 2 ;;
    esac
  done
}

fuzz_build() {
  echo "Building the tool, the line-truth target and the fuzzer..." >&2
  dotnet build src/DotnetMemLine.Cli -v quiet -nologo >&2
  dotnet build tests/Targets/LineTruthTarget -v quiet -nologo >&2
  dotnet build eng/Fuzz -v quiet -nologo >&2
}

# fuzz_record_seed TARGET_DLL: records $work/seed.nettrace of the line-truth target at TARGET_DLL.
fuzz_record_seed() {
  echo "Recording the seed trace in $work..." >&2
  dotnet src/DotnetMemLine.Cli/bin/Debug/net10.0/dotnet-memline.dll run --method Workload.AllocateKnownAmounts \
    -o "$work/seed.nettrace" -- dotnet "$1" "$work/truth.json" --rounds 5 >/dev/null
}
