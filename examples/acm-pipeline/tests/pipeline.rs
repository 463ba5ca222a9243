//! End-to-end runs of the pipeline, in-process and through the binary, against real SQLite
//! files in temporary directories.

use std::path::{Path, PathBuf};
use std::process::Command;

use acm_pipeline::config::STAGES;
use acm_pipeline::forecast::RulStatus;
use acm_pipeline::{Config, PipelineError, data, run};
use rusqlite::Connection;

/// A fresh directory that is removed when the test ends, pass or fail.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "acm-pipeline-{name}-{}",
            acm_pipeline::startup::new_run_id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn config(dir: &Path, rows: usize, batches: usize) -> Config {
    Config {
        rows,
        batches,
        out_dir: dir.to_path_buf(),
        ..Config::default()
    }
}

fn count(conn: &Connection, sql: &str, run_id: &str) -> i64 {
    conn.query_row(sql, [run_id], |r| r.get(0)).unwrap()
}

#[test]
fn batches_cover_the_rows_and_everything_is_stored() {
    let dir = TempDir::new("batches");
    let cfg = config(&dir.0, 6_000, 3);
    let summary = run(&cfg).unwrap();

    assert_eq!(summary.equipment, "FD_FAN");
    assert_eq!(summary.batches.len(), 3);
    assert_eq!(summary.batches.iter().map(|b| b.rows).sum::<usize>(), 6_000);
    assert!(summary.batches[0].generated_data && !summary.batches[1].generated_data);
    for (i, b) in summary.batches.iter().enumerate() {
        assert_eq!(
            (b.batch_num, b.batch_total, b.first_row),
            (i + 1, 3, i * 2_000)
        );
        assert_eq!(b.scores_written, b.rows);
        assert!(b.threshold >= cfg.tuning.threshold_floor);
    }

    let conn = Connection::open(&summary.db_path).unwrap();
    let id = summary.run_id.as_str();
    assert_eq!(
        count(
            &conn,
            "SELECT COUNT(*) FROM runs WHERE run_id = ?1 AND status = 'success'",
            id
        ),
        3
    );
    assert_eq!(
        count(&conn, "SELECT COUNT(*) FROM scores WHERE run_id = ?1", id),
        6_000
    );
    assert_eq!(
        count(&conn, "SELECT COUNT(*) FROM episodes WHERE run_id = ?1", id) as usize,
        summary.batches.iter().map(|b| b.episodes).sum::<usize>()
    );
    // 5 detectors + 3 regimes per batch.
    assert_eq!(
        count(
            &conn,
            "SELECT COUNT(*) FROM analytics WHERE run_id = ?1",
            id
        ),
        3 * 8
    );
    assert_eq!(
        count(
            &conn,
            "SELECT COUNT(*) FROM sensor_data WHERE equip_id = (SELECT equip_id FROM equipment WHERE name = ?1)",
            "FD_FAN"
        ),
        6_000
    );
    let text = summary.to_string();
    assert!(
        text.contains("batch 3/3") && text.contains("acm.sqlite"),
        "{text}"
    );
}

#[test]
fn stored_history_is_reused_and_regenerated_when_the_size_changes() {
    let dir = TempDir::new("reuse");
    assert!(run(&config(&dir.0, 2_000, 1)).unwrap().batches[0].generated_data);
    let again = run(&config(&dir.0, 2_000, 1)).unwrap();
    assert!(!again.batches[0].generated_data);
    let bigger = run(&config(&dir.0, 3_000, 1)).unwrap();
    assert!(bigger.batches[0].generated_data);
    assert_eq!(bigger.batches[0].rows, 3_000);
    let other = run(&Config {
        equipment: "ID_FAN".into(),
        ..config(&dir.0, 2_000, 1)
    })
    .unwrap();
    assert!(other.batches[0].generated_data);
    assert_ne!(other.equip_id, bigger.equip_id);
}

