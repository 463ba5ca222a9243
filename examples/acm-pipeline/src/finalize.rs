//! Finalize: store the batch's analytics, mark its `runs` row done, close the database.

use crate::analytics::{Analytics, SummaryStats};
use crate::config::Config;
use crate::db;
use crate::error::{PipelineError, SqlContext};
use crate::pipeline::BatchSummary;
use crate::startup::Session;
use acm_trace::acm_span;

/// Span: `finalize`
#[acm_span("finalize")]
pub fn finalize(
    cfg: &Config,
    mut session: Session,
    summary: &BatchSummary,
    analytics: &Analytics,
) -> Result<(), PipelineError> {
    if let Err(e) = write_results(cfg, &mut session, summary, analytics) {
        record_failure(&session, &e);
        return Err(e);
    }
    // Closing explicitly surfaces errors (e.g. a failed WAL checkpoint) that drop would hide.
    session
        .conn
        .close()
        .map_err(|(_, source)| PipelineError::Sql {
            action: "close the database",
            source,
        })
}

fn write_results(
    cfg: &Config,
    session: &mut Session,
    summary: &BatchSummary,
    analytics: &Analytics,
) -> Result<(), PipelineError> {
    cfg.fail_point("finalize")?;
    let mut rows: Vec<(&'static str, String, &SummaryStats)> = analytics
        .detectors
        .iter()
        .map(|d| ("detector", d.detector.to_string(), &d.z))
        .collect();
    rows.extend(
        analytics
            .regimes
            .iter()
            .map(|r| ("regime", format!("regime_{}", r.regime), &r.fused)),
    );
    let (run_id, batch_num) = (session.run_id.clone(), session.batch_num as i64);
    let tx = session
        .conn
        .transaction()
        .sql("begin the finalize transaction")?;
    db::insert_chunked(
        cfg,
        &tx,
        "analytics",
        "INSERT INTO analytics (run_id, batch_num, scope, name, n_rows, mean, p95, max, frac_alert)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        &rows,
        |stmt, (scope, name, s)| {
            stmt.execute((
                &run_id,
                batch_num,
                scope,
                name,
                s.n as i64,
                s.mean,
                s.p95,
                s.max,
                s.frac_alert,
            ))
        },
    )?;
    tx.execute(
        "UPDATE runs SET finished_at = ?1, first_row = ?2, n_rows = ?3, threshold = ?4,
             n_episodes = ?5, health = ?6, rul_hours = ?7, status = 'success'
         WHERE run_id = ?8 AND batch_num = ?9",
        (
            db::now_unix(),
            summary.first_row as i64,
            summary.rows as i64,
            summary.threshold,
            summary.episodes as i64,
            summary.health_now,
            summary.rul_hours,
            &run_id,
            batch_num,
        ),
    )
    .sql("mark the run finished")?;
    tx.commit().sql("commit the run")
}

/// Best effort: marks the batch's `runs` row failed. The caller is already returning the
/// original error, which matters more than a failure to record it.
pub fn record_failure(session: &Session, error: &PipelineError) {
    let _ = session.conn.execute(
        "UPDATE runs SET finished_at = ?1, status = 'failed', error = ?2
         WHERE run_id = ?3 AND batch_num = ?4",
        (
            db::now_unix(),
            error.to_string(),
            &session.run_id,
            session.batch_num as i64,
        ),
    );
}
