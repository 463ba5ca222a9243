//! The pipeline: one `pipeline.run` per batch, its stages in the order of ACM's trace.

use acm_trace::acm_span;
use std::fmt;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::analytics;
use crate::config::Config;
use crate::detectors::{self, Detector, DetectorInput};
use crate::error::PipelineError;
use crate::features;
use crate::finalize::{finalize, record_failure};
use crate::forecast::{self, RulStatus};
use crate::fusion;
use crate::load;
use crate::persist;
use crate::regimes;
use crate::startup::{self, Session};
use crate::thresholds;

/// What one batch found.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchSummary {
    pub batch_num: usize,
    pub batch_total: usize,
    pub first_row: usize,
    pub rows: usize,
    /// Whether this batch generated and stored the sensor history.
    pub generated_data: bool,
    pub threshold: f64,
    pub alert_fraction: f64,
    pub episodes: usize,
    /// Detector named culprit of the most episodes, if any.
    pub top_culprit: Option<Detector>,
    pub regimes: usize,
    pub health_now: f64,
    pub rul_status: RulStatus,
    pub rul_hours: Option<f64>,
    pub scores_written: usize,
    pub elapsed: Duration,
}

/// What a whole invocation did.
#[derive(Debug, Clone, PartialEq)]
pub struct RunSummary {
    pub run_id: String,
    pub equipment: String,
    pub equip_id: i64,
    pub db_path: PathBuf,
    pub batches: Vec<BatchSummary>,
}

/// Runs every batch in order; stops at the first failing batch and returns its error (the
/// batch's `runs` row is then marked `failed`, earlier batches stay stored).
pub fn run(cfg: &Config) -> Result<RunSummary, PipelineError> {
    cfg.validate()?;
    let run_id = cfg.run_id.clone().unwrap_or_else(startup::new_run_id);
    let mut summary = RunSummary {
        run_id: run_id.clone(),
        equipment: cfg.equipment.trim().to_owned(),
        equip_id: 0,
        db_path: cfg.out_dir.join(crate::db::DB_FILE),
        batches: Vec::with_capacity(cfg.batches),
    };
    let batch_total = u32::try_from(cfg.batches).unwrap_or(u32::MAX);
    let equip_id = startup::register_equipment(cfg)?;
    acm_trace::context::set(
        acm_trace::RunContext::new(summary.equipment.clone())
            .with_equip_id(equip_id.to_string())
            .with_run_id(run_id.clone())
            .with_batches(1, batch_total),
    );
    for batch_num in 1..=cfg.batches {
        acm_trace::context::update_batch(u32::try_from(batch_num).unwrap_or(u32::MAX), batch_total);
        let (batch, equip_id) = run_batch(cfg, &run_id, batch_num)?;
        summary.equip_id = equip_id;
        summary.batches.push(batch);
    }
    Ok(summary)
}

/// One full pass over one batch. Returns the batch's summary and the equipment id.
///
/// Span: `pipeline.run`
#[acm_span("pipeline.run", track_resources)]
pub fn run_batch(
    cfg: &Config,
    run_id: &str,
    batch_num: usize,
) -> Result<(BatchSummary, i64), PipelineError> {
    cfg.fail_point("pipeline.run")?;
    let started = Instant::now();
    let mut session = startup::startup(cfg, run_id, batch_num)?;
    let equip_id = session.equip_id;
    match run_stages(cfg, &mut session, started) {
        Ok((summary, analytics)) => {
            finalize(cfg, session, &summary, &analytics)?;
            Ok((summary, equip_id))
        }
        Err(e) => {
            record_failure(&session, &e);
            Err(e)
        }
    }
}

fn run_stages(
    cfg: &Config,
    session: &mut Session,
    started: Instant,
) -> Result<(BatchSummary, analytics::Analytics), PipelineError> {
    let data = load::load_data(cfg, session)?;
    let feats = features::compute_features(cfg, &data)?;
    let train = DetectorInput {
        raw: &data.baseline.values,
        features: &feats.baseline,
    };
    let models = detectors::fit_models(cfg, train)?;
    let batch = DetectorInput {
        raw: &data.batch.values,
        features: &feats.batch,
    };
    let scores = detectors::score_models(cfg, &models, batch)?;
    let regimes = regimes::fit_regimes(cfg, &feats)?;
    let fused = fusion::combine(cfg, &scores, &models.training_scores())?;
    let threshold = thresholds::calculate(cfg, &fused)?;
    let fused = fused.batch;
    let episodes =
        fusion::detect_episodes(cfg, &fused, &scores, &threshold, &regimes, &data.batch)?;
    let forecast = forecast::run_forecast(cfg, &fused, &data.batch.ts)?;
    let analytics = analytics::generate(cfg, &scores, &fused, &threshold, &regimes, &episodes)?;
    let scores_written = persist::persist_scores(
        cfg,
        session,
        &data.batch,
        &scores,
        &fused,
        &regimes,
        &threshold,
    )?;
    persist::persist_episodes(cfg, session, &episodes)?;

    let top_culprit = analytics
        .detectors
        .iter()
        .filter(|d| d.culprit_of > 0)
        .max_by_key(|d| d.culprit_of)
        .map(|d| d.detector);
    let summary = BatchSummary {
        batch_num: session.batch_num,
        batch_total: session.batch_total,
        first_row: data.batch.first_row,
        rows: data.batch.len(),
        generated_data: data.generated,
        threshold: threshold.value,
        alert_fraction: analytics.alert_fraction,
        episodes: episodes.len(),
        top_culprit,
        regimes: regimes.k(),
        health_now: forecast.degradation.health_now,
        rul_status: forecast.rul.status,
        rul_hours: forecast.rul.hours,
        scores_written,
        elapsed: started.elapsed(),
    };
    Ok((summary, analytics))
}

impl fmt::Display for RunSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "run {} · equipment {} (id {})",
            self.run_id, self.equipment, self.equip_id
        )?;
        for b in &self.batches {
            let rul = match (b.rul_status, b.rul_hours) {
                (RulStatus::Degrading, Some(h)) => format!("RUL {h:.0} h"),
                (RulStatus::Failed, _) => "RUL 0 h (below failure level)".to_owned(),
                _ => "no degradation trend".to_owned(),
            };
            let culprit = b
                .top_culprit
                .map_or(String::new(), |d| format!(", mostly {d}"));
            writeln!(
                f,
                "  batch {}/{}: rows {}..{} · threshold {:.2} · {:.1}% alerting · {} episode{}{} · \
                 {} regimes · health {:.0} · {} · {} ms",
                b.batch_num,
                b.batch_total,
                b.first_row,
                b.first_row + b.rows,
                b.threshold,
                100.0 * b.alert_fraction,
                b.episodes,
                if b.episodes == 1 { "" } else { "s" },
                culprit,
                b.regimes,
                b.health_now,
                rul,
                b.elapsed.as_millis()
            )?;
        }
        write!(f, "results in {}", self.db_path.display())
    }
}
