// A real database for the live suite's DB bed: a throwaway PostgreSQL or MariaDB server started by
// scripts/testdb.sh (its own data directory, a private port, torn down by stop()), the tables made from our
// own DDL (data/schema/<4.0|3.6>/<postgres|mysql>.sql), and a SQL helper that talks to it with the
// server's own client (psql, mariadb) as the read-write user.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const top = fileURLToPath(new URL("../../..", import.meta.url));
const testdb = join(top, "scripts/testdb.sh");

// Which database a version's bed reads: 4.x on PostgreSQL, 3.x on MariaDB (both drivers, both versions).
export const driverFor = (major) => (major >= 4 ? "postgres" : "mysql");

// Why the DB bed of `driver` cannot run here (null when it can): the DB cases skip with this. LIVE_NO_DB
// (scripts/live.sh sets it when the servers could not be installed) is the reason as it is; else the
// server's binaries, and the modules the bed loads in the OpenSIPS at `prefix`, must be there.
export function dbMissing(driver, prefix) {
  if (process.env.LIVE_NO_DB) return process.env.LIVE_NO_DB;
  const mdir = ["lib64", "lib", "lib/x86_64-linux-gnu"].map((l) => join(prefix, l, "opensips/modules")).find(existsSync);
  const lacks = [driver === "postgres" ? "db_postgres" : "db_mysql", "auth", "auth_db"]
    .filter((mod) => !mdir || !existsSync(join(mdir, `${mod}.so`)));
  if (lacks.length) return `this OpenSIPS (${prefix}) has no ${lacks.map((x) => x + ".so").join(", ")} (scripts/opensips.sh builds them)`;
  if (driver === "postgres") {
    const bins = existsSync("/usr/lib/postgresql") ? readdirSync("/usr/lib/postgresql") : [];
    if (!bins.some((v) => existsSync(`/usr/lib/postgresql/${v}/bin/initdb`)))
      return "no PostgreSQL server (Debian's postgresql; scripts/testdb.sh install)";
  } else if (spawnSync("sh", ["-c", "command -v mariadbd || test -x /usr/sbin/mariadbd"]).status !== 0 ||
             spawnSync("sh", ["-c", "command -v mariadb-install-db"]).status !== 0) {
    return "no MariaDB server (Debian's mariadb-server; scripts/testdb.sh install)";
  }
  return null;
}

// Stop every database still running when the test process ends (testdb.sh stop is synchronous).
const started = new Set();
process.on("exit", () => {
  for (const dir of started) spawnSync(testdb, ["stop", dir], { stdio: "ignore" });
});

// Start a `driver` ("postgres" | "mysql") server with the tables of OpenSIPS `version` ("4.0.1", "3.6.8").
// Returns { driver, url, module, sql(text) -> rows as arrays of strings, stop() }.
export function startDb(driver, version) {
  const which = driver === "postgres" ? "pg" : "mysql";
  const r = spawnSync(testdb, ["start", "--json", which], { encoding: "utf8", timeout: 120_000 });
  if (r.status !== 0) throw new Error(`scripts/testdb.sh start ${which} failed: ${r.stderr.trim().slice(-2000)}`);
  const env = JSON.parse(r.stdout.trim().split("\n").at(-1));
  started.add(env.TESTDB_DIR);
  const db = { driver, env, dir: env.TESTDB_DIR };
  if (driver === "postgres") {
    db.url = env.TESTDB_PG_URL;
    db.module = "db_postgres";
    const psql = join(readFileSync(join(db.dir, "pg/bindir"), "utf8").trim(), "psql");
    db.client = (input) => spawnSync(psql, ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-A", "-t", "-F", "\t", db.url],
      { input, encoding: "utf8", timeout: 30_000 });
  } else {
    db.url = env.TESTDB_MYSQL_URL;
    db.module = "db_mysql";
    db.client = (input) => spawnSync("mariadb", ["--no-defaults", "-h", "127.0.0.1", "-P", env.TESTDB_MYSQL_PORT,
      "-u", "opensips", "-N", "-B", "opensips"], { input, encoding: "utf8", timeout: 30_000,
      env: { ...process.env, MYSQL_PWD: env.TESTDB_PASSWORD } });
  }
  // The statements in `text`; the rows the last one returns, each an array of column texts.
  db.sql = (text) => {
    const q = db.client(text);
    if (q.status !== 0) throw new Error(`${driver}: ${(q.stderr || q.error?.message || "").trim()}\nin: ${text.slice(0, 500)}`);
    return q.stdout.split("\n").filter((l) => l !== "").map((l) => l.split("\t"));
  };
  db.stop = () => {
    if (!started.has(db.dir)) return;
    started.delete(db.dir);
    const s = spawnSync(testdb, ["stop", db.dir], { encoding: "utf8", timeout: 60_000 });
    if (s.status !== 0) throw new Error(`scripts/testdb.sh stop: ${s.stderr.trim()}`);
  };
  try {
    const series = version.split(".").slice(0, 2).join(".");
    db.sql(readFileSync(join(top, "data/schema", series, `${driver}.sql`), "utf8"));
  } catch (e) {
    db.stop();
    throw e;
  }
  return db;
}
