//! Run configuration: what the CLI sets, plus the algorithm settings with sane defaults.

use std::path::PathBuf;

use crate::detectors::Detector;
use crate::error::PipelineError;

pub const DEFAULT_EQUIPMENT: &str = "FD_FAN";
pub const DEFAULT_ROWS: usize = 20_000;
pub const DEFAULT_OUT_DIR: &str = "./acm-traces";
/// Below this the baseline window is too short for the detectors to mean anything.
pub const MIN_ROWS: usize = 1_000;
/// Each batch must hold at least this many rows for its episodes and forecast to make sense.
pub const MIN_ROWS_PER_BATCH: usize = 200;
/// Generation and SQLite both stay fast below this; above it a typo is more likely than intent.
pub const MAX_ROWS: usize = 5_000_000;

/// Every span name of the pipeline's tree, in the order a successful batch opens them. These
/// are the names `--fail-stage` accepts.
pub const STAGES: &[&str] = &[
    "pipeline.run",
    "startup",
    "load.data",
    "features.compute",
    "models.fit",
    "fit.ar1",
    "fit.pca",
    "fit.iforest",
    "fit.gmm",
    "fit.omr",
    "models.score",
    "score.ar1",
    "score.pca",
    "score.iforest",
    "score.gmm",
    "score.omr",
    "regimes.fit",
    "fusion.combine",
    "thresholds.calculate",
    "fusion.detect_episodes",
    "forecast.run",
    "forecast.fit_degradation",
    "forecast.estimate_rul",
    "analytics.generate",
    "persist.scores",
    "persist.episodes",
    "sql.bulk_insert",
    "finalize",
];

/// Everything one invocation of the pipeline needs.
#[derive(Debug, Clone)]
pub struct Config {
    /// Equipment name, e.g. `FD_FAN`; it seeds the generated data, so each name has its own.
    pub equipment: String,
    /// Number of batches the rows are split into; each is one full pipeline run.
    pub batches: usize,
    /// Number of generated sensor rows (one per minute).
    pub rows: usize,
    /// Directory for the SQLite database (and, once tracing is on, the trace files).
    pub out_dir: PathBuf,
    /// A stage (span name from [`STAGES`]) that should fail on purpose.
    pub fail_stage: Option<String>,
    /// Run identifier written to the database; a fresh UUID v4 when `None`.
    pub run_id: Option<String>,
    /// Base seed for data generation and the randomised detectors.
    pub seed: u64,
    pub tuning: Tuning,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            equipment: DEFAULT_EQUIPMENT.to_owned(),
            batches: 1,
            rows: DEFAULT_ROWS,
            out_dir: PathBuf::from(DEFAULT_OUT_DIR),
            fail_stage: None,
            run_id: None,
            seed: 0x00AC_0001,
            tuning: Tuning::default(),
        }
    }
}

/// Algorithm settings. The defaults are the ones the demo is tuned for.
#[derive(Debug, Clone)]
pub struct Tuning {
    /// Share of all rows, from the start, that is the healthy baseline the models are fit on.
    pub baseline_fraction: f64,
    /// Rolling window (rows) for the features.
    pub rolling_window: usize,
    /// PCA keeps the fewest components explaining at least this share of variance.
    pub pca_variance: f64,
    pub iforest_trees: usize,
    pub iforest_sample: usize,
    pub gmm_components: usize,
    pub gmm_max_iter: usize,
    pub regimes_k: usize,
    /// Fusion weights, in [`Detector::ALL`] order.
    pub fusion_weights: [f64; 5],
    /// Robust z-scores are clipped to this before fusion so one detector cannot swamp the rest.
    pub z_clip: f64,
    /// Threshold = median + k · σ̂(MAD) of the fused score…
    pub threshold_k: f64,
    /// …but never below this fused z, so a quiet batch does not alarm on noise.
    pub threshold_floor: f64,
    pub episode_min_len: usize,
    pub episode_merge_gap: usize,
    /// Health index (0–100) at which the equipment counts as failed.
    pub failure_health: f64,
    /// Rows averaged into one point of the health series the trend is fit to.
    pub forecast_bucket: usize,
    /// Share of the most recent health points the degradation trend is fit to.
    pub forecast_recent_fraction: f64,
}

impl Default for Tuning {
    fn default() -> Self {
        Self {
            baseline_fraction: 0.25,
            rolling_window: 30,
            pca_variance: 0.90,
            iforest_trees: 100,
            iforest_sample: 256,
            gmm_components: 3,
            gmm_max_iter: 100,
            regimes_k: 3,
            fusion_weights: [0.15, 0.25, 0.20, 0.20, 0.20],
            z_clip: 10.0,
            threshold_k: 4.0,
            threshold_floor: 3.0,
            episode_min_len: 5,
            episode_merge_gap: 10,
            failure_health: 20.0,
            forecast_bucket: 60,
            forecast_recent_fraction: 0.3,
        }
    }
}

