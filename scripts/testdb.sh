#!/usr/bin/env bash
# Throwaway PostgreSQL and MariaDB servers for the tests: each in its own data directory under one
# fresh temporary directory, on a private TCP port on 127.0.0.1 and a unix socket in that directory,
# run as an unprivileged user, with a database `opensips`, a read-write user `opensips` and a
# read-only user `opensipsro`. Nothing is reused between runs except the installed packages.
#
# usage:
#   scripts/testdb.sh install                  install the Debian packages (postgresql, mariadb-server)
#   scripts/testdb.sh start [--json] [pg] [mysql]
#                                              start them (both when none is named); prints shell
#                                              assignments (eval "$(scripts/testdb.sh start)") or JSON
#   scripts/testdb.sh stop DIR                 stop the servers started in DIR and remove DIR
#   scripts/testdb.sh run [pg] [mysql] -- CMD...
#                                              start, run CMD with the variables exported, stop; exits
#                                              with CMD's status
#   scripts/testdb.sh server DIR pg|mysql stop|start|hang|resume
#                                              stop or start again (same data, port and socket) one
#                                              server of DIR; hang/resume: SIGSTOP/SIGCONT MariaDB,
#                                              which then accepts connections and never answers
#
# Variables printed (and exported by `run`):
#   TESTDB_DIR            the temporary directory (give it to `stop`)
#   TESTDB_PG_URL         postgres://opensips:PASS@127.0.0.1:PORT/opensips
#   TESTDB_PG_RO_URL      the same for opensipsro
#   TESTDB_PG_PORT, TESTDB_PG_SOCKDIR (the unix socket's directory), TESTDB_PG_START_MS
#   TESTDB_MYSQL_URL      mysql://opensips:PASS@127.0.0.1:PORT/opensips
#   TESTDB_MYSQL_RO_URL   the same for opensipsro
#   TESTDB_MYSQL_PORT, TESTDB_MYSQL_SOCKET, TESTDB_MYSQL_START_MS
#   TESTDB_PASSWORD, TESTDB_RO_PASSWORD
# Settings (environment):
#   TESTDB_PASSWORD      the `opensips` user's password (default opensipsrw, OpenSIPS's own default)
#   TESTDB_RO_PASSWORD   the `opensipsro` user's password (default opensipsro)
#   TESTDB_USER          the system user the servers run as when started by root
#                        (default opensips-mcp-test, created with useradd --system when absent)
#   TESTDB_TIMEOUT       seconds to wait for a server to accept connections (default 60)
#   TMPDIR               where the temporary directory is made (default /tmp)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)

PASS=${TESTDB_PASSWORD:-opensipsrw}
RO_PASS=${TESTDB_RO_PASSWORD:-opensipsro}
RUN_USER=${TESTDB_USER:-opensips-mcp-test}
TIMEOUT=${TESTDB_TIMEOUT:-60}

die() { echo "testdb: error: $*" >&2; exit 1; }
now_ms() { date +%s%3N; }

# Passwords go into SQL string literals and URLs: keep them to characters that need no quoting.
for p in "$PASS" "$RO_PASS"; do
    [[ $p =~ ^[A-Za-z0-9._-]{1,64}$ ]] ||
        die "TESTDB_PASSWORD and TESTDB_RO_PASSWORD take 1 to 64 of A-Z a-z 0-9 . _ -"
done
[[ $TIMEOUT =~ ^[0-9]{1,4}$ && $TIMEOUT -gt 0 ]] || die "TESTDB_TIMEOUT takes whole seconds, 1 to 9999"

pg_bindir() {
    local d
    d=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n1)
    [ -n "$d" ] && [ -x "$d/initdb" ] || return 1
    echo "$d"
}
mysql_bin() {
    local b
    for b in mariadbd mysqld; do command -v "$b" && return 0; done
    for b in /usr/sbin/mariadbd /usr/sbin/mysqld; do [ -x "$b" ] && { echo "$b"; return 0; }; done
    return 1
}

install() {
    "$top/scripts/apt-install.sh" testdb postgresql mariadb-server
}

# as_user CMD...: run CMD as the unprivileged user when we are root, else as ourselves. setpriv
# execs CMD in place (no PAM session, no parent left behind), so a pid taken from $! is the server's.
as_user() {
    if [ "$(id -u)" = 0 ]; then
        setpriv --reuid="$RUN_USER" --regid="$RUN_USER" --init-groups -- "$@"
    else
        "$@"
    fi
}

