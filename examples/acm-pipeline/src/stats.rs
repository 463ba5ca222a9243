//! Robust one-dimensional statistics shared by calibration, thresholds and analytics.

/// Scale factor that makes the MAD a consistent estimator of σ for normal data.
pub const MAD_TO_SIGMA: f64 = 1.4826;

pub fn mean(x: &[f64]) -> f64 {
    if x.is_empty() {
        0.0
    } else {
        x.iter().sum::<f64>() / x.len() as f64
    }
}

/// Population standard deviation.
pub fn std_dev(x: &[f64]) -> f64 {
    if x.is_empty() {
        return 0.0;
    }
    let m = mean(x);
    (x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / x.len() as f64).sqrt()
}

/// Linear-interpolated quantile (`q` in `[0, 1]`) of the finite values; 0 for none.
pub fn quantile(x: &[f64], q: f64) -> f64 {
    let mut v: Vec<f64> = x.iter().copied().filter(|v| v.is_finite()).collect();
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(f64::total_cmp);
    let pos = q.clamp(0.0, 1.0) * (v.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    v[lo] + (v[hi] - v[lo]) * (pos - lo as f64)
}

pub fn median(x: &[f64]) -> f64 {
    quantile(x, 0.5)
}

/// Median absolute deviation from the median (unscaled).
pub fn mad(x: &[f64]) -> f64 {
    let m = median(x);
    let dev: Vec<f64> = x.iter().map(|v| (v - m).abs()).collect();
    median(&dev)
}

/// Location and scale used to turn a detector's raw score into a robust z-score.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RobustScale {
    pub center: f64,
    pub scale: f64,
}

/// The standard normal's 99th percentile.
const Z_99: f64 = 2.326_347_874;

impl RobustScale {
    /// Centre at the median. Scale: the larger of the σ-consistent MAD and the spread that puts
    /// the 99th percentile at z = 2.33, as it would be for normal data. Detector scores are
    /// heavy-tailed (squared residuals, likelihoods); the MAD alone would then give healthy
    /// rows z-scores in the hundreds, and every detector would alarm at a different rate.
    /// Falls back to 1 so a constant training score cannot make later z-scores infinite.
    pub fn fit(x: &[f64]) -> Self {
        let center = median(x);
        let mut scale = (MAD_TO_SIGMA * mad(x)).max((quantile(x, 0.99) - center) / Z_99);
        if scale <= 1e-12 {
            scale = std_dev(x);
        }
        if scale <= 1e-12 {
            scale = 1.0;
        }
        Self { center, scale }
    }

    pub fn z(&self, v: f64) -> f64 {
        (v - self.center) / self.scale
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        let x = [1.0, 2.0, 3.0, 4.0, 100.0];
        assert_eq!(median(&x), 3.0);
        assert_eq!(mad(&x), 1.0);
        assert_eq!(quantile(&x, 0.0), 1.0);
        assert_eq!(quantile(&x, 1.0), 100.0);
        assert_eq!(quantile(&[0.0, 10.0], 0.25), 2.5);
        assert_eq!(mean(&[]), 0.0);
        assert!((std_dev(&[1.0, 3.0]) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn robust_scale_of_normal_data_is_its_sigma() {
        let mut rng = crate::rng::Rng::new(2);
        let x: Vec<f64> = (0..20_000).map(|_| 5.0 + 2.0 * rng.normal()).collect();
        let s = RobustScale::fit(&x);
        assert!((s.center - 5.0).abs() < 0.05, "{s:?}");
        assert!((s.scale - 2.0).abs() < 0.1, "{s:?}");
    }

    #[test]
    fn robust_scale_widens_for_heavy_tails_and_survives_constants() {
        // Median 0, MAD 1, but 2% of the values at 100: the 99th percentile sets the scale.
        let x: Vec<f64> = (0..1_000)
            .map(|i| {
                if i % 50 == 0 {
                    100.0
                } else {
                    f64::from(i % 3) - 1.0
                }
            })
            .collect();
        let s = RobustScale::fit(&x);
        assert_eq!(s.center, 0.0);
        assert!((s.scale - 100.0 / 2.326_347_874).abs() < 1e-6, "{s:?}");
        let c = RobustScale::fit(&[5.0; 10]);
        assert_eq!(c.scale, 1.0);
        assert_eq!(c.z(6.0), 1.0);
    }
}
