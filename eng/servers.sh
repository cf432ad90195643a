#!/usr/bin/env bash
# Throw-away PostgreSQL and Redis servers for the store tests, on 127.0.0.1 only.
#
#   eng/servers.sh start              install (apt-get) if absent, start both, wait until ready, print settings
#   eng/servers.sh stop               stop both and delete their data directories
#   eng/servers.sh env                print the settings the tests read (eval "$(eng/servers.sh env)")
#   eng/servers.sh start-one  postgres|redis PORT   one extra instance (the fault-injection tests use these)
#   eng/servers.sh restart-one postgres|redis PORT  restart it, keeping its data (PostgreSQL: fast shutdown;
#                                                   Redis: SHUTDOWN SAVE, so families survive but scripts do not)
#   eng/servers.sh stop-one   postgres|redis PORT   stop it and delete its data
#   eng/servers.sh start-cluster|stop-cluster [PORT] a three-master Redis Cluster on PORT..PORT+2
#                                                   (default ROTATION_REDIS_CLUSTER_PORT or 42379; at most 55535)
#
# Ports: ROTATION_POSTGRES_PORT (default 55432) and ROTATION_REDIS_PORT (default 56379); the fault-injection
# tests use the next port of each. Data lives under ${ROTATION_SERVERS_DIR:-/tmp/rotation-engine-servers}.
# The tests read ROTATION_POSTGRES (an Npgsql connection string) and ROTATION_REDIS (a StackExchange.Redis
# configuration string); their defaults match this script. The password is a throw-away for a loopback-only server.
set -euo pipefail

PG_PORT="${ROTATION_POSTGRES_PORT:-55432}"
REDIS_PORT="${ROTATION_REDIS_PORT:-56379}"
BASE_DIR="${ROTATION_SERVERS_DIR:-/tmp/rotation-engine-servers}"
PASSWORD="rotation-engine-test"

log() { echo "servers.sh: $*" >&2; }