ensure_user() {
    [ "$(id -u)" = 0 ] || return 0
    id -u "$RUN_USER" >/dev/null 2>&1 && return 0
    useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$RUN_USER" ||
        id -u "$RUN_USER" >/dev/null 2>&1 || die "cannot create the system user $RUN_USER"
}

# A TCP port on 127.0.0.1 that nothing listens on now (the server binding it is the real test).
free_port() {
    local p
    for _ in $(seq 1 50); do
        p=$((20000 + RANDOM % 40000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return 0; fi
    done
    die "no free TCP port found on 127.0.0.1 in 50 tries"
}

# pg_launch BIN DIR PORT: pg_ctl start on DIR's data directory (0, or pg_ctl's failure).
pg_launch() {
    local bin=$1 d=$2 port=$3
    rm -f "$d/server.log"
    as_user "$bin/pg_ctl" -D "$d/data" -l "$d/server.log" -s -w -t "$TIMEOUT" \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $d/run -c unix_socket_permissions=0700 -c fsync=off -c full_page_writes=off -c synchronous_commit=off -c max_connections=50 -c shared_buffers=16MB" \
        start >/dev/null 2>&1
}
pg_wait() {
    local bin=$1 d=$2 port=$3 deadline
    deadline=$(( $(date +%s) + TIMEOUT ))
    until as_user "$bin/pg_isready" -q -h "$d/run" -p "$port"; do
        [ "$(date +%s)" -lt "$deadline" ] || die "PostgreSQL does not accept connections after ${TIMEOUT}s"
        sleep 0.05
    done
}

start_pg() {
    local bin t0 port d=$dir/pg
    bin=$(pg_bindir) || die "no PostgreSQL server (/usr/lib/postgresql/*/bin/initdb); run: scripts/testdb.sh install"
    t0=$(now_ms)
    port=$(free_port)
    mkdir "$d" "$d/run"
    chmod 0700 "$d/run"
    [ "$(id -u)" = 0 ] && chown "$RUN_USER" "$d" "$d/run"
    # trust on the unix socket (only this user can reach the directory), passwords over TCP.
    as_user "$bin/initdb" -D "$d/data" -U postgres -E UTF8 --locale=C --no-sync \
        --auth-local=trust --auth-host=scram-sha-256 >"$d/initdb.log" 2>&1 ||
        { cat "$d/initdb.log" >&2; die "PostgreSQL initdb failed (log above)"; }
    # The port was free when picked; another process may take it first: up to 3 ports are tried.
    local try
    for try in 1 2 3; do
        pg_launch "$bin" "$d" "$port" && break
        if [ $try -lt 3 ] && grep -q 'could not bind\|could not create any TCP/IP sockets' "$d/server.log" 2>/dev/null; then
            port=$(free_port)
            continue
        fi
        cat "$d/server.log" >&2 2>/dev/null
        die "PostgreSQL did not start on port $port (log above)"
    done
    echo "$port" >"$d/port"
    pg_wait "$bin" "$d" "$port"
    as_user "$bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$d/run" -p "$port" -U postgres -d postgres >"$d/setup.log" 2>&1 <<SQL ||
CREATE ROLE opensips LOGIN PASSWORD '$PASS';
CREATE ROLE opensipsro LOGIN PASSWORD '$RO_PASS';
CREATE DATABASE opensips OWNER opensips;
\c opensips
GRANT CONNECT ON DATABASE opensips TO opensipsro;
GRANT USAGE ON SCHEMA public TO opensipsro;
ALTER DEFAULT PRIVILEGES FOR ROLE opensips IN SCHEMA public GRANT SELECT ON TABLES TO opensipsro;
SQL
        { cat "$d/setup.log" >&2; die "PostgreSQL: creating the opensips database and users failed"; }
    echo "$bin" >"$d/bindir"
    PG_PORT=$port PG_SOCKDIR=$d/run PG_MS=$(( $(now_ms) - t0 ))
}

# my_launch BIN DIR PORT: mariadbd on DIR's data directory in the background, its pid in
# DIR/launcher.pid (as_user execs it in place: the pid is the server's).
my_launch() {
    local bin=$1 d=$2 port=$3
    rm -f "$d/server.log"
    as_user "$bin" --no-defaults --datadir="$d/data" --socket="$d/run/mysqld.sock" --port="$port" \
        --bind-address=127.0.0.1 --pid-file="$d/run/mysqld.pid" --log-error="$d/server.log" \
        --skip-name-resolve --skip-log-bin --innodb-buffer-pool-size=32M --innodb-log-file-size=16M \
        --innodb-flush-log-at-trx-commit=0 --innodb-doublewrite=0 --skip-innodb-adaptive-hash-index \
        --max-connections=50 --character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci \
        </dev/null >/dev/null 2>&1 &
    echo "$!" >"$d/launcher.pid"
}

# my_pid DIR: the running MariaDB's pid, or nothing.
my_pid() {
    local pid=
    [ -f "$1/run/mysqld.pid" ] && pid=$(cat "$1/run/mysqld.pid" 2>/dev/null || true)
    [ -n "$pid" ] || { [ -f "$1/launcher.pid" ] && pid=$(cat "$1/launcher.pid"); } || true
    if [[ ${pid:-} =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null; then echo "$pid"; fi
}

# my_stop DIR: TERM, up to 10 s, then KILL.
my_stop() {
    local pid
    pid=$(my_pid "$1")
    [ -n "$pid" ] || return 0
    kill -CONT "$pid" 2>/dev/null || true   # a hung (stopped) server cannot act on TERM
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 200); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.05; done
    kill -KILL "$pid" 2>/dev/null || true
}

# server DIR pg|mysql stop|start|hang|resume (see the usage above).
server() {
    local top_d=$1 which=$2 what=$3 d bin port deadline
    [ -f "$top_d/.testdb" ] || die "$top_d was not made by scripts/testdb.sh start (no .testdb in it)"
    case $which in
    pg | postgres | postgresql)
        d=$top_d/pg
        [ -f "$d/bindir" ] || die "no PostgreSQL was started in $top_d"
        bin=$(cat "$d/bindir") port=$(cat "$d/port")
        case $what in
        stop) as_user "$bin/pg_ctl" -D "$d/data" -s -m fast -w -t "$TIMEOUT" stop >/dev/null ;;
        start)
            pg_launch "$bin" "$d" "$port" || { cat "$d/server.log" >&2; die "PostgreSQL did not start again (log above)"; }
            pg_wait "$bin" "$d" "$port"
            ;;
        *) die "server pg takes stop or start, not '$what'" ;;
        esac
        ;;
    mysql | mariadb)
        d=$top_d/mysql
        [ -f "$d/port" ] || die "no MariaDB was started in $top_d"
        port=$(cat "$d/port")
        case $what in
        stop) my_stop "$d" ;;
        start)
            bin=$(mysql_bin) || die "no MariaDB server (mariadbd)"
            my_launch "$bin" "$d" "$port"
            deadline=$(( $(date +%s) + TIMEOUT ))
            until mariadb-admin --no-defaults -S "$d/run/mysqld.sock" -uroot --connect-timeout=1 ping >/dev/null 2>&1; do
                kill -0 "$(cat "$d/launcher.pid")" 2>/dev/null || { cat "$d/server.log" >&2; die "MariaDB did not start again (log above)"; }
                [ "$(date +%s)" -lt "$deadline" ] || die "MariaDB does not accept connections after ${TIMEOUT}s"
                sleep 0.05
            done
            ;;
        hang | resume)
            local pid
            pid=$(my_pid "$d")
            [ -n "$pid" ] || die "MariaDB of $top_d is not running"
            kill "-$([ "$what" = hang ] && echo STOP || echo CONT)" "$pid"
            ;;
        *) die "server mysql takes stop, start, hang or resume, not '$what'" ;;
        esac
        ;;
    *) die "server takes pg or mysql, not '$which'" ;;
    esac
}

