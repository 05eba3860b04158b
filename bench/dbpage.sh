#!/usr/bin/env bash
# dbpage: what one subscriber_list page costs on a provisioning database of BENCH_DB_ROWS (100 000)
# subscribers, on a throwaway PostgreSQL and MariaDB (scripts/testdb.sh). For each database and each
# page (first, deep offset, filtered, limit 500, ...) one opensips-mcp runs over stdio with --db-url;
# the pages' calls are interleaved round by round (BENCH_RUNS rounds, default 21, after 3 uncounted
# warm-up rounds). Reported per page: the median and p90 round trip of tools/call (request written ->
# answer read), the server's CPU per call (its threads' schedstat), its peak RSS (VmHWM after the
# runs), and the database's own time for the two statements the call makes (COUNT(*), then the page:
# EXPLAIN ANALYZE on PostgreSQL, ANALYZE FORMAT=JSON on MariaDB). Then an index on domain is added
# and the domain-filtered pages are measured again. The TypeScript peer has no database tool: no
# side-by-side here. See bench/README.md ("dbpage").
#
# usage: bench/dbpage.sh [pg] [mysql]       (both when none is named)
#   BENCH_RUNS (21), BENCH_DB_ROWS (100000), BENCH_OURS (another opensips-mcp binary),
#   BENCH_MYSQL_POOL_MB (256: MariaDB's InnoDB buffer pool, resized online so that the table and
#     its indexes fit as on a real server; 0 keeps scripts/testdb.sh's 32 MB, smaller than them)
# Not a test: figures only; it fails when a server or a database cannot be run, or a page is wrong.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/build/bench
runs=${BENCH_RUNS:-21}
rows=${BENCH_DB_ROWS:-100000}
pool_mb=${BENCH_MYSQL_POOL_MB:-256}
die() { echo "dbpage: $*" >&2; exit 1; }
[[ $runs =~ ^[1-9][0-9]{0,3}$ ]] || die "BENCH_RUNS must be 1 to 9999"
[[ $rows =~ ^[1-9][0-9]{3,7}$ ]] || die "BENCH_DB_ROWS must be 1000 to 99999999"
[[ $pool_mb =~ ^(0|[1-9][0-9]{0,5})$ ]] || die "BENCH_MYSQL_POOL_MB must be 0 to 999999"
dbs=("$@")
[ ${#dbs[@]} -gt 0 ] || dbs=(pg mysql)
for d in "${dbs[@]}"; do [[ $d == pg || $d == mysql ]] || die "databases are pg and mysql, not '$d'"; done
command -v python3 >/dev/null || die "python3 is needed"
mkdir -p "$out"

if [ -n "${BENCH_OURS:-}" ]; then
    ours=$BENCH_OURS
else
    nice make -C "$top" --no-print-directory -s all >&2
    ours=$top/build/release/opensips-mcp
fi
[ -x "$ours" ] || die "cannot execute $ours"

vars=$(nice "$top/scripts/testdb.sh" start "${dbs[@]}") || die "scripts/testdb.sh start failed"
eval "$vars"
trap '"$top/scripts/testdb.sh" stop "$TESTDB_DIR"' EXIT
export TESTDB_PASSWORD TESTDB_PG_PORT="${TESTDB_PG_PORT:-}" TESTDB_MYSQL_PORT="${TESTDB_MYSQL_PORT:-}"
export TESTDB_PG_RO_URL="${TESTDB_PG_RO_URL:-}" TESTDB_MYSQL_RO_URL="${TESTDB_MYSQL_RO_URL:-}"

# The stock 4.0 schema, then the rows in one statement: user000001..., over 10 domains
# (d0.example.com ... d9.example.com, round robin), an MD5 for ha1.
for d in "${dbs[@]}"; do
    t0=$(date +%s%3N)
    if [ "$d" = pg ]; then
        PGPASSWORD=$TESTDB_PASSWORD nice psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$TESTDB_PG_PORT" \
            -U opensips -d opensips -f "$top/data/schema/4.0/postgres.sql" -c "
            INSERT INTO subscriber (username, domain, ha1)
              SELECT 'user' || lpad(i::text, 6, '0'), 'd' || (i % 10) || '.example.com', md5(i::text)
              FROM generate_series(1, $rows) AS i;
            ANALYZE subscriber;" >/dev/null || die "loading PostgreSQL failed"
    else
        nice mariadb --no-defaults -h 127.0.0.1 -P "$TESTDB_MYSQL_PORT" -uopensips -p"$TESTDB_PASSWORD" \
            opensips <"$top/data/schema/4.0/mysql.sql" || die "loading the MariaDB schema failed"
        nice mariadb --no-defaults -h 127.0.0.1 -P "$TESTDB_MYSQL_PORT" -uopensips -p"$TESTDB_PASSWORD" \
            opensips -e "
            SET SESSION max_recursive_iterations = $((rows + 1));
            INSERT INTO subscriber (username, domain, ha1)
              WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < $rows)
              SELECT CONCAT('user', LPAD(i, 6, '0')), CONCAT('d', i % 10, '.example.com'), MD5(i) FROM s;
            ANALYZE TABLE subscriber;" >/dev/null || die "loading MariaDB failed"
        if [ "$pool_mb" != 0 ]; then
            nice mariadb --no-defaults -S "$TESTDB_MYSQL_SOCKET" -uroot \
                -e "SET GLOBAL innodb_buffer_pool_size = $((pool_mb * 1048576))" ||
                die "resizing MariaDB's buffer pool failed"
        fi
    fi
    echo "dbpage: $d: schema and $rows rows loaded in $(( $(date +%s%3N) - t0 )) ms" >&2
done

nice python3 - "$ours" "$runs" "$rows" "$out" "${dbs[@]}" <<'PY' | tee "$out/dbpage.txt"
import json, os, re, selectors, statistics, subprocess, sys, time

ours, runs, rows, out, dbs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5:]
env = os.environ
WARM = 3
DEADLINE = 30.0  # seconds one answer may take before the run fails (a hang, not a figure)
NAME = {"pg": "PostgreSQL", "mysql": "MariaDB"}
last = "user%06d" % rows
# name, tool, arguments, the limit (the page holds min(limit, total - offset)), which filters
PAGES = [
    ("first page (limit 50)", "subscriber_list", {"limit": 50}, 50, None),
    ("deep page (offset %d)" % (rows - 50), "subscriber_list", {"limit": 50, "offset": rows - 50}, 50, None),
    ("limit 500", "subscriber_list", {"limit": 500}, 500, None),
    ("domain + username contains", "subscriber_list",
     {"limit": 50, "domain": "d3.example.com", "username": "99"}, 50, "du"),
    ("domain only", "subscriber_list", {"limit": 50, "domain": "d3.example.com"}, 50, "d"),
    ("username contains only", "subscriber_list", {"limit": 50, "username": "99"}, 50, "u"),
    ("username contains, 1 match", "subscriber_list", {"limit": 50, "username": last[4:]}, 1, "u1"),
    ("floor: subscriber_get (key)", "subscriber_get",
     {"username": last, "domain": "d%d.example.com" % (rows % 10)}, None, None),
    ("floor: MCP ping (no tool)", None, None, None, None),
]
got = {}  # page name -> items its answers held


