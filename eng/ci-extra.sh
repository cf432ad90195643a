#!/usr/bin/env bash
# Extra CI checks beyond the README's test command: the benchmark smoke run, so that the benchmarks never rot.
# (The simulator's default command runs inside tests/Simulator.Tests on a short scenario.)
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet run -c Release --project benchmarks/RotationEngine.Benchmarks -- --quick 2>&1 | tail -n 25