start_mysql() {
    local bin t0 port d=$dir/mysql pid deadline sock
    bin=$(mysql_bin) || die "no MariaDB server (mariadbd); run: scripts/testdb.sh install"
    command -v mariadb-install-db >/dev/null || die "no mariadb-install-db; run: scripts/testdb.sh install"
    t0=$(now_ms)
    port=$(free_port)
    sock=$d/run/mysqld.sock
    mkdir "$d" "$d/run"
    chmod 0700 "$d/run"     # root@localhost has no password: only the socket's owner (and root) get in
    [ "$(id -u)" = 0 ] && chown "$RUN_USER" "$d" "$d/run"
    as_user mariadb-install-db --no-defaults --datadir="$d/data" --auth-root-authentication-method=normal \
        --skip-test-db --skip-name-resolve >"$d/install.log" 2>&1 ||
        { cat "$d/install.log" >&2; die "mariadb-install-db failed (log above)"; }
    # Started as the unprivileged user directly (not --user from root): the process and its files
    # belong to it either way, and stop needs only its pid.
    local try
    for try in 1 2 3; do
        my_launch "$bin" "$d" "$port"
        pid=$(cat "$d/launcher.pid")
        deadline=$(( $(date +%s) + TIMEOUT ))
        until mariadb-admin --no-defaults -S "$sock" -uroot --connect-timeout=1 ping >/dev/null 2>&1; do
            if ! kill -0 "$pid" 2>/dev/null; then
                # The port was free when picked; another process may take it first: up to 3 are tried.
                if [ $try -lt 3 ] && grep -q 'Can.t start server: Bind on TCP/IP port' "$d/server.log" 2>/dev/null; then
                    port=$(free_port)
                    continue 2
                fi
                cat "$d/server.log" >&2 2>/dev/null
                die "MariaDB exited before accepting connections (log above)"
            fi
            [ "$(date +%s)" -lt "$deadline" ] || die "MariaDB does not accept connections after ${TIMEOUT}s"
            sleep 0.05
        done
        break
    done
    echo "$port" >"$d/port"
    # mariadb-install-db also makes password-less root@127.0.0.1, @::1 and @hostname, which any local
    # user could reach over TCP: only root on the socket stays.
    mariadb --no-defaults -S "$sock" -uroot >"$d/setup.log" 2>&1 <<SQL ||
DELETE FROM mysql.global_priv WHERE User = 'root' AND Host <> 'localhost';
FLUSH PRIVILEGES;
CREATE DATABASE opensips;
CREATE USER 'opensips'@'%' IDENTIFIED BY '$PASS';
CREATE USER 'opensips'@'localhost' IDENTIFIED BY '$PASS';
CREATE USER 'opensipsro'@'%' IDENTIFIED BY '$RO_PASS';
CREATE USER 'opensipsro'@'localhost' IDENTIFIED BY '$RO_PASS';
GRANT ALL PRIVILEGES ON opensips.* TO 'opensips'@'%', 'opensips'@'localhost';
GRANT SELECT ON opensips.* TO 'opensipsro'@'%', 'opensipsro'@'localhost';
SQL
        { cat "$d/setup.log" >&2; die "MariaDB: creating the opensips database and users failed"; }
    MY_PORT=$port MY_SOCK=$sock MY_MS=$(( $(now_ms) - t0 ))
}

