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
#                                                   (default ROTATION_REDIS_CLUSTER_PORT or 22379; at most 22765)
#
# Ports: ROTATION_POSTGRES_PORT (default 25432) and ROTATION_REDIS_PORT (default 26379); the fault-injection
# tests use the next port of each. Every default (and the cluster's bus ports, +10000) lies below Linux's ephemeral
# range (32768-60999): a port in that range can be taken at any moment as the local end of some client connection,
# and the server's bind then fails with "Address already in use". Data lives under ${ROTATION_SERVERS_DIR:-/tmp/rotation-engine-servers}.
# The tests read ROTATION_POSTGRES (an Npgsql connection string) and ROTATION_REDIS (a StackExchange.Redis
# configuration string); their defaults match this script. The password is a throw-away for a loopback-only server.
set -euo pipefail

PG_PORT="${ROTATION_POSTGRES_PORT:-25432}"
REDIS_PORT="${ROTATION_REDIS_PORT:-26379}"
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

redis_ready() { [[ "$(timeout 5 redis-cli -h 127.0.0.1 -p "$1" --no-auth-warning -a "$PASSWORD" ping 2>/dev/null)" == "PONG" ]]; }

# Starts one redis-server on 127.0.0.1:PORT with data in DIR and the extra arguments, and waits until it answers.
# A failed bind is retried (twice, a second apart): with a port someone else chose, a short-lived connection may
# hold it for a moment. On failure the server's log tail is printed, so CI shows why.
redis_launch() {
    local port="$1" dir="$2" attempt i
    shift 2
    mkdir -p "$dir"
    for attempt in 1 2 3; do
        redis-server --bind 127.0.0.1 --port "$port" --dir "$dir" --daemonize yes \
            --pidfile "$dir/redis.pid" --logfile "$dir/server.log" --save '' --appendonly no \
            --requirepass "$PASSWORD" "$@" >/dev/null
        for i in $(seq 1 200); do
            if redis_ready "$port"; then
                log "Redis ready on 127.0.0.1:$port"
                return 0
            fi
            if ! grep -q 'Address already in use' "$dir/server.log" 2>/dev/null; then sleep 0.05; continue; fi
            break
        done
        log "Redis did not answer on 127.0.0.1:$port (attempt $attempt of 3); the end of $dir/server.log:"
        tail -n 5 "$dir/server.log" >&2 || true
        if [[ $attempt -lt 3 ]]; then : >"$dir/server.log"; sleep 1; fi
    done
    return 1
}

redis_start() {
    local port="$1"
    if redis_ready "$port"; then
        log "Redis already answers on 127.0.0.1:$port"
        return 0
    fi
    # No save points and no AOF; SHUTDOWN SAVE (restart-one) writes dump.rdb, which the next start loads.
    redis_launch "$port" "$BASE_DIR/redis-$port" --dbfilename dump.rdb
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

CLUSTER_PORT="${ROTATION_REDIS_CLUSTER_PORT:-22379}"

cluster_start() {
    local first="$1" port nodes=()
    for port in "$first" "$((first + 1))" "$((first + 2))"; do
        if ! redis_ready "$port"; then
            redis_launch "$port" "$BASE_DIR/redis-cluster-$port" --cluster-enabled yes --cluster-config-file nodes.conf \
                --masterauth "$PASSWORD"
        fi
        nodes+=("127.0.0.1:$port")
    done
    if ! redis_cli "$first" cluster info 2>/dev/null | grep -q 'cluster_state:ok'; then
        redis-cli --no-auth-warning -a "$PASSWORD" --cluster create "${nodes[@]}" --cluster-yes >/dev/null
    fi
    # Every node must see the cluster as ok (the state spreads by gossip): a client may talk to any of them.
    local i ok
    for i in $(seq 1 300); do
        ok=0
        for port in "$first" "$((first + 1))" "$((first + 2))"; do
            if redis_cli "$port" cluster info 2>/dev/null | grep -q 'cluster_state:ok'; then ok=$((ok + 1)); fi
        done
        if [[ $ok -eq 3 ]]; then break; fi
        sleep 0.1
    done
    if [[ $ok -ne 3 ]]; then
        log "Redis Cluster on 127.0.0.1:$first-$((first + 2)) did not reach cluster_state:ok on every node"
        return 1
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
