//! Fusion of the detectors into one health signal, and the episodes where it stays high.

use crate::config::Config;
use crate::data::SensorFrame;
use crate::detectors::{Detector, Scores};
use crate::error::PipelineError;
use crate::regimes::Regimes;
use crate::thresholds::Threshold;
use acm_trace::acm_span;

/// The fused score of the batch and of the baseline (the healthy reference for thresholds).
#[derive(Debug, Clone, PartialEq)]
pub struct Fused {
    pub batch: Vec<f64>,
    pub baseline: Vec<f64>,
}

/// Fuses the batch's scores and the training rows' scores alike.
///
/// Span: `fusion.combine`
#[acm_span("fusion.combine")]
pub fn combine(cfg: &Config, batch: &Scores, baseline: &Scores) -> Result<Fused, PipelineError> {
    cfg.fail_point("fusion.combine")?;
    Ok(Fused {
        batch: fuse(cfg, batch)?,
        baseline: fuse(cfg, baseline)?,
    })
}

/// Weighted mean of the detectors' z-scores, each clipped to `[0, z_clip]`: below-median
/// scores carry no evidence of a fault, and one saturated detector must not outvote the rest.
pub fn fuse(cfg: &Config, scores: &Scores) -> Result<Vec<f64>, PipelineError> {
    let n = scores.nrows();
    let clip = cfg.tuning.z_clip;
    let mut fused = vec![0.0; n];
    let mut total_w = 0.0;
    for s in &scores.by_detector {
        if s.z.len() != n {
            return Err(PipelineError::Numerical {
                stage: "fusion.combine",
                reason: format!(
                    "detector `{}` scored {} rows, expected {n}",
                    s.detector,
                    s.z.len()
                ),
            });
        }
        let w = cfg.weight(s.detector);
        total_w += w;
        for (f, z) in fused.iter_mut().zip(&s.z) {
            *f += w * z.clamp(0.0, clip);
        }
    }
    if total_w <= 0.0 {
        return Err(PipelineError::Numerical {
            stage: "fusion.combine",
            reason: "no detector has a positive weight".to_owned(),
        });
    }
    fused.iter_mut().for_each(|f| *f /= total_w);
    Ok(fused)
}

/// A run of rows whose fused score exceeded the threshold.
#[derive(Debug, Clone, PartialEq)]
pub struct Episode {
    /// 1-based within the batch.
    pub id: usize,
    /// First and last row (inclusive), as indices into the equipment's whole history.
    pub start_row: usize,
    pub end_row: usize,
    pub start_ts: i64,
    pub end_ts: i64,
    pub peak: f64,
    pub mean: f64,
    /// Detector with the highest mean z-score over the episode: where to look first.
    pub culprit: Detector,
    /// Most frequent regime during the episode.
    pub regime: usize,
}

impl Episode {
    pub fn n_rows(&self) -> usize {
        self.end_row - self.start_row + 1
    }
}

/// Finds the episodes of a batch.
///
/// Span: `fusion.detect_episodes`
#[acm_span("fusion.detect_episodes")]
pub fn detect_episodes(
    cfg: &Config,
    fused: &[f64],
    scores: &Scores,
    threshold: &Threshold,
    regimes: &Regimes,
    frame: &SensorFrame,
) -> Result<Vec<Episode>, PipelineError> {
    cfg.fail_point("fusion.detect_episodes")?;
    if fused.len() != frame.len()
        || scores.nrows() != frame.len()
        || regimes.labels.len() != frame.len()
    {
        return Err(PipelineError::Numerical {
            stage: "fusion.detect_episodes",
            reason: "scores, regimes and rows differ in length".to_owned(),
        });
    }
    let t = &cfg.tuning;
    let runs = find_runs(
        fused,
        threshold.value,
        t.episode_min_len,
        t.episode_merge_gap,
    );
    Ok(runs
        .into_iter()
        .enumerate()
        .map(|(i, (s, e))| {
            let span = &fused[s..=e];
            let culprit = scores
                .by_detector
                .iter()
                .map(|d| (d.detector, crate::stats::mean(&d.z[s..=e])))
                .max_by(|a, b| a.1.total_cmp(&b.1))
                .map_or(Detector::Ar1, |(d, _)| d);
            let mut votes = vec![0usize; regimes.k()];
            for &r in &regimes.labels[s..=e] {
                votes[r] += 1;
            }
            let regime = (0..votes.len()).max_by_key(|&r| votes[r]).unwrap_or(0);
            Episode {
                id: i + 1,
                start_row: frame.first_row + s,
                end_row: frame.first_row + e,
                start_ts: frame.ts[s],
                end_ts: frame.ts[e],
                peak: span.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                mean: crate::stats::mean(span),
                culprit,
                regime,
            }
        })
        .collect())
}