def sh(db, sql):
    """One statement through the database's own client; its output as text."""
    if db == "pg":
        cmd = ["psql", "-X", "-q", "-At", "-h", "127.0.0.1", "-p", env["TESTDB_PG_PORT"], "-U", "opensips",
               "-d", "opensips", "-c", sql]
        e = dict(env, PGPASSWORD=env["TESTDB_PASSWORD"])
    else:
        cmd = ["mariadb", "--no-defaults", "-N", "-B", "-r", "-h", "127.0.0.1", "-P", env["TESTDB_MYSQL_PORT"],
               "-uopensips", "-p" + env["TESTDB_PASSWORD"], "opensips", "-e", sql]
        e = env
    return subprocess.run(cmd, env=e, check=True, capture_output=True, text=True, timeout=120).stdout


def statements(args):
    """The two statements subscriber_list makes (src/tools/be_sql.c: run_list), values inlined."""
    where = []
    if "username" in args:
        where.append("username LIKE '%%%s%%' ESCAPE '!'" % args["username"])
    if "domain" in args:
        where.append("domain = '%s'" % args["domain"])
    w = (" WHERE " + " AND ".join(where)) if where else ""
    return ("SELECT COUNT(*) AS n FROM subscriber" + w,
            "SELECT id, username, domain FROM subscriber%s ORDER BY id LIMIT %d OFFSET %d"
            % (w, args.get("limit", 50), args.get("offset", 0)))