stop() {
    local d=$1 pid bin
    [ -n "$d" ] || die "stop needs the directory that start printed (TESTDB_DIR)"
    [ -d "$d" ] || return 0
    [ -f "$d/.testdb" ] || die "$d was not made by scripts/testdb.sh start (no .testdb in it); not removing it"
    if [ -f "$d/pg/bindir" ] && [ -f "$d/pg/data/postmaster.pid" ]; then
        bin=$(cat "$d/pg/bindir")
        as_user "$bin/pg_ctl" -D "$d/pg/data" -s -m immediate -w -t 20 stop >/dev/null 2>&1 || {
            pid=$(head -n1 "$d/pg/data/postmaster.pid" 2>/dev/null || true)
            if [[ $pid =~ ^[0-9]+$ ]]; then kill -KILL "$pid" 2>/dev/null || true; fi
        }
    fi
    [ -d "$d/mysql" ] && my_stop "$d/mysql"
    # pg_ctl returns when the postmaster is gone; its children may take a moment longer. Wait (at
    # most 5 s) until no process names this directory, so a caller that checks finds nothing left.
    for _ in $(seq 1 100); do
        pgrep -f -- "$d/" >/dev/null 2>&1 || break
        sleep 0.05
    done
    rm -rf -- "$d"
}

print_vars() {
    local json=$1 k v first=1
    local -a names=(TESTDB_DIR)
    if [ -n "${PG_PORT:-}" ]; then
        names+=(TESTDB_PG_URL TESTDB_PG_RO_URL TESTDB_PG_PORT TESTDB_PG_SOCKDIR TESTDB_PG_START_MS)
    fi
    if [ -n "${MY_PORT:-}" ]; then
        names+=(TESTDB_MYSQL_URL TESTDB_MYSQL_RO_URL TESTDB_MYSQL_PORT TESTDB_MYSQL_SOCKET TESTDB_MYSQL_START_MS)
    fi
    names+=(TESTDB_PASSWORD TESTDB_RO_PASSWORD)
    [ "$json" = 1 ] && printf '{'
    for k in "${names[@]}"; do
        v=${!k}
        if [ "$json" = 1 ]; then
            [ $first = 1 ] || printf ','
            first=0
            printf '"%s":"%s"' "$k" "$v"      # values are paths, ports and URLs without quotes
        else
            printf '%s=%q\n' "$k" "$v"
        fi
    done
    [ "$json" = 1 ] && printf '}\n'
    return 0
}

