#!/usr/bin/env bash
# Profiles the bundled sample (samples/MessageClassifier) and prints both tables:
# ClassifyMessages (everything vectorized at once) and ClassifyMessagesChunked, in the seed's order;
# --gc-every 0.2 has the program run a full GC every 0.2 s so what each line holds is seen.
# Needs only the .NET 10 SDK. Usage: eng/demo.sh [extra dotnet-memline options]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

echo "Building dotnet-memline and the sample (Release)..." >&2
dotnet build src/DotnetMemLine.Cli -c Release -v quiet -nologo >&2
dotnet build samples/MessageClassifier -c Release -v quiet -nologo >&2

mkdir -p artifacts
exec dotnet src/DotnetMemLine.Cli/bin/Release/net10.0/dotnet-memline.dll run \
  --method ClassifyMessages --method ClassifyMessagesChunked \
  --gc-every 0.2 -o artifacts/MessageClassifier.nettrace "$@" \
  -- dotnet samples/MessageClassifier/bin/Release/net10.0/MessageClassifier.dll