def db_ms(db, sql, n=11):
    """The database's own execution time of sql, median of n (no client, network or parse)."""
    t = []
    for _ in range(n):
        if db == "pg":
            o = sh(db, "EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) " + sql)
            t.append(json.loads(o)[0]["Execution Time"])
        else:
            o = sh(db, "ANALYZE FORMAT=JSON " + sql)
            t.append(json.loads(o)["query_block"]["r_total_time_ms"])
    return statistics.median(t)


def plan(db, sql):
    if db == "pg":
        return " / ".join(l.strip() for l in sh(db, "EXPLAIN (COSTS OFF) " + sql).splitlines())
    return " / ".join("%s key=%s rows=%s %s" % (c[3], c[5], c[8], c[9])
                      for c in (l.split("\t") for l in sh(db, "EXPLAIN " + sql).splitlines()))


class Server:
    def __init__(self, db, label):
        url = env["TESTDB_PG_RO_URL"] if db == "pg" else env["TESTDB_MYSQL_RO_URL"]
        self.log = open(os.path.join(out, "dbpage-%s-%s.log" % (db, label)), "w")
        self.p = subprocess.Popen([ours, "--toolsets", "db", "--db-url", url, "--log-level", "warning"],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log)
        self.sel = selectors.DefaultSelector()
        self.sel.register(self.p.stdout, selectors.EVENT_READ)
        self.buf = b""
        self.id = 0
        self.rpc("initialize", {"protocolVersion": "2025-11-25", "capabilities": {},
                                "clientInfo": {"name": "dbpage", "version": "1"}})
        self.send({"jsonrpc": "2.0", "method": "notifications/initialized"})

    def send(self, msg):
        self.p.stdin.write(json.dumps(msg).encode() + b"\n")
        self.p.stdin.flush()

    def line(self, until):
        while b"\n" not in self.buf:
            left = until - time.monotonic()
            if left <= 0 or not self.sel.select(left):
                raise SystemExit("dbpage: no answer within %d s" % DEADLINE)
            chunk = os.read(self.p.stdout.fileno(), 1 << 20)
            if not chunk:
                raise SystemExit("dbpage: the server closed its output (see %s)" % self.log.name)
            self.buf += chunk
        l, self.buf = self.buf.split(b"\n", 1)
        return json.loads(l)

    def rpc(self, method, params):
        self.id += 1
        t = time.monotonic()
        self.send({"jsonrpc": "2.0", "id": self.id, "method": method, "params": params})
        while True:
            r = self.line(t + DEADLINE)
            if r.get("id") == self.id:
                return (time.monotonic() - t) * 1000, r

    def cpu_ns(self):
        """CPU time of all the server's threads so far (ns)."""
        n = 0
        for task in os.listdir("/proc/%d/task" % self.p.pid):
            try:
                with open("/proc/%d/task/%s/schedstat" % (self.p.pid, task)) as f:
                    n += int(f.read().split()[0])
            except FileNotFoundError:
                pass
        return n

    def kib(self, field):
        with open("/proc/%d/status" % self.p.pid) as f:
            return int(re.search(r"^%s:\s+(\d+)" % field, f.read(), re.M).group(1))

    def close(self):
        self.p.stdin.close()
        rc = self.p.wait(timeout=10)
        self.log.close()
        if rc != 0:
            raise SystemExit("dbpage: the server exited %d (see %s)" % (rc, self.log.name))