pg_bin() {
    local dir
    for dir in /usr/lib/postgresql/*/bin; do
        if [[ -x "$dir/initdb" ]]; then
            echo "$dir"
            return 0
        fi
    done
    return 1
}

apt_updated=0
apt_install() {
    if [[ $apt_updated -eq 0 ]]; then
        log "apt-get update"
        DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
        apt_updated=1
    fi
    log "apt-get install $*"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2
}

ensure_installed() {
    if ! pg_bin >/dev/null; then
        apt_install postgresql
    fi
    if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
        apt_install redis-server
    fi
}

# Runs a command as the postgres user when we are root (initdb and the server refuse to run as root).
as_pg() {
    if [[ $(id -u) -eq 0 ]]; then
        su postgres -s /bin/bash -c "$*"
    else
        bash -c "$*"
    fi
}

pg_ready() { "$(pg_bin)/pg_isready" -q -h 127.0.0.1 -p "$1" >/dev/null 2>&1; }

pg_start() {
    local port="$1" dir="$BASE_DIR/postgres-$1" bin
    bin="$(pg_bin)"
    if pg_ready "$port"; then
        log "PostgreSQL already answers on 127.0.0.1:$port"
        return 0
    fi
    if [[ ! -f "$dir/data/PG_VERSION" ]]; then
        rm -rf "$dir"
        mkdir -p "$dir/data"
        printf '%s\n' "$PASSWORD" >"$dir/pwfile"
        if [[ $(id -u) -eq 0 ]]; then chown -R postgres: "$dir"; fi
        as_pg "'$bin/initdb' -D '$dir/data' -U postgres --auth=scram-sha-256 --pwfile='$dir/pwfile' -E UTF8 --no-locale >'$dir/initdb.log' 2>&1"
        rm -f "$dir/pwfile"
    fi
    # Durability settings are off: these are throw-away test servers.
    as_pg "'$bin/pg_ctl' -D '$dir/data' -l '$dir/server.log' -w -t 60 \
        -o \"-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories='$dir' -c max_connections=200 \
        -c fsync=off -c synchronous_commit=off -c full_page_writes=off\" start >/dev/null"
    log "PostgreSQL ready on 127.0.0.1:$port"
}

pg_restart() {
    local port="$1" dir="$BASE_DIR/postgres-$1"
    as_pg "'$(pg_bin)/pg_ctl' -D '$dir/data' -m fast -w -t 60 stop >/dev/null"
    pg_start "$port"
}

pg_stop() {
    local port="$1" dir="$BASE_DIR/postgres-$1"
    if [[ -f "$dir/data/postmaster.pid" ]]; then
        as_pg "'$(pg_bin)/pg_ctl' -D '$dir/data' -m fast -w -t 60 stop >/dev/null" || true
        log "PostgreSQL on 127.0.0.1:$port stopped"
    fi
    rm -rf "$dir"
}

redis_cli() { redis-cli -h 127.0.0.1 -p "$1" --no-auth-warning -a "$PASSWORD" "${@:2}"; }

redis_ready() { [[ "$(redis_cli "$1" ping 2>/dev/null)" == "PONG" ]]; }

redis_start() {
    local port="$1" dir="$BASE_DIR/redis-$1" i
    if redis_ready "$port"; then
        log "Redis already answers on 127.0.0.1:$port"
        return 0
    fi
    mkdir -p "$dir"
    # No save points and no AOF; SHUTDOWN SAVE (restart-one) writes dump.rdb, which the next start loads.
    redis-server --bind 127.0.0.1 --port "$port" --dir "$dir" --dbfilename dump.rdb --daemonize yes \
        --pidfile "$dir/redis.pid" --logfile "$dir/server.log" --save '' --appendonly no \
        --requirepass "$PASSWORD" >/dev/null
    for i in $(seq 1 200); do
        if redis_ready "$port"; then
            log "Redis ready on 127.0.0.1:$port"
            return 0
        fi
        sleep 0.05
    done
    log "Redis did not answer on 127.0.0.1:$port; see $dir/server.log"
    return 1
}

redis_wait_down() {
    local port="$1" i
    for i in $(seq 1 200); do
        if ! redis_ready "$port"; then return 0; fi
        sleep 0.05
    done
    return 1
}

redis_restart() {
    local port="$1"
    redis_cli "$port" shutdown save >/dev/null 2>&1 || true
    redis_wait_down "$port"
    redis_start "$port"
}

redis_stop() {
    local port="$1" dir="$BASE_DIR/redis-$1"
    if redis_ready "$port"; then
        redis_cli "$port" shutdown nosave >/dev/null 2>&1 || true
        redis_wait_down "$port"
        log "Redis on 127.0.0.1:$port stopped"
    fi
    rm -rf "$dir"
}

CLUSTER_PORT="${ROTATION_REDIS_CLUSTER_PORT:-42379}"

cluster_start() {
    local first="$1" port nodes=()
    for port in "$first" "$((first + 1))" "$((first + 2))"; do
        if ! redis_ready "$port"; then
            mkdir -p "$BASE_DIR/redis-cluster-$port"
            redis-server --bind 127.0.0.1 --port "$port" --dir "$BASE_DIR/redis-cluster-$port" --daemonize yes \
                --pidfile "$BASE_DIR/redis-cluster-$port/redis.pid" --logfile "$BASE_DIR/redis-cluster-$port/server.log" \
                --save '' --appendonly no --cluster-enabled yes --cluster-config-file nodes.conf \
                --requirepass "$PASSWORD" --masterauth "$PASSWORD" >/dev/null
        fi
        nodes+=("127.0.0.1:$port")
    done
    for port in "$first" "$((first + 1))" "$((first + 2))"; do
        local i
        for i in $(seq 1 200); do
            if redis_ready "$port"; then break; fi
            sleep 0.05
        done
    done
    if ! redis_cli "$first" cluster info 2>/dev/null | grep -q 'cluster_state:ok'; then
        redis-cli --no-auth-warning -a "$PASSWORD" --cluster create "${nodes[@]}" --cluster-yes >/dev/null
        local i
        for i in $(seq 1 100); do
            if redis_cli "$first" cluster info 2>/dev/null | grep -q 'cluster_state:ok'; then break; fi
            sleep 0.1
        done
    fi
    log "Redis Cluster ready on 127.0.0.1:$first-$((first + 2))"
}

cluster_stop() {
    local first="$1" port
    for port in "$first" "$((first + 1))" "$((first + 2))"; do
        if redis_ready "$port"; then
            redis_cli "$port" shutdown nosave >/dev/null 2>&1 || true
            redis_wait_down "$port"
        fi
        rm -rf "$BASE_DIR/redis-cluster-$port"
    done
}

print_env() {
    echo "export ROTATION_POSTGRES='Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Password=$PASSWORD;Database=postgres'"
    echo "export ROTATION_REDIS='127.0.0.1:$REDIS_PORT,password=$PASSWORD'"
}

one() {
    local action="$1" kind="${2:-}" port="${3:-}"
    if [[ -z "$kind" || -z "$port" ]]; then
        log "usage: servers.sh $action postgres|redis PORT"
        exit 2
    fi
    case "$kind" in
        postgres) "pg_$action" "$port" ;;
        redis) "redis_$action" "$port" ;;
        *) log "unknown server '$kind' (postgres or redis)"; exit 2 ;;
    esac
}

case "${1:-}" in
    start)
        ensure_installed
        mkdir -p "$BASE_DIR"
        chmod 755 "$BASE_DIR"
        pg_start "$PG_PORT"
        redis_start "$REDIS_PORT"
        print_env
        ;;
    stop)
        if pg_bin >/dev/null; then pg_stop "$PG_PORT"; pg_stop "$((PG_PORT + 1))"; fi
        if command -v redis-cli >/dev/null; then
            redis_stop "$REDIS_PORT"
            redis_stop "$((REDIS_PORT + 1))"
            cluster_stop "$CLUSTER_PORT"
        fi
        ;;
    env) print_env ;;
    start-one) ensure_installed; mkdir -p "$BASE_DIR"; chmod 755 "$BASE_DIR"; one start "${2:-}" "${3:-}" ;;
    restart-one) one restart "${2:-}" "${3:-}" ;;
    stop-one) one stop "${2:-}" "${3:-}" ;;
    start-cluster) ensure_installed; mkdir -p "$BASE_DIR"; chmod 755 "$BASE_DIR"; cluster_start "${2:-$CLUSTER_PORT}" ;;
    stop-cluster) cluster_stop "${2:-$CLUSTER_PORT}" ;;
    *)
        echo "usage: eng/servers.sh start|stop|env|start-one|restart-one|stop-one [postgres|redis PORT]|start-cluster|stop-cluster [PORT]" >&2
        exit 2
        ;;
esac