#[test]
fn finds_the_injected_anomalies_and_the_degradation() {
    let dir = TempDir::new("quality");
    let cfg = config(&dir.0, 20_000, 1);
    let summary = run(&cfg).unwrap();
    let conn = Connection::open(&summary.db_path).unwrap();
    let mut stmt = conn
        .prepare("SELECT start_row, end_row FROM episodes WHERE run_id = ?1")
        .unwrap();
    let episodes: Vec<(usize, usize)> = stmt
        .query_map([&summary.run_id], |r| {
            Ok((r.get::<_, i64>(0)? as usize, r.get::<_, i64>(1)? as usize))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();

    let injected = data::generate(&cfg.equipment, cfg.rows, cfg.seed).anomalies;
    let found = injected
        .iter()
        .filter(|a| {
            episodes
                .iter()
                .any(|&(s, e)| s < a.start + a.len && e >= a.start)
        })
        .count();
    assert!(
        found == injected.len(),
        "found {found} of {} injected anomalies",
        injected.len()
    );

    // Bearing wear starts at 45% of the rows: the health trend must see it.
    let b = &summary.batches[0];
    assert_eq!(b.rul_status, RulStatus::Degrading, "{summary}");
    let rul = b.rul_hours.unwrap();
    assert!(rul > 0.0 && rul < 24.0 * 30.0, "{summary}");
    assert!(b.health_now < 80.0, "{summary}");
}

#[test]
fn every_stage_can_fail_cleanly() {
    let dir = TempDir::new("fail");
    for &stage in STAGES {
        let cfg = Config {
            fail_stage: Some(stage.to_owned()),
            ..config(&dir.0, 1_000, 1)
        };
        let err = run(&cfg).unwrap_err();
        assert_eq!(err.injected_stage(), Some(stage), "{err}");
        assert!(err.to_string().contains(stage));
    }
    // Stages after startup leave their batch marked failed, with the reason.
    let conn = Connection::open(dir.0.join("acm.sqlite")).unwrap();
    let failed: Vec<String> = conn
        .prepare("SELECT error FROM runs WHERE status = 'failed'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        failed.len(),
        STAGES.len() - 2,
        "all but pipeline.run and startup"
    );
    assert!(failed.iter().any(|e| e.contains("`fit.pca`")));
    let running: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM runs WHERE status <> 'failed'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(running, 0);
}

#[test]
fn a_failing_batch_stops_the_run_after_earlier_batches_are_stored() {
    let dir = TempDir::new("stop");
    // Only persist.episodes fails, in every batch; the first batch fails, so nothing succeeds.
    let cfg = Config {
        fail_stage: Some("persist.episodes".into()),
        ..config(&dir.0, 2_000, 2)
    };
    assert!(matches!(
        run(&cfg),
        Err(PipelineError::InjectedFailure { .. })
    ));
    let conn = Connection::open(dir.0.join("acm.sqlite")).unwrap();
    let batches: i64 = conn
        .query_row("SELECT COUNT(*) FROM runs", [], |r| r.get(0))
        .unwrap();
    assert_eq!(batches, 1, "the second batch never started");
}

#[test]
fn bad_configuration_is_an_error_not_a_panic() {
    let dir = TempDir::new("badcfg");
    for cfg in [
        config(&dir.0, 10, 1),
        config(&dir.0, 2_000, 0),
        config(&dir.0, 2_000, 100),
        Config {
            equipment: String::new(),
            ..config(&dir.0, 2_000, 1)
        },
        Config {
            fail_stage: Some("fit.nope".into()),
            ..config(&dir.0, 2_000, 1)
        },
    ] {
        assert!(matches!(run(&cfg), Err(PipelineError::Config(_))));
    }
    let file = dir.0.join("not-a-dir");
    std::fs::write(&file, b"x").unwrap();
    let err = run(&config(&file, 2_000, 1)).unwrap_err();
    assert!(matches!(err, PipelineError::Io { .. }), "{err}");
}

fn binary() -> Command {
    Command::new(env!("CARGO_BIN_EXE_acm-pipeline"))
}

#[test]
fn binary_runs_and_reports() {
    let dir = TempDir::new("bin");
    let out = binary()
        .args([
            "--rows",
            "2000",
            "--batches",
            "2",
            "--equipment",
            "ID_FAN",
            "--out",
        ])
        .arg(&dir.0)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("equipment ID_FAN") && stdout.contains("batch 2/2"),
        "{stdout}"
    );
    assert!(dir.0.join("acm.sqlite").is_file());
}

#[test]
fn binary_exit_codes() {
    let dir = TempDir::new("exit");
    let out = binary().args(["--rowz", "5"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("did you mean `--rows`?"));

    let out = binary().arg("--help").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("--fail-stage NAME"));

    let out = binary()
        .args(["--rows", "2000", "--fail-stage", "fit.pca", "--out"])
        .arg(&dir.0)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("stage `fit.pca` failed"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");

    let out = binary()
        .args(["--rows", "10", "--out"])
        .arg(&dir.0)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("rows must be between"));
}
