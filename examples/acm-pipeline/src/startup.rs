//! Startup: check the configuration, prepare the output directory and the database, and
//! record that the batch has started.

use acm_trace::acm_span;
use std::path::PathBuf;

use rusqlite::Connection;

use crate::config::Config;
use crate::db;
use crate::error::{PipelineError, SqlContext};
use crate::rng::Rng;

/// What every later stage of one batch works against.
#[derive(Debug)]
pub struct Session {
    pub conn: Connection,
    pub db_path: PathBuf,
    pub equip_id: i64,
    pub run_id: String,
    pub batch_num: usize,
    pub batch_total: usize,
    pub started_at: i64,
}

/// Validates `cfg`, opens the database and inserts the batch's `runs` row as `running`.
///
/// Span: `startup`
#[acm_span("startup")]
pub fn startup(cfg: &Config, run_id: &str, batch_num: usize) -> Result<Session, PipelineError> {
    cfg.fail_point("startup")?;
    cfg.validate()?;
    if !(1..=cfg.batches).contains(&batch_num) {
        return Err(PipelineError::Config(format!(
            "batch {batch_num} is outside 1..={}",
            cfg.batches
        )));
    }
    std::fs::create_dir_all(&cfg.out_dir).map_err(|source| PipelineError::Io {
        action: "create the output directory",
        path: cfg.out_dir.clone(),
        source,
    })?;
    let db_path = cfg.out_dir.join(db::DB_FILE);
    let conn = db::open(&db_path)?;
    let now = db::now_unix();
    let equip_id = db::equip_id(&conn, cfg.equipment.trim(), now)?;
    conn.execute(
        "INSERT INTO runs (run_id, batch_num, batch_total, equip_id, started_at, status)
         VALUES (?1, ?2, ?3, ?4, ?5, 'running')",
        (run_id, batch_num as i64, cfg.batches as i64, equip_id, now),
    )
    .sql("record the run's start")?;
    Ok(Session {
        conn,
        db_path,
        equip_id,
        run_id: run_id.to_owned(),
        batch_num,
        batch_total: cfg.batches,
        started_at: now,
    })
}

/// Registers the equipment before the first batch, so every span of the run, `startup`'s
/// included, carries the same `acm.equip_id`. Untraced: it runs before the first trace.
pub fn register_equipment(cfg: &Config) -> Result<i64, PipelineError> {
    std::fs::create_dir_all(&cfg.out_dir).map_err(|source| PipelineError::Io {
        action: "create the output directory",
        path: cfg.out_dir.clone(),
        source,
    })?;
    let conn = db::open(&cfg.out_dir.join(db::DB_FILE))?;
    db::equip_id(&conn, cfg.equipment.trim(), db::now_unix())
}

/// A random (version 4) UUID. Seeded from the clock, the process id and a counter: unique
/// enough to tell runs apart, without a dependency for it.
pub fn new_run_id() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let seed =
        nanos ^ (u64::from(std::process::id()) << 32) ^ COUNTER.fetch_add(1, Ordering::Relaxed);
    let mut rng = Rng::derive(seed, 0x0055_1D00);
    let hi = (rng.next_u64() & 0xFFFF_FFFF_FFFF_0FFF) | 0x4000; // version 4
    let lo = (rng.next_u64() & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000; // RFC 4122 variant
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        hi >> 32,
        (hi >> 16) & 0xFFFF,
        hi & 0xFFFF,
        lo >> 48,
        lo & 0xFFFF_FFFF_FFFF
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_ids_are_uuid_v4_and_distinct() {
        let a = new_run_id();
        let b = new_run_id();
        assert_ne!(a, b);
        let parts: Vec<&str> = a.split('-').collect();
        assert_eq!(
            parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
            [8, 4, 4, 4, 12]
        );
        assert!(parts[2].starts_with('4'), "{a}");
        assert!(
            matches!(parts[3].as_bytes()[0], b'8' | b'9' | b'a' | b'b'),
            "{a}"
        );
    }

    #[test]
    fn bad_config_fails_before_touching_disk() {
        let dir = std::env::temp_dir().join(format!("acm-startup-{}", new_run_id()));
        let cfg = Config {
            rows: 1,
            out_dir: dir.clone(),
            ..Config::default()
        };
        assert!(matches!(
            startup(&cfg, "r", 1),
            Err(PipelineError::Config(_))
        ));
        assert!(!dir.exists());
    }
}
