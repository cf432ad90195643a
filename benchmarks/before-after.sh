#!/usr/bin/env bash
# Measures the in-memory scenarios against the core at an older commit and against the current core, in one
# BenchmarkDotNet run (two jobs, "Before" and "After"; before-after.md divides them, each job also against the CPU limit).
# Usage: benchmarks/before-after.sh [COMMIT]   (default: the core as it was before the "core: perf:" commits)
# Writes benchmarks/results/before-after-*.md.
set -euo pipefail
root=$(git rev-parse --show-toplevel)
cd "$root"
if [ $# -ge 1 ]; then
  base=$1
else
  first_perf=$(git log --reverse --format=%H --grep='^core: perf:' | head -n 1)
  [ -n "$first_perf" ] || { echo "no 'core: perf:' commit found; name the base commit" >&2; exit 2; }
  base="$first_perf^"
fi
tree=$(mktemp -d)
# The host is built without the SQLite store for this run; rebuild it as usual afterwards.
trap 'rm -rf "$tree"; dotnet build -c Release benchmarks/RotationEngine.Benchmarks >/dev/null 2>&1 || true' EXIT
git archive "$base" | tar -x -C "$tree"
echo "before: core at $(git rev-parse --short "$base"); after: the working tree"
dotnet run -c Release --project benchmarks/RotationEngine.Benchmarks -p:WithSqliteStore=false -- \
  --before-after "$tree/src/RotationEngine/RotationEngine.csproj"
