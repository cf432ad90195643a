#!/usr/bin/env bash
# The measurements behind docs/sqlite.md, "synchronous = FULL": for the engine on the SQLite store, the store alone and
# a raw prepared UPDATE on the same schema (tests/RotationEngine.Sqlite.Child, mode bench), at NORMAL and FULL:
#   - µs per rotation, median of REPS interleaved runs (N rotations each after a warm-up);
#   - fsync/fdatasync calls per rotation (strace -f -c; a run with --count 0 is subtracted: set-up and warm-up);
#   - device write requests per rotation (/sys/block/DEV/stat, same subtraction; other processes' I/O adds noise);
#   - the size of the -wal file after the loop.
# Usage: [CHILD=path/to/RotationEngine.Sqlite.Child.dll] eng/sqlite-full-probe.sh [REPS] [N_FULL] [N_NORMAL]   (build the child first:
#   dotnet build tests/RotationEngine.Sqlite.Child -c Release). Needs strace (apt-get install strace).
set -euo pipefail
cd "$(dirname "$0")/.."
reps=${1:-5}; n_full=${2:-2000}; n_normal=${3:-20000}
child=${CHILD:-tests/RotationEngine.Sqlite.Child/bin/Release/net10.0/RotationEngine.Sqlite.Child.dll}
dir=$(mktemp -d /tmp/sqlite-full-probe-XXXXXX)
trap 'rm -rf "$dir"' EXIT
dev=$(lsblk -no PKNAME "$(df --output=source "$dir" | tail -1)" 2>/dev/null || true)
dev=${dev:-$(basename "$(df --output=source "$dir" | tail -1)")}
stat_file=/sys/block/$dev/stat
writes() { awk '{print $5}' "$stat_file"; }
run() { rm -f "$dir"/b.db*; dotnet exec "$child" bench --db "$dir/b.db" --what "$1" --sync "$2" --count "$3"; }
fsyncs() { rm -f "$dir"/b.db*; strace -f -c -e trace=fsync,fdatasync -o "$dir/strace" dotnet exec "$child" bench --db "$dir/b.db" --what "$1" --sync "$2" --count "$3" >/dev/null
  awk '$NF ~ /^(fsync|fdatasync)$/ {s += $4} END {print s + 0}' "$dir/strace"; }
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), device $dev; SQLite file in $dir"
for sync in normal full; do
  n=$([ "$sync" = full ] && echo "$n_full" || echo "$n_normal")
  declare -A times=() wal=()
  for ((r = 0; r < reps; r++)); do
    for what in engine store raw; do
      line=$(run "$what" "$sync" "$n"); times[$what]+="$(echo "$line" | awk '{print $5}') "; wal[$what]=$(echo "$line" | awk '{print $(NF-1)}')
    done
  done
  for what in engine store raw; do
    median=$(echo "${times[$what]}" | tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
    f0=$(fsyncs "$what" "$sync" 0); f1=$(fsyncs "$what" "$sync" "$n")
    w0=$(writes); run "$what" "$sync" 0 >/dev/null; w1=$(writes); run "$what" "$sync" "$n" >/dev/null; w2=$(writes)
    awk -v w="$what" -v s="$sync" -v n="$n" -v m="$median" -v all="${times[$what]}" -v f="$((f1 - f0))" -v d="$(((w2 - w1) - (w1 - w0)))" -v wal="${wal[$what]}" \
      'BEGIN {printf "%-6s %-6s median %5d µs per rotation (runs: %s) | fsync calls per rotation %.3f | device writes per rotation %.2f | WAL after loop %s KiB\n", w, s, m, all, f / n, d / n, wal}'
  done
done
