#!/usr/bin/env bash
# Extra CI checks beyond the README's test command: the benchmark smoke run, so that the benchmarks never rot.
# (The simulator's default command runs inside tests/Simulator.Tests on a short scenario.)
# Its own "N passed, N failed" line is reworded: only .ci/run prints the closing count.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet run -c Release --project benchmarks/RotationEngine.Benchmarks -- --quick 2>&1 | tail -n 25 \
  | sed -E 's/([0-9]+) passed, ([0-9]+) failed/\1 cases ran, \2 cases broke/'
# The OpenIddict benchmark's smoke run (its own project: ASP.NET Core, OpenIddict and the sample server over HTTP).
dotnet run -c Release --project benchmarks/RotationEngine.OpenIddict.Benchmarks -- --quick 2>&1 | tail -n 12 \
  | sed -E 's/([0-9]+) passed, ([0-9]+) failed/\1 cases ran, \2 cases broke/'
# The ASP.NET Core benchmark's smoke run (its own project: the sample AuthServer over HTTP next to the engine).
dotnet run -c Release --project benchmarks/RotationEngine.AspNetCore.Benchmarks -- --quick 2>&1 | tail -n 4 \
  | sed -E 's/([0-9]+) passed, ([0-9]+) failed/\1 cases ran, \2 cases broke/'
