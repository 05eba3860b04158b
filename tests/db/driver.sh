#!/usr/bin/env bash
# The db drivers (src/db) against throwaway PostgreSQL and MariaDB servers: each started here as
# the unprivileged user nobody, in its own temporary data directory on a private 127.0.0.1 port,
# torn down after. Minimal and self-contained; a shared harness (scripts/testdb.sh) replaces it.
# usage: tests/db/driver.sh BIN [pg|my ...]        (BIN: the built driver_test)
#        tests/db/driver.sh ctl pg|my stop|start, ctl my hang|resume  (called by driver_test)
set -euo pipefail
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
PW='p@ss:w/rd%'            # needs percent-encoding in the URL
PW_URL='p%40ss%3Aw%2Frd%25'

pg_start() { runuser -u nobody -- "$PGBIN/pg_ctl" -D "$DBT/pg" -l "$DBT/pg.log" -w -t 30 \
    -o "-p $PG_PORT -k $DBT -c listen_addresses=127.0.0.1" start >/dev/null; }
pg_stop() { runuser -u nobody -- "$PGBIN/pg_ctl" -D "$DBT/pg" -m fast -w stop >/dev/null; }
my_start() {
    mariadbd --no-defaults --user=nobody --datadir="$DBT/my" --port="$MY_PORT" --bind-address=127.0.0.1 \
        --socket="$DBT/my.sock" --pid-file="$DBT/my.pid" --log-error="$DBT/my.log" --skip-log-bin \
        --innodb-buffer-pool-size=16M --innodb-log-file-size=8M >/dev/null 2>&1 &
    for _ in $(seq 100); do
        [ -S "$DBT/my.sock" ] && mariadb --no-defaults -S "$DBT/my.sock" -u root -e 'SELECT 1' >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    echo "driver.sh: mariadbd did not start:" >&2; tail -5 "$DBT/my.log" >&2; return 1
}
my_stop() {
    local pid; pid=$(cat "$DBT/my.pid" 2>/dev/null) || return 0
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
}

my_hang() { kill -STOP "$(cat "$DBT/my.pid")"; }
my_resume() { kill -CONT "$(cat "$DBT/my.pid")"; }

if [ "${1:-}" = ctl ]; then
    "$2_$3"
    exit
fi

bin=$1; shift
[ $# -gt 0 ] || set -- pg my
export DBT; DBT=$(mktemp -d /tmp/db-driver.XXXXXX)
chmod 755 "$DBT"; chown nobody "$DBT"
export PG_PORT=$((20000 + RANDOM % 10000)) MY_PORT=$((30000 + RANDOM % 10000))
cleanup() {
    [ -f "$DBT/pg/postmaster.pid" ] && pg_stop 2>/dev/null || true
    my_stop 2>/dev/null || true
    rm -rf "$DBT"
}
trap cleanup EXIT
status=0
for which in "$@"; do
    case $which in
    pg)
        printf '%s\n' "$PW" > "$DBT/pw"; chown nobody "$DBT/pw"
        runuser -u nobody -- "$PGBIN/initdb" -D "$DBT/pg" -U opensips --pwfile="$DBT/pw" -A scram-sha-256 \
            -E UTF8 --no-sync >/dev/null
        pg_start
        url="postgres://opensips:$PW_URL@127.0.0.1:$PG_PORT/postgres"
        ;;
    my)
        mariadb-install-db --no-defaults --user=nobody --datadir="$DBT/my" --auth-root-authentication-method=socket \
            --skip-test-db >/dev/null 2>&1 || { echo "driver.sh: mariadb-install-db failed" >&2; exit 1; }
        my_start
        mariadb --no-defaults -S "$DBT/my.sock" -u root -e "CREATE DATABASE opensips;
            CREATE USER 'opensips'@'127.0.0.1' IDENTIFIED BY '$PW'; GRANT ALL ON opensips.* TO 'opensips'@'127.0.0.1';"
        url="mysql://opensips:$PW_URL@127.0.0.1:$MY_PORT/opensips"
        ;;
    *) echo "driver.sh: unknown server $which (pg or my)" >&2; exit 2 ;;
    esac
    echo "== $which"
    "$bin" "$url" "$0 ctl $which" || status=1
done
exit $status
