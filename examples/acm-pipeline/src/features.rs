//! Feature engineering: per channel the value, a trailing rolling mean and standard deviation,
//! the value's z-score within its window, and the one-step difference (a lag feature). The
//! matrix is then standardised with the baseline's statistics so all features weigh alike.

use crate::config::Config;
use crate::data::{CHANNELS, SensorFrame};
use crate::error::PipelineError;
use crate::linalg::Matrix;
use crate::load::LoadedData;
use acm_trace::acm_span;

/// Per-channel features, in column order within each channel's block.
pub const PER_CHANNEL: [&str; 5] = ["value", "mean", "std", "z", "diff"];

/// Column means and standard deviations used to standardise features.
#[derive(Debug, Clone, PartialEq)]
pub struct Standardizer {
    pub mean: Vec<f64>,
    pub std: Vec<f64>,
}

impl Standardizer {
    pub fn fit(x: &Matrix) -> Self {
        let mean = x.col_means();
        // A feature constant on the baseline gets scale 1: any later change is then visible
        // in its own units instead of being divided by zero.
        let std = (0..x.ncols())
            .map(|c| {
                let s = crate::stats::std_dev(&x.col(c));
                if s > 1e-9 { s } else { 1.0 }
            })
            .collect();
        Self { mean, std }
    }

    pub fn apply(&self, x: &Matrix) -> Matrix {
        let mut out = x.clone();
        for r in 0..out.nrows() {
            for ((v, m), s) in out.row_mut(r).iter_mut().zip(&self.mean).zip(&self.std) {
                *v = (*v - m) / s;
            }
        }
        out
    }
}

/// Standardised features of the baseline and of the batch.
#[derive(Debug, Clone)]
pub struct Features {
    /// `"{channel}.{feature}"`, one per column.
    pub names: Vec<String>,
    pub baseline: Matrix,
    pub batch: Matrix,
    pub scaler: Standardizer,
}

impl Features {
    pub fn column(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }
}

/// Builds the feature matrices of both windows.
///
/// Span: `features.compute`
#[acm_span("features.compute")]
pub fn compute_features(cfg: &Config, data: &LoadedData) -> Result<Features, PipelineError> {
    cfg.fail_point("features.compute")?;
    for (what, frame) in [("baseline", &data.baseline), ("batch", &data.batch)] {
        check_finite(what, frame)?;
    }
    let w = cfg.tuning.rolling_window;
    let baseline_raw = rolling_features(&data.baseline.values, w);
    let batch_raw = rolling_features(&data.batch.values, w);
    let scaler = Standardizer::fit(&baseline_raw);
    let names = CHANNELS
        .iter()
        .flat_map(|c| PER_CHANNEL.iter().map(move |f| format!("{c}.{f}")))
        .collect();
    Ok(Features {
        names,
        baseline: scaler.apply(&baseline_raw),
        batch: scaler.apply(&batch_raw),
        scaler,
    })
}

fn check_finite(what: &str, frame: &SensorFrame) -> Result<(), PipelineError> {
    for r in 0..frame.len() {
        if let Some(c) = frame.values.row(r).iter().position(|v| !v.is_finite()) {
            return Err(PipelineError::Numerical {
                stage: "features.compute",
                reason: format!(
                    "{what} row {} has a non-finite `{}`",
                    frame.first_row + r,
                    CHANNELS.get(c).unwrap_or(&"?")
                ),
            });
        }
    }
    Ok(())
}

/// Unstandardised features of `x` (rows in time order) with a trailing window of `window`
/// rows; the first rows use the shorter window they have.
pub fn rolling_features(x: &Matrix, window: usize) -> Matrix {
    let (n, p) = (x.nrows(), x.ncols());
    let k = PER_CHANNEL.len();
    let mut out = Matrix::zeros(n, p * k);
    for c in 0..p {
        let col = x.col(c);
        // Running sums are shifted by the first value: variance from sums of squares loses
        // precision when the mean is large relative to the spread (e.g. fan speed in rpm).
        let shift = col.first().copied().unwrap_or(0.0);
        let (mut s, mut s2) = (0.0, 0.0);
        for i in 0..n {
            let v = col[i] - shift;
            s += v;
            s2 += v * v;
            if i >= window {
                let old = col[i - window] - shift;
                s -= old;
                s2 -= old * old;
            }
            let len = (i + 1).min(window) as f64;
            let mean = s / len;
            let std = (s2 / len - mean * mean).max(0.0).sqrt();
            let z = if std > 1e-9 { (v - mean) / std } else { 0.0 };
            let diff = if i > 0 { col[i] - col[i - 1] } else { 0.0 };
            let row = out.row_mut(i);
            row[c * k..(c + 1) * k].copy_from_slice(&[col[i], mean + shift, std, z, diff]);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rolling_features_match_naive_computation() {
        let vals: Vec<f64> = (0..50).map(|i| 1000.0 + ((i * 7) % 11) as f64).collect();
        let x = Matrix::from_vec(50, 1, vals.clone()).unwrap();
        let f = rolling_features(&x, 5);
        for i in 0..50_usize {
            let win = &vals[i.saturating_sub(4)..=i];
            let m = crate::stats::mean(win);
            let s = crate::stats::std_dev(win);
            assert_eq!(f.get(i, 0), vals[i]);
            assert!((f.get(i, 1) - m).abs() < 1e-9, "mean at {i}");
            assert!((f.get(i, 2) - s).abs() < 1e-6, "std at {i}");
            if s > 0.0 {
                assert!((f.get(i, 3) - (vals[i] - m) / s).abs() < 1e-6, "z at {i}");
            }
            let d = if i > 0 { vals[i] - vals[i - 1] } else { 0.0 };
            assert_eq!(f.get(i, 4), d);
        }
    }

    #[test]
    fn standardizer_centres_and_scales_and_tolerates_constants() {
        let x = Matrix::from_rows(&[vec![1.0, 5.0], vec![3.0, 5.0]]).unwrap();
        let s = Standardizer::fit(&x);
        let z = s.apply(&x);
        assert_eq!(z.row(0), &[-1.0, 0.0]);
        assert_eq!(z.row(1), &[1.0, 0.0]);
    }

    #[test]
    fn names_cover_every_channel_feature() {
        let data = crate::load::LoadedData::from_generated(
            &crate::data::generate("X", 1_000, 1),
            300,
            (300, 1_000),
        );
        let f = compute_features(&Config::default(), &data).unwrap();
        assert_eq!(f.names.len(), CHANNELS.len() * PER_CHANNEL.len());
        assert_eq!(f.batch.ncols(), f.names.len());
        assert_eq!(f.batch.nrows(), 700);
        assert_eq!(
            f.column("vibration_mm_s.z"),
            Some(5 * PER_CHANNEL.len() + 3)
        );
        let mean0 = crate::stats::mean(&f.baseline.col(0));
        assert!(mean0.abs() < 1e-9);
    }

    #[test]
    fn non_finite_input_is_an_error() {
        let mut data = crate::load::LoadedData::from_generated(
            &crate::data::generate("X", 1_000, 1),
            300,
            (300, 1_000),
        );
        data.batch.values.set(10, 2, f64::NAN);
        let e = compute_features(&Config::default(), &data).unwrap_err();
        assert!(
            e.to_string()
                .contains("row 310 has a non-finite `outlet_pressure_kpa`"),
            "{e}"
        );
    }
}
