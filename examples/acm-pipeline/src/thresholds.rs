//! The alert threshold on the fused score, adapted to how noisy the healthy baseline is.

use crate::config::Config;
use crate::error::PipelineError;
use crate::fusion::Fused;
use crate::stats::{MAD_TO_SIGMA, mad, median, quantile};
use acm_trace::acm_span;

/// Which of the candidate levels set the threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThresholdRule {
    /// Baseline median + k·σ̂(MAD).
    Mad,
    /// The baseline's upper quantile: used when the baseline's tail is heavier than its MAD
    /// suggests, which is common for clipped, skewed scores like these.
    Quantile,
    /// The configured minimum.
    Floor,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Threshold {
    pub value: f64,
    pub rule: ThresholdRule,
    /// Statistics of the baseline's fused score.
    pub median: f64,
    pub sigma: f64,
    pub upper_quantile: f64,
}

/// Quantile of the baseline's fused score a healthy row should rarely exceed.
pub const UPPER_QUANTILE: f64 = 0.995;

/// The largest of: the baseline's median + k·σ̂ (σ̂ from the MAD, robust to the odd outlier in
/// the baseline), its [`UPPER_QUANTILE`], and the configured floor. Set on the healthy
/// baseline rather than on the batch, so a batch that is degraded throughout still alerts.
///
/// Span: `thresholds.calculate`
#[acm_span("thresholds.calculate")]
pub fn calculate(cfg: &Config, fused: &Fused) -> Result<Threshold, PipelineError> {
    cfg.fail_point("thresholds.calculate")?;
    let reference = &fused.baseline;
    if reference.is_empty() {
        return Err(PipelineError::InsufficientData {
            stage: "thresholds.calculate",
            needed: 1,
            got: 0,
        });
    }
    if reference.iter().chain(&fused.batch).any(|v| !v.is_finite()) {
        return Err(PipelineError::Numerical {
            stage: "thresholds.calculate",
            reason: "the fused score has non-finite values".to_owned(),
        });
    }
    let med = median(reference);
    let sigma = MAD_TO_SIGMA * mad(reference);
    let upper_quantile = quantile(reference, UPPER_QUANTILE);
    let candidates = [
        (med + cfg.tuning.threshold_k * sigma, ThresholdRule::Mad),
        (upper_quantile, ThresholdRule::Quantile),
        (cfg.tuning.threshold_floor, ThresholdRule::Floor),
    ];
    let (value, rule) = candidates
        .into_iter()
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .unwrap_or((cfg.tuning.threshold_floor, ThresholdRule::Floor));
    Ok(Threshold {
        value,
        rule,
        median: med,
        sigma,
        upper_quantile,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fused(baseline: Vec<f64>) -> Fused {
        Fused {
            batch: vec![0.0],
            baseline,
        }
    }

    #[test]
    fn median_plus_k_mad() {
        let mut cfg = Config::default();
        cfg.tuning.threshold_k = 2.0;
        cfg.tuning.threshold_floor = 0.0;
        // 199 values spread 0..=198 plus one outlier: median 99.5, MAD 50; the outlier sets the
        // quantile only if it is the MAD's rule that loses.
        let mut b: Vec<f64> = (0..199).map(f64::from).collect();
        b.push(10_000.0);
        let t = calculate(&cfg, &fused(b)).unwrap();
        assert_eq!(t.median, 99.5);
        assert!((t.sigma - 50.0 * MAD_TO_SIGMA).abs() < 1e-9);
        assert_eq!(t.rule, ThresholdRule::Mad);
        assert!((t.value - (99.5 + 2.0 * 50.0 * MAD_TO_SIGMA)).abs() < 1e-9);
    }

    #[test]
    fn heavy_tail_uses_the_quantile() {
        let mut cfg = Config::default();
        cfg.tuning.threshold_floor = 0.0;
        // Mostly constant with a 2% tail at 50: the MAD is 0, the 99.5% quantile is 50.
        let b: Vec<f64> = (0..1_000)
            .map(|i| if i % 50 == 0 { 50.0 } else { 1.0 })
            .collect();
        let t = calculate(&cfg, &fused(b)).unwrap();
        assert_eq!((t.value, t.rule), (50.0, ThresholdRule::Quantile));
    }

    #[test]
    fn floor_applies_to_quiet_baselines() {
        let cfg = Config::default();
        let t = calculate(&cfg, &fused(vec![0.1; 100])).unwrap();
        assert_eq!(
            (t.value, t.rule),
            (cfg.tuning.threshold_floor, ThresholdRule::Floor)
        );
    }

    #[test]
    fn rejects_empty_and_nan() {
        assert!(calculate(&Config::default(), &fused(vec![])).is_err());
        assert!(calculate(&Config::default(), &fused(vec![1.0, f64::NAN])).is_err());
    }
}
