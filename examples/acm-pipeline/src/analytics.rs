//! Summary statistics of a batch per detector and per regime: which detectors drive the
//! alerts, and whether alerts concentrate in one operating mode.

use crate::config::Config;
use crate::detectors::{Detector, Scores};
use crate::error::PipelineError;
use crate::fusion::Episode;
use crate::regimes::Regimes;
use crate::stats::{mean, quantile};
use crate::thresholds::Threshold;
use acm_trace::acm_span;

/// A detector's z-score above this counts as that detector alerting on its own.
pub const DETECTOR_ALERT_Z: f64 = 3.0;

#[derive(Debug, Clone, PartialEq)]
pub struct SummaryStats {
    pub n: usize,
    pub mean: f64,
    pub p95: f64,
    pub max: f64,
    /// Share of values above the relevant alert level.
    pub frac_alert: f64,
}

impl SummaryStats {
    pub fn of(x: &[f64], alert_level: f64) -> Self {
        let above = x.iter().filter(|&&v| v > alert_level).count();
        Self {
            n: x.len(),
            mean: mean(x),
            p95: quantile(x, 0.95),
            max: x.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            frac_alert: if x.is_empty() {
                0.0
            } else {
                above as f64 / x.len() as f64
            },
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct DetectorStats {
    pub detector: Detector,
    /// Of the detector's z-score; `frac_alert` uses [`DETECTOR_ALERT_Z`].
    pub z: SummaryStats,
    /// Pearson correlation of the detector's z-score with the fused score.
    pub corr_with_fused: f64,
    /// Episodes this detector is the culprit of.
    pub culprit_of: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RegimeStats {
    pub regime: usize,
    /// Of the fused score over the regime's rows; `frac_alert` uses the threshold.
    pub fused: SummaryStats,
    pub episodes: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Analytics {
    pub detectors: Vec<DetectorStats>,
    pub regimes: Vec<RegimeStats>,
    /// Share of the batch's rows above the threshold.
    pub alert_fraction: f64,
}

/// Span: `analytics.generate`
#[acm_span("analytics.generate")]
pub fn generate(
    cfg: &Config,
    scores: &Scores,
    fused: &[f64],
    threshold: &Threshold,
    regimes: &Regimes,
    episodes: &[Episode],
) -> Result<Analytics, PipelineError> {
    cfg.fail_point("analytics.generate")?;
    if regimes.labels.len() != fused.len() || scores.nrows() != fused.len() {
        return Err(PipelineError::Numerical {
            stage: "analytics.generate",
            reason: "scores, fused score and regimes differ in length".to_owned(),
        });
    }
    let detectors = scores
        .by_detector
        .iter()
        .map(|s| DetectorStats {
            detector: s.detector,
            z: SummaryStats::of(&s.z, DETECTOR_ALERT_Z),
            corr_with_fused: correlation(&s.z, fused),
            culprit_of: episodes.iter().filter(|e| e.culprit == s.detector).count(),
        })
        .collect();
    let regimes = (0..regimes.k())
        .map(|r| {
            let vals: Vec<f64> = fused
                .iter()
                .zip(&regimes.labels)
                .filter(|(_, l)| **l == r)
                .map(|(f, _)| *f)
                .collect();
            RegimeStats {
                regime: r,
                fused: SummaryStats::of(&vals, threshold.value),
                episodes: episodes.iter().filter(|e| e.regime == r).count(),
            }
        })
        .collect();
    Ok(Analytics {
        detectors,
        regimes,
        alert_fraction: SummaryStats::of(fused, threshold.value).frac_alert,
    })
}

/// Pearson correlation; 0 when either side is constant.
pub fn correlation(a: &[f64], b: &[f64]) -> f64 {
    let (ma, mb) = (mean(a), mean(b));
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        sab += (x - ma) * (y - mb);
        saa += (x - ma).powi(2);
        sbb += (y - mb).powi(2);
    }
    if saa > 0.0 && sbb > 0.0 {
        sab / (saa * sbb).sqrt()
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detectors::DetectorScores;
    use crate::linalg::Matrix;
    use crate::regimes::KMeans;

    #[test]
    fn summary_and_correlation() {
        let s = SummaryStats::of(&[1.0, 2.0, 3.0, 4.0], 2.5);
        assert_eq!((s.n, s.mean, s.max, s.frac_alert), (4, 2.5, 4.0, 0.5));
        assert!((correlation(&[1.0, 2.0, 3.0], &[2.0, 4.0, 6.0]) - 1.0).abs() < 1e-12);
        assert!((correlation(&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0]) + 1.0).abs() < 1e-12);
        assert_eq!(correlation(&[1.0, 1.0], &[1.0, 2.0]), 0.0);
    }

    #[test]
    fn per_regime_and_per_detector() {
        let fused = vec![0.0, 0.0, 5.0, 5.0];
        let scores = Scores {
            by_detector: Detector::ALL
                .iter()
                .map(|&detector| DetectorScores {
                    detector,
                    raw: fused.clone(),
                    z: fused.clone(),
                })
                .collect(),
        };
        let regimes = Regimes {
            model: KMeans {
                centroids: Matrix::zeros(2, 1),
                inertia: 0.0,
                iterations: 1,
            },
            labels: vec![0, 0, 1, 1],
        };
        let th = Threshold {
            value: 3.0,
            rule: crate::thresholds::ThresholdRule::Floor,
            median: 0.0,
            sigma: 1.0,
            upper_quantile: 0.0,
        };
        let a = generate(&Config::default(), &scores, &fused, &th, &regimes, &[]).unwrap();
        assert_eq!(a.alert_fraction, 0.5);
        assert_eq!(a.regimes[0].fused.frac_alert, 0.0);
        assert_eq!(a.regimes[1].fused.frac_alert, 1.0);
        assert!(
            a.detectors
                .iter()
                .all(|d| (d.corr_with_fused - 1.0).abs() < 1e-12)
        );
        assert_eq!(a.detectors[0].z.frac_alert, 0.5);
    }
}
