//! The SQLite database: schema, connection settings, and the bulk-insert helper every writer
//! goes through.

use acm_trace::acm_span;
use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, Statement, Transaction};

use crate::config::Config;
use crate::error::{PipelineError, SqlContext};

pub const DB_FILE: &str = "acm.sqlite";
/// Rows per `sql.bulk_insert` call: large enough to amortise the per-call cost, small enough
/// that the trace shows the writes' progress.
pub const BULK_CHUNK: usize = 5_000;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS equipment (
    equip_id   INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS dataset (
    equip_id     INTEGER PRIMARY KEY REFERENCES equipment(equip_id),
    n_rows       INTEGER NOT NULL,
    seed         INTEGER NOT NULL,
    generated_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS sensor_data (
    equip_id            INTEGER NOT NULL REFERENCES equipment(equip_id),
    row_idx             INTEGER NOT NULL,
    ts                  INTEGER NOT NULL,
    motor_current_a     REAL NOT NULL,
    fan_speed_rpm       REAL NOT NULL,
    outlet_pressure_kpa REAL NOT NULL,
    bearing_temp_de_c   REAL NOT NULL,
    bearing_temp_nde_c  REAL NOT NULL,
    vibration_mm_s      REAL NOT NULL,
    ambient_temp_c      REAL NOT NULL,
    PRIMARY KEY (equip_id, row_idx)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS runs (
    run_id       TEXT NOT NULL,
    batch_num    INTEGER NOT NULL,
    batch_total  INTEGER NOT NULL,
    equip_id     INTEGER NOT NULL REFERENCES equipment(equip_id),
    started_at   INTEGER NOT NULL,
    finished_at  INTEGER,
    first_row    INTEGER,
    n_rows       INTEGER,
    threshold    REAL,
    n_episodes   INTEGER,
    health       REAL,
    rul_hours    REAL,
    status       TEXT NOT NULL,
    error        TEXT,
    PRIMARY KEY (run_id, batch_num)
);
CREATE TABLE IF NOT EXISTS scores (
    run_id    TEXT NOT NULL,
    row_idx   INTEGER NOT NULL,
    batch_num INTEGER NOT NULL,
    ts        INTEGER NOT NULL,
    ar1_z     REAL NOT NULL,
    pca_z     REAL NOT NULL,
    iforest_z REAL NOT NULL,
    gmm_z     REAL NOT NULL,
    omr_z     REAL NOT NULL,
    fused     REAL NOT NULL,
    regime    INTEGER NOT NULL,
    health    REAL NOT NULL,
    alert     INTEGER NOT NULL,
    PRIMARY KEY (run_id, row_idx)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS episodes (
    run_id     TEXT NOT NULL,
    batch_num  INTEGER NOT NULL,
    episode_id INTEGER NOT NULL,
    start_row  INTEGER NOT NULL,
    end_row    INTEGER NOT NULL,
    start_ts   INTEGER NOT NULL,
    end_ts     INTEGER NOT NULL,
    peak       REAL NOT NULL,
    mean       REAL NOT NULL,
    culprit    TEXT NOT NULL,
    regime     INTEGER NOT NULL,
    PRIMARY KEY (run_id, batch_num, episode_id)
);
CREATE TABLE IF NOT EXISTS analytics (
    run_id     TEXT NOT NULL,
    batch_num  INTEGER NOT NULL,
    scope      TEXT NOT NULL,
    name       TEXT NOT NULL,
    n_rows     INTEGER NOT NULL,
    mean       REAL NOT NULL,
    p95        REAL NOT NULL,
    max        REAL NOT NULL,
    frac_alert REAL NOT NULL,
    PRIMARY KEY (run_id, batch_num, scope, name)
);
";

/// Opens (creating if needed) the database at `path` and makes sure the schema exists.
pub fn open(path: &Path) -> Result<Connection, PipelineError> {
    let conn = Connection::open(path).sql("open the database")?;
    // Concurrent runs on one database (tests, several equipments) wait instead of failing.
    conn.busy_timeout(Duration::from_secs(10))
        .sql("set the busy timeout")?;
    // WAL + NORMAL is the usual durable-enough setting for an append-mostly log of runs;
    // it also lets readers look at the database while a run writes.
    conn.pragma_update(None, "journal_mode", "WAL")
        .sql("enable WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")
        .sql("set synchronous")?;
    conn.pragma_update(None, "foreign_keys", true)
        .sql("enable foreign keys")?;
    conn.execute_batch(SCHEMA).sql("create the schema")?;
    Ok(conn)
}

/// The id of `name`, registering the equipment on first sight.
pub fn equip_id(conn: &Connection, name: &str, now: i64) -> Result<i64, PipelineError> {
    conn.execute(
        "INSERT OR IGNORE INTO equipment (name, created_at) VALUES (?1, ?2)",
        (name, now),
    )
    .sql("register the equipment")?;
    conn.query_row(
        "SELECT equip_id FROM equipment WHERE name = ?1",
        [name],
        |r| r.get(0),
    )
    .sql("look up the equipment")
}

/// Runs one prepared `sql` for each of `rows`, binding with `bind`, inside the caller's
/// transaction. Returns the number of rows changed.
///
/// Span: `sql.bulk_insert`
#[acm_span("sql.bulk_insert", table = table, n_operations = rows.len())]
pub fn bulk_insert<T>(
    cfg: &Config,
    tx: &Transaction<'_>,
    table: &'static str,
    sql: &str,
    rows: &[T],
    bind: impl Fn(&mut Statement<'_>, &T) -> rusqlite::Result<usize>,
) -> Result<usize, PipelineError> {
    cfg.fail_point("sql.bulk_insert")?;
    let err = |source| PipelineError::BulkInsert { table, source };
    let mut stmt = tx.prepare_cached(sql).map_err(err)?;
    let mut changed = 0;
    for row in rows {
        changed += bind(&mut stmt, row).map_err(err)?;
    }
    Ok(changed)
}

/// [`bulk_insert`] in chunks of [`BULK_CHUNK`] rows.
pub fn insert_chunked<T>(
    cfg: &Config,
    tx: &Transaction<'_>,
    table: &'static str,
    sql: &str,
    rows: &[T],
    bind: impl Fn(&mut Statement<'_>, &T) -> rusqlite::Result<usize>,
) -> Result<usize, PipelineError> {
    rows.chunks(BULK_CHUNK).try_fold(0, |acc, chunk| {
        Ok(acc + bulk_insert(cfg, tx, table, sql, chunk, &bind)?)
    })
}

/// Seconds since the Unix epoch (0 if the clock is before it).
pub fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_and_bulk_insert_in_memory() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(SCHEMA).unwrap();
        let id = equip_id(&conn, "FD_FAN", 1).unwrap();
        assert_eq!(equip_id(&conn, "FD_FAN", 2).unwrap(), id);
        assert_ne!(equip_id(&conn, "ID_FAN", 2).unwrap(), id);

        let cfg = Config::default();
        let tx = conn.transaction().unwrap();
        let rows: Vec<i64> = (0..12_000).collect();
        let n = insert_chunked(
            &cfg,
            &tx,
            "runs",
            "INSERT INTO runs (run_id, batch_num, batch_total, equip_id, started_at, status) \
             VALUES ('r', ?1, 1, ?2, 0, 'ok')",
            &rows,
            |s, &b| s.execute((b, id)),
        )
        .unwrap();
        tx.commit().unwrap();
        assert_eq!(n, 12_000);
        let count: i64 = conn
            .query_row("SELECT COUNT(*) FROM runs", [], |r| r.get(0))
            .unwrap();
        assert_eq!(count, 12_000);
    }

    #[test]
    fn failing_bulk_insert_reports_its_stage() {
        let mut conn = Connection::open_in_memory().unwrap();
        let cfg = Config {
            fail_stage: Some("sql.bulk_insert".into()),
            ..Config::default()
        };
        let tx = conn.transaction().unwrap();
        let e = bulk_insert(&cfg, &tx, "t", "SELECT 1", &[1], |_, _| Ok(0)).unwrap_err();
        assert_eq!(e.injected_stage(), Some("sql.bulk_insert"));
    }
}
