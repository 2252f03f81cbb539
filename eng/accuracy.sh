#!/usr/bin/env bash
# The accuracy suite: profiles eng/Accuracy/AccuracyTarget many times with the real tool and prints
# estimate vs exact truth per line (total error, error by sample count, interval coverage), for
# AllocationSampled (dotnet-memline run) and for AllocationTick (dotnet-trace, then analyze).
# Not part of `dotnet test`. Needs only the .NET 10 SDK. Results: docs/accuracy.md.
# Usage: eng/accuracy.sh [--runs N] [--tick-runs M] [--keep-traces] [--work DIR]
# Default: 200 runs per mode, about 8 minutes on 2 cores; `--runs 20` is a one-minute check.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

echo "Building dotnet-memline, the accuracy target and its runner (Release)..." >&2
dotnet build src/DotnetMemLine.Cli -c Release -v quiet -nologo >&2
dotnet build eng/Accuracy/AccuracyTarget -c Release -v quiet -nologo >&2
dotnet build eng/Accuracy/AccuracyRunner -c Release -v quiet -nologo >&2
# The pinned dotnet-trace (.config/dotnet-tools.json) records the AllocationTick runs.
dotnet tool restore >&2

exec dotnet eng/Accuracy/AccuracyRunner/bin/Release/net10.0/AccuracyRunner.dll --repo "$root" "$@"