def call(s, page):
    name, tool, args, items, _ = page
    if tool is None:
        got[name] = 0
        return s.rpc("ping", {})[0]
    ms, r = s.rpc("tools/call", {"name": tool, "arguments": args})
    res = r.get("result")
    if not res or res.get("isError"):
        raise SystemExit("dbpage: %s failed: %s" % (name, json.dumps(r)[:600]))
    sc = res["structuredContent"]
    if items is not None:
        # min(limit, what is left); a page over TOOL_RESULT_CAP comes back shortened, with a note.
        want = max(0, min(items, sc["total"] - args.get("offset", 0)))
        n = len(sc["items"])
        if n != want and not (sc.get("note") and 0 < n < want):
            raise SystemExit("dbpage: %s: %d items, not %d" % (name, n, want))
    got[name] = len(sc["items"]) if "items" in sc else 1
    return ms


def measure(pages, label):
    """One server per (database, page), calls interleaved round by round."""
    srv, first, t, hwm0 = {}, {}, {}, {}
    for db in dbs:
        for i, pg in enumerate(pages):
            k = (db, i)
            srv[k] = Server(db, "%s%d" % (label, i))
            hwm0[k] = srv[k].kib("VmHWM")
            first[k] = call(srv[k], pg)  # the first call on a worker also connects
            t[k] = []
    for _ in range(WARM - 1):
        for k in srv:
            call(srv[k], pages[k[1]])
    cpu0 = {k: srv[k].cpu_ns() for k in srv}
    for _ in range(runs):
        for k in srv:
            t[k].append(call(srv[k], pages[k[1]]))
    res = {}
    for k, s in srv.items():
        v = sorted(t[k])
        res[k] = {"median": statistics.median(v), "p90": v[min(len(v) - 1, int(0.9 * len(v)))],
                  "min": v[0], "max": v[-1], "first": first[k],
                  "cpu": (s.cpu_ns() - cpu0[k]) / runs / 1e6,
                  "hwm": s.kib("VmHWM"), "hwm0": hwm0[k], "rss": s.kib("VmRSS"), "runs": t[k]}
        s.close()
    return res


def sqltimes(pages):
    res = {}
    for db in dbs:
        for i, (_, tool, args, _, _) in enumerate(pages):
            if tool == "subscriber_list":
                c, p = statements(args)
                res[(db, i)] = (db_ms(db, c), db_ms(db, p), plan(db, c), plan(db, p))
    return res