impl Config {
    /// Checks everything that can be checked before touching the disk.
    pub fn validate(&self) -> Result<(), PipelineError> {
        let bad = |m: String| Err(PipelineError::Config(m));
        let name = self.equipment.trim();
        if name.is_empty() || name.len() > 64 {
            return bad(format!(
                "equipment name must be 1 to 64 characters, got {:?}",
                self.equipment
            ));
        }
        if name.chars().any(char::is_control) {
            return bad(format!(
                "equipment name {:?} contains control characters",
                self.equipment
            ));
        }
        if !(MIN_ROWS..=MAX_ROWS).contains(&self.rows) {
            return bad(format!(
                "rows must be between {MIN_ROWS} and {MAX_ROWS}, got {}",
                self.rows
            ));
        }
        if self.batches == 0 {
            return bad("batches must be at least 1".to_owned());
        }
        if self.rows / self.batches < MIN_ROWS_PER_BATCH {
            return bad(format!(
                "{} rows in {} batches leaves {} rows per batch; at least {MIN_ROWS_PER_BATCH} \
                 are needed",
                self.rows,
                self.batches,
                self.rows / self.batches
            ));
        }
        if let Some(stage) = &self.fail_stage
            && !STAGES.contains(&stage.as_str())
        {
            return bad(format!(
                "unknown stage `{stage}` for --fail-stage; known stages: {}",
                STAGES.join(", ")
            ));
        }
        let t = &self.tuning;
        if !(0.05..=0.9).contains(&t.baseline_fraction) {
            return bad(format!(
                "baseline_fraction must be in [0.05, 0.9], got {}",
                t.baseline_fraction
            ));
        }
        if t.rolling_window < 2 || t.regimes_k == 0 || t.gmm_components == 0 {
            return bad(
                "rolling_window ≥ 2, regimes_k ≥ 1 and gmm_components ≥ 1 are required".into(),
            );
        }
        if t.iforest_trees == 0 || t.iforest_sample < 2 || t.forecast_bucket == 0 {
            return bad(
                "iforest_trees ≥ 1, iforest_sample ≥ 2 and forecast_bucket ≥ 1 are required".into(),
            );
        }
        if t.fusion_weights.iter().any(|w| !w.is_finite() || *w < 0.0)
            || t.fusion_weights.iter().sum::<f64>() <= 0.0
        {
            return bad("fusion weights must be non-negative with a positive sum".into());
        }
        Ok(())
    }

    /// Number of baseline rows the models are trained on.
    pub fn baseline_rows(&self) -> usize {
        ((self.rows as f64 * self.tuning.baseline_fraction) as usize).max(MIN_ROWS_PER_BATCH)
    }

    /// Row range `[start, end)` of batch `batch_num` (1-based); the last batch takes the rest.
    pub fn batch_range(&self, batch_num: usize) -> (usize, usize) {
        let per = self.rows / self.batches;
        let start = (batch_num - 1) * per;
        let end = if batch_num == self.batches {
            self.rows
        } else {
            start + per
        };
        (start, end)
    }

    /// Fails with [`PipelineError::InjectedFailure`] if `stage` is the one `--fail-stage` names.
    pub fn fail_point(&self, stage: &str) -> Result<(), PipelineError> {
        match &self.fail_stage {
            Some(s) if s == stage => Err(PipelineError::InjectedFailure {
                stage: stage.to_owned(),
            }),
            _ => Ok(()),
        }
    }

    /// Fusion weight of a detector.
    pub fn weight(&self, detector: Detector) -> f64 {
        self.tuning.fusion_weights[detector.index()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_valid() {
        Config::default().validate().unwrap();
    }

    #[test]
    fn rejects_bad_values_with_a_reason() {
        let c = Config {
            rows: 10,
            ..Config::default()
        };
        assert!(
            c.validate()
                .unwrap_err()
                .to_string()
                .contains("rows must be between")
        );
        let c = Config {
            batches: 0,
            ..Config::default()
        };
        assert!(c.validate().is_err());
        let c = Config {
            batches: 500,
            ..Config::default()
        };
        assert!(
            c.validate()
                .unwrap_err()
                .to_string()
                .contains("rows per batch")
        );
        let c = Config {
            fail_stage: Some("fit.pac".into()),
            ..Config::default()
        };
        assert!(
            c.validate()
                .unwrap_err()
                .to_string()
                .contains("unknown stage `fit.pac`")
        );
        let c = Config {
            equipment: " ".into(),
            ..Config::default()
        };
        assert!(c.validate().is_err());
    }

    #[test]
    fn batches_cover_all_rows() {
        let c = Config {
            rows: 1003,
            batches: 3,
            ..Config::default()
        };
        assert_eq!(c.batch_range(1), (0, 334));
        assert_eq!(c.batch_range(2), (334, 668));
        assert_eq!(c.batch_range(3), (668, 1003));
    }

    #[test]
    fn fail_point_only_fires_on_its_stage() {
        let c = Config {
            fail_stage: Some("fit.gmm".into()),
            ..Config::default()
        };
        assert!(c.fail_point("fit.pca").is_ok());
        let e = c.fail_point("fit.gmm").unwrap_err();
        assert_eq!(e.injected_stage(), Some("fit.gmm"));
    }

    #[test]
    fn every_detector_has_its_stages() {
        for d in Detector::ALL {
            assert!(STAGES.contains(&format!("fit.{d}").as_str()));
            assert!(STAGES.contains(&format!("score.{d}").as_str()));
        }
    }
}
