#!/usr/bin/env bash
# Profiles the bundled sample (samples/MessageClassifier) and prints both tables:
# ClassifyMessages (everything vectorized at once) and ClassifyMessagesChunked.
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
  -o artifacts/MessageClassifier.nettrace "$@" \
  -- dotnet samples/MessageClassifier/bin/Release/net10.0/MessageClassifier.dll