def version(db):
    v = sh(db, "SELECT version()").split(",")[0].split(" on ")[0].strip()
    if db == "pg":
        size = sh(db, "SELECT pg_table_size('subscriber') / 1048576.0, pg_indexes_size('subscriber') / 1048576.0")
        cache = "shared_buffers " + sh(db, "SHOW shared_buffers").strip()
    else:
        size = sh(db, "SELECT data_length / 1048576, index_length / 1048576 FROM information_schema.tables "
                      "WHERE table_schema = 'opensips' AND table_name = 'subscriber'")
        cache = "buffer pool %d MB" % (int(sh(db, "SELECT @@innodb_buffer_pool_size")) // 1048576)
    t, i = (float(x) for x in re.split(r"[|\t]", size.strip()))
    return "%s (subscriber %.1f MB + indexes %.1f MB, %s)" % (v, t, i, cache)


def report(title, pages, res, sq):
    if title:
        print(title)
    g = " | %8s %8s %8s %7s %8s"
    print("  %-29s %5s" % ("", "") + "".join(" | %-44s" % NAME[db] for db in dbs))
    print("  %-29s %5s" % ("page", "items") + "".join(g % ("p50 ms", "p90 ms", "first", "cpu ms", "RSS KiB") for _ in dbs))
    for i, (name, *_rest) in enumerate(pages):
        line = "  %-29s %5d" % (name, got[name])
        for db in dbs:
            r = res[(db, i)]
            line += " | %8.2f %8.2f %8.2f %7.3f %8d" % (r["median"], r["p90"], r["first"], r["cpu"], r["hwm"])
        print(line)
    print("  the database's own time for the call's two statements, median of 11 (COUNT(*) ms + page ms):")
    for i, (name, tool, *_r) in enumerate(pages):
        if tool != "subscriber_list":
            continue
        line = "  %-29s %5s" % (name, "")
        for db in dbs:
            c, p, _, _ = sq[(db, i)]
            line += " | %-44s" % ("%8.2f + %.2f ms" % (c, p))
        print(line)


def plans(pages, sq):
    for (db, i), (_, _, pc, pp) in sorted(sq.items()):
        print("    %-5s %-27s COUNT: %s" % (db, pages[i][0], pc))
        print("    %-5s %-27s page:  %s" % (db, pages[i][0], pp))


print("dbpage: subscriber_list on %d subscribers over stdio (--db-url, the RO user over 127.0.0.1 TCP), "
      "%d interleaved rounds after %d warm-up" % (rows, runs, WARM))
for d in dbs:
    print("  %s: %s" % (NAME[d], version(d)))
print("  p50/p90: tools/call round trip; first: the server's first call (it connects); cpu: the server's "
      "own CPU per call; RSS: VmHWM after the runs")
res = measure(PAGES, "a")
sq = sqltimes(PAGES)
report("", PAGES, res, sq)
hw0 = sorted(r["hwm0"] for r in res.values())
print("  VmHWM after initialize, before any call: %d..%d KiB" % (hw0[0], hw0[-1]))
print("  plans (EXPLAIN; COUNT, then the page):")
plans(PAGES, sq)

# Alternatives the server does not use (yet), the database's own time only: a deep page by key
# instead of OFFSET, a count that stops at 1001, the planner's estimate of the table's rows.
ALT = [
    ("keyset deep page (id > %d)" % (rows - 50),
     "SELECT id, username, domain FROM subscriber WHERE id > %d ORDER BY id LIMIT 50" % (rows - 50)),
    ("count capped at 1001", "SELECT COUNT(*) AS n FROM (SELECT 1 FROM subscriber LIMIT 1001) AS t"),
    ("count capped, username contains",
     "SELECT COUNT(*) AS n FROM (SELECT 1 FROM subscriber WHERE username LIKE '%99%' ESCAPE '!' LIMIT 1001) AS t"),
]
print("alternatives, the database's own time, median of 11 (not what the server runs):")
for name, sql in ALT:
    print("  %-35s" % name + "".join(" | %s %8.2f ms" % (NAME[db], db_ms(db, sql)) for db in dbs))
for db in dbs:
    est = sh(db, "SELECT reltuples::bigint FROM pg_class WHERE relname = 'subscriber'" if db == "pg" else
             "SELECT table_rows FROM information_schema.tables WHERE table_schema = 'opensips' AND "
             "table_name = 'subscriber'").strip()
    print("  %s's row estimate (no scan): %s of %d" % (NAME[db], est, rows))

# The same domain pages with an index on domain (the stock schema has only the primary key,
# account_idx (username, domain) and username_idx (username)).
for db in dbs:
    sh(db, "CREATE INDEX bench_domain_idx ON subscriber (domain)")
    sh(db, "ANALYZE subscriber" if db == "pg" else "ANALYZE TABLE subscriber")
IDX = [p for p in PAGES if p[4] in ("du", "d")]
res2 = measure(IDX, "b")
sq2 = sqltimes(IDX)
report("with an added index on subscriber (domain), not in the stock schema:", IDX, res2, sq2)
print("  plans with the index:")
plans(IDX, sq2)
print("  peer: none; the TypeScript SDK peer (../shared/peers/ts-sdk-server) has only mi_execute and "
      "dlg_end, no database tool")
with open(os.path.join(out, "dbpage-raw.json"), "w") as f:
    json.dump({"rows": rows, "runs": runs,
               "stock": {"%s %s" % (d, PAGES[i][0]): r for (d, i), r in res.items()},
               "domain_index": {"%s %s" % (d, IDX[i][0]): r for (d, i), r in res2.items()}}, f, indent=1)
print("  raw runs: %s" % os.path.join(out, "dbpage-raw.json"))
PY
