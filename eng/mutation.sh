#!/usr/bin/env bash
# Mutation testing with Stryker.NET (docs/mutation.md). Slow (tens of minutes per target on 2 cores): CI runs it only
# when ROTATION_MUTATION=1.
#
#   eng/mutation.sh [core|sqlite|postgres|redis|all ...]     default: core
#
# Each target has a stryker config next to its test project. Reports (HTML, JSON, Markdown) go to
# StrykerOutput/<target>/reports/. Exits non-zero when a target's score is below its "break" threshold
# (the core's is 90%) or Stryker fails. postgres and redis need the servers: started here (eng/servers.sh) unless
# ROTATION_POSTGRES / ROTATION_REDIS are already set.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then targets=(core); fi
if [[ " ${targets[*]} " == *" all "* ]]; then targets=(core sqlite postgres redis); fi

dotnet tool restore >/dev/null

servers_started=0
need_servers() {
    if [[ $servers_started -eq 0 && ( -z "${ROTATION_POSTGRES:-}" || -z "${ROTATION_REDIS:-}" ) ]]; then
        # shellcheck disable=SC1090
        source <(eng/servers.sh start)
        servers_started=1
        trap 'eng/servers.sh stop >/dev/null 2>&1 || true' EXIT
    fi
}

status=0
for target in "${targets[@]}"; do
    case "$target" in
        core) dir=tests/RotationEngine.Tests; config=stryker-config.json ;;
        sqlite) dir=tests/RotationEngine.Sqlite.Tests; config=stryker-config.json ;;
        postgres) need_servers; dir=tests/RotationEngine.Servers.Tests; config=stryker-postgres.json ;;
        redis) need_servers; dir=tests/RotationEngine.Servers.Tests; config=stryker-redis.json ;;
        *) echo "mutation.sh: unknown target '$target' (core, sqlite, postgres, redis or all)" >&2; exit 2 ;;
    esac
    echo "== mutation testing: $target ($dir/$config)"
    if ! (cd "$dir" && nice -n 10 dotnet dotnet-stryker --config-file "$config" --output "$root/StrykerOutput/$target"); then
        echo "mutation.sh: $target failed or scored below its break threshold" >&2
        status=1
    fi
done
exit $status