do_start() {
    local json=0 want_pg=0 want_my=0 a
    for a in "$@"; do
        case $a in
        --json) json=1 ;;
        pg | postgres | postgresql) want_pg=1 ;;
        mysql | mariadb) want_my=1 ;;
        *) die "start takes --json, pg and mysql, not '$a'" ;;
        esac
    done
    [ $want_pg = 1 ] || [ $want_my = 1 ] || { want_pg=1; want_my=1; }
    ensure_user
    dir=$(mktemp -d "${TMPDIR:-/tmp}/opensips-mcp-testdb.XXXXXX")
    touch "$dir/.testdb"
    chmod 0755 "$dir"
    # On any failure (die exits, set -e exits, a signal), leave nothing running and nothing on disk.
    trap 'rc=$?; [ $rc = 0 ] || stop "$dir" 2>/dev/null || true' EXIT
    trap 'exit 1' INT TERM
    if [ $want_pg = 1 ]; then start_pg; fi
    if [ $want_my = 1 ]; then start_mysql; fi
    trap - EXIT INT TERM
    # shellcheck disable=SC2034  # read through ${!k} in print_vars
    TESTDB_DIR=$dir TESTDB_PASSWORD=$PASS TESTDB_RO_PASSWORD=$RO_PASS
    # shellcheck disable=SC2034  # read through ${!k} in print_vars
    if [ -n "${PG_PORT:-}" ]; then
        TESTDB_PG_URL=postgres://opensips:$PASS@127.0.0.1:$PG_PORT/opensips
        TESTDB_PG_RO_URL=postgres://opensipsro:$RO_PASS@127.0.0.1:$PG_PORT/opensips
        TESTDB_PG_PORT=$PG_PORT TESTDB_PG_SOCKDIR=$PG_SOCKDIR TESTDB_PG_START_MS=$PG_MS
    fi
    # shellcheck disable=SC2034  # read through ${!k} in print_vars
    if [ -n "${MY_PORT:-}" ]; then
        TESTDB_MYSQL_URL=mysql://opensips:$PASS@127.0.0.1:$MY_PORT/opensips
        TESTDB_MYSQL_RO_URL=mysql://opensipsro:$RO_PASS@127.0.0.1:$MY_PORT/opensips
        TESTDB_MYSQL_PORT=$MY_PORT TESTDB_MYSQL_SOCKET=$MY_SOCK TESTDB_MYSQL_START_MS=$MY_MS
    fi
    print_vars "$json" >"$dir/env"
    cat "$dir/env"
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case $cmd in
install) install ;;
start) do_start "$@" ;;
stop) [ $# = 1 ] || die "usage: scripts/testdb.sh stop DIR"; stop "$1" ;;
server) [ $# = 3 ] || die "usage: scripts/testdb.sh server DIR pg|mysql stop|start|hang|resume"; server "$@" ;;
run)
    args=()
    while [ $# -gt 0 ] && [ "$1" != -- ]; do args+=("$1"); shift; done
    [ "${1:-}" = -- ] && shift
    [ $# -gt 0 ] || die "usage: scripts/testdb.sh run [pg] [mysql] -- CMD..."
    vars=$(do_start "${args[@]}")
    eval "$vars"
    export TESTDB_DIR TESTDB_PASSWORD TESTDB_RO_PASSWORD
    for k in $(printf '%s\n' "$vars" | sed -n 's/^\(TESTDB_[A-Z_]*\)=.*/\1/p'); do export "${k?}"; done
    trap 'stop "$TESTDB_DIR"' EXIT
    trap 'exit 130' INT TERM
    echo "testdb: PostgreSQL ${TESTDB_PG_START_MS:--} ms, MariaDB ${TESTDB_MYSQL_START_MS:--} ms to start" >&2
    set +e
    "$@"
    rc=$?
    set -e
    exit $rc
    ;;
*) die "usage: scripts/testdb.sh install | start [--json] [pg] [mysql] | stop DIR | run [pg] [mysql] -- CMD... | server DIR pg|mysql stop|start|hang|resume" ;;
esac