/// Inclusive `(start, end)` index ranges where `x > threshold`, after joining runs separated by
/// at most `merge_gap` rows below it and then dropping runs shorter than `min_len`. Merging
/// first lets a flickering fault count as one episode rather than several short ones that
/// the length filter would discard.
pub fn find_runs(
    x: &[f64],
    threshold: f64,
    min_len: usize,
    merge_gap: usize,
) -> Vec<(usize, usize)> {
    let mut runs: Vec<(usize, usize)> = Vec::new();
    let mut start = None;
    for (i, &v) in x.iter().enumerate() {
        match (v > threshold, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                runs.push((s, i - 1));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        runs.push((s, x.len() - 1));
    }
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for (s, e) in runs {
        match merged.last_mut() {
            Some(last) if s - last.1 - 1 <= merge_gap => last.1 = e,
            _ => merged.push((s, e)),
        }
    }
    merged.retain(|(s, e)| e - s + 1 >= min_len.max(1));
    merged
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detectors::DetectorScores;
    use crate::linalg::Matrix;
    use crate::regimes::KMeans;
    use crate::thresholds::ThresholdRule;

    /// 5 inside the half-open `(start, end)` ranges, 0 elsewhere.
    fn series(above: &[(usize, usize)], n: usize) -> Vec<f64> {
        (0..n)
            .map(|i| {
                if above.iter().any(|&(s, e)| (s..e).contains(&i)) {
                    5.0
                } else {
                    0.0
                }
            })
            .collect()
    }

    #[test]
    fn runs_merge_across_small_gaps_and_short_ones_drop() {
        // 10..15 and 18..30 are 3 rows apart → merged; 50..52 is too short; 70..80 stands alone.
        let x = series(&[(10, 15), (18, 30), (50, 52), (70, 80)], 100);
        assert_eq!(find_runs(&x, 1.0, 5, 3), vec![(10, 29), (70, 79)]);
        // With no merging the first pair stays apart and both are long enough.
        assert_eq!(find_runs(&x, 1.0, 5, 0), vec![(10, 14), (18, 29), (70, 79)]);
        // Two short runs that only pass the length filter once merged.
        let y = series(&[(0, 3), (5, 8)], 20);
        assert_eq!(find_runs(&y, 1.0, 5, 2), vec![(0, 7)]);
        assert_eq!(find_runs(&y, 1.0, 5, 1), Vec::<(usize, usize)>::new());
    }

    #[test]
    fn run_touching_the_end_is_kept_and_threshold_is_strict() {
        let x = series(&[(95, 100)], 100);
        assert_eq!(find_runs(&x, 1.0, 5, 0), vec![(95, 99)]);
        assert!(find_runs(&x, 5.0, 1, 0).is_empty());
        assert!(find_runs(&[], 0.0, 1, 0).is_empty());
    }

    fn scores_of(z: Vec<Vec<f64>>) -> Scores {
        Scores {
            by_detector: Detector::ALL
                .iter()
                .zip(z)
                .map(|(&detector, z)| DetectorScores {
                    detector,
                    raw: z.clone(),
                    z,
                })
                .collect(),
        }
    }

    #[test]
    fn combine_clips_and_weights() {
        let mut cfg = Config::default();
        cfg.tuning.fusion_weights = [1.0, 1.0, 0.0, 0.0, 2.0];
        let s = scores_of(vec![
            vec![-4.0, 2.0],
            vec![1.0, 50.0],
            vec![9.0, 9.0],
            vec![9.0, 9.0],
            vec![2.0, 1.0],
        ]);
        let f = fuse(&cfg, &s).unwrap();
        // row 0: (0 + 1 + 2·2)/4; row 1: (2 + 10 + 2·1)/4.
        assert_eq!(f, vec![1.25, 3.5]);
    }

    #[test]
    fn episodes_carry_rows_times_culprit_and_regime() {
        let cfg = Config::default();
        let n = 60;
        let mut z = vec![vec![0.0; n]; 5];
        z[Detector::Omr.index()][20..30].fill(8.0);
        z[Detector::Pca.index()][20..30].fill(4.0);
        let scores = scores_of(z);
        let fused = fuse(&cfg, &scores).unwrap();
        let frame = SensorFrame {
            first_row: 1_000,
            ts: (0..n as i64).map(|i| 60 * i).collect(),
            values: Matrix::zeros(n, 7),
        };
        let regimes = Regimes {
            model: KMeans {
                centroids: Matrix::zeros(2, 1),
                inertia: 0.0,
                iterations: 1,
            },
            labels: (0..n).map(|i| usize::from(i >= 25)).collect(),
        };
        let th = Threshold {
            value: 1.0,
            rule: ThresholdRule::Floor,
            median: 0.0,
            sigma: 0.0,
            upper_quantile: 0.0,
        };
        let eps = detect_episodes(&cfg, &fused, &scores, &th, &regimes, &frame).unwrap();
        assert_eq!(eps.len(), 1);
        let e = &eps[0];
        assert_eq!((e.start_row, e.end_row, e.n_rows()), (1_020, 1_029, 10));
        assert_eq!((e.start_ts, e.end_ts), (1_200, 1_740));
        assert_eq!(e.culprit, Detector::Omr);
        assert_eq!(e.regime, 1);
        assert!((e.peak - (0.25 * 4.0 + 0.2 * 8.0)).abs() < 1e-12);
    }
}
