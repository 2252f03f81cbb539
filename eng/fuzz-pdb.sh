#!/usr/bin/env bash
# Fuzzes the PDB reader: records a small real trace from a private copy of the line-truth target, then
# analyzes it thousands of times in process, each time with that copy's PDB damaged another way (cut
# short, bits flipped, stream offsets and sizes and table row counts made huge, stretches swapped,
# heaps overwritten with escape sequences, NUL, bidirectional overrides and invalid UTF-8, streams
# zeroed). Fails if any case throws anything but MemLineException, takes longer than --timeout, or
# puts a raw control character into the text report. Not part of `dotnet test` (which runs 300 cases).
# Usage: eng/fuzz-pdb.sh [cases=2000] [random-seed=1] [--timeout seconds] [--work DIR]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

source eng/fuzz-common.sh
fuzz_options 2000 memline-pdbfuzz "$@"
fuzz_build

# A private copy whose debug directory no longer names the build's PDB under obj/ (that one would be
# found first): only the copy next to the module, the one damaged, is read.
rm -rf "$work/target" && cp -r tests/Targets/LineTruthTarget/bin/Debug/net10.0 "$work/target"
perl -pi -e 's#/obj/#/ob_/#' "$work/target/LineTruthTarget.dll"

fuzz_record_seed "$work/target/LineTruthTarget.dll"

exec dotnet eng/Fuzz/bin/Debug/net10.0/Fuzz.dll --seed-trace "$work/seed.nettrace" --pdb "$work/target/LineTruthTarget.pdb" \
  --method Workload.AllocateKnownAmounts --cases "$cases" --random-seed "$seed" --timeout "$timeout" --failures "$work/failures"
