#!/usr/bin/env bash
# The db drivers (src/db) against the throwaway PostgreSQL and MariaDB servers of scripts/testdb.sh
# (each in its own temporary directory on a private 127.0.0.1 port, as an unprivileged user, removed
# after). The `opensips` user's password is changed here to one that needs percent-encoding in the
# URL, so that the drivers' URL decoding meets a real server.
# usage: tests/db/driver.sh BIN [pg|my ...]        (BIN: the built driver_test; default both)
#        tests/db/driver.sh ctl pg|my stop|start|hang|resume   (driver_test calls it; TESTDB_DIR set)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
testdb=$top/scripts/testdb.sh
PW='p@ss:w/rd%'            # needs percent-encoding in the URL
PW_URL='p%40ss%3Aw%2Frd%25'

if [ "${1:-}" = ctl ]; then
    case $2 in pg) which=pg ;; my) which=mysql ;; *) echo "driver.sh: ctl takes pg or my" >&2; exit 2 ;; esac
    exec "$testdb" server "${TESTDB_DIR:?driver.sh ctl needs TESTDB_DIR}" "$which" "$3"
fi

bin=${1:?usage: tests/db/driver.sh BIN [pg|my ...]}
shift
[ $# -gt 0 ] || set -- pg my
servers=()
for which in "$@"; do
    case $which in
    pg) servers+=(pg) ;;
    my) servers+=(mysql) ;;
    *) echo "driver.sh: unknown server $which (pg or my)" >&2; exit 2 ;;
    esac
done
vars=$("$testdb" start "${servers[@]}")
eval "$vars"
export TESTDB_DIR
trap '"$testdb" stop "$TESTDB_DIR"' EXIT

status=0
for which in "$@"; do
    case $which in
    pg)
        # trust on the unix socket (its directory is the server user's only): the superuser sets it
        psql -X -q -v ON_ERROR_STOP=1 -h "$TESTDB_PG_SOCKDIR" -p "$TESTDB_PG_PORT" -U postgres -d postgres \
            -c "ALTER ROLE opensips PASSWORD '$PW'" >/dev/null
        url="postgres://opensips:$PW_URL@127.0.0.1:$TESTDB_PG_PORT/opensips"
        ;;
    my)
        mariadb --no-defaults -S "$TESTDB_MYSQL_SOCKET" -uroot \
            -e "ALTER USER 'opensips'@'%' IDENTIFIED BY '$PW'; ALTER USER 'opensips'@'localhost' IDENTIFIED BY '$PW';"
        url="mysql://opensips:$PW_URL@127.0.0.1:$TESTDB_MYSQL_PORT/opensips"
        ;;
    esac
    echo "== $which"
    "$bin" "$url" "$0 ctl $which" || status=1
done
exit $status
