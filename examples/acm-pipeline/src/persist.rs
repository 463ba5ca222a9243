//! Persistence of a batch's results, each table in one transaction.

use crate::config::Config;
use crate::data::SensorFrame;
use crate::db;
use crate::detectors::{Detector, Scores};
use crate::error::{PipelineError, SqlContext};
use crate::forecast::health_index;
use crate::fusion::Episode;
use crate::regimes::Regimes;
use crate::startup::Session;
use crate::thresholds::Threshold;
use acm_trace::acm_span;

/// Writes one `scores` row per batch row: every detector's z-score, the fused score, regime,
/// health and whether it alerted.
///
/// Span: `persist.scores`
#[acm_span("persist.scores")]
pub fn persist_scores(
    cfg: &Config,
    session: &mut Session,
    frame: &SensorFrame,
    scores: &Scores,
    fused: &[f64],
    regimes: &Regimes,
    threshold: &Threshold,
) -> Result<usize, PipelineError> {
    cfg.fail_point("persist.scores")?;
    let z: Vec<&[f64]> = Detector::ALL
        .iter()
        .map(|&d| scores.get(d).map(|s| s.z.as_slice()))
        .collect::<Option<_>>()
        .ok_or_else(|| PipelineError::Numerical {
            stage: "persist.scores",
            reason: "a detector's scores are missing".to_owned(),
        })?;
    let n = frame.len();
    if fused.len() != n || regimes.labels.len() != n || z.iter().any(|s| s.len() != n) {
        return Err(PipelineError::Numerical {
            stage: "persist.scores",
            reason: "scores and rows differ in length".to_owned(),
        });
    }
    let (run_id, batch_num) = (session.run_id.clone(), session.batch_num as i64);
    let tx = session
        .conn
        .transaction()
        .sql("begin the scores transaction")?;
    let rows: Vec<usize> = (0..n).collect();
    let written = db::insert_chunked(
        cfg,
        &tx,
        "scores",
        "INSERT INTO scores (run_id, row_idx, batch_num, ts, ar1_z, pca_z, iforest_z, gmm_z,
             omr_z, fused, regime, health, alert)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        &rows,
        |stmt, &i| {
            stmt.execute((
                &run_id,
                (frame.first_row + i) as i64,
                batch_num,
                frame.ts[i],
                z[0][i],
                z[1][i],
                z[2][i],
                z[3][i],
                z[4][i],
                fused[i],
                regimes.labels[i] as i64,
                health_index(fused[i]),
                fused[i] > threshold.value,
            ))
        },
    )?;
    tx.commit().sql("commit the scores")?;
    Ok(written)
}

/// Span: `persist.episodes`
#[acm_span("persist.episodes")]
pub fn persist_episodes(
    cfg: &Config,
    session: &mut Session,
    episodes: &[Episode],
) -> Result<usize, PipelineError> {
    cfg.fail_point("persist.episodes")?;
    let (run_id, batch_num) = (session.run_id.clone(), session.batch_num as i64);
    let tx = session
        .conn
        .transaction()
        .sql("begin the episodes transaction")?;
    let written = db::insert_chunked(
        cfg,
        &tx,
        "episodes",
        "INSERT INTO episodes (run_id, batch_num, episode_id, start_row, end_row, start_ts,
             end_ts, peak, mean, culprit, regime)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        episodes,
        |stmt, e| {
            stmt.execute((
                &run_id,
                batch_num,
                e.id as i64,
                e.start_row as i64,
                e.end_row as i64,
                e.start_ts,
                e.end_ts,
                e.peak,
                e.mean,
                e.culprit.as_str(),
                e.regime as i64,
            ))
        },
    )?;
    tx.commit().sql("commit the episodes")?;
    Ok(written)
}
