//! Gaussian mixture detector: healthy operation is a few clusters (one per operating mode);
//! the score is the negative log-likelihood of a row under the fitted mixture.

use crate::linalg::Matrix;
use crate::rng::Rng;

/// Keeps a component that collects few or identical points from collapsing to zero variance,
/// where its likelihood would become infinite.
const VAR_FLOOR: f64 = 1e-6;
const LN_2PI: f64 = 1.837_877_066_409_345_5;

#[derive(Debug, Clone, PartialEq)]
pub struct GmmModel {
    pub weights: Vec<f64>,
    pub means: Vec<Vec<f64>>,
    /// Diagonal covariances.
    pub variances: Vec<Vec<f64>>,
    /// Mean log-likelihood per training row at convergence.
    pub avg_log_likelihood: f64,
    pub iterations: usize,
}

impl GmmModel {
    /// Log of each component's weighted density at `row`.
    fn component_log_densities(&self, row: &[f64], out: &mut [f64]) {
        for (j, o) in out.iter_mut().enumerate() {
            let (mu, var) = (&self.means[j], &self.variances[j]);
            let mut ll = self.weights[j].max(f64::MIN_POSITIVE).ln();
            for ((x, m), v) in row.iter().zip(mu).zip(var) {
                ll -= 0.5 * (LN_2PI + v.ln() + (x - m) * (x - m) / v);
            }
            *o = ll;
        }
    }

    pub fn log_likelihood(&self, row: &[f64]) -> f64 {
        let mut buf = vec![0.0; self.weights.len()];
        self.component_log_densities(row, &mut buf);
        log_sum_exp(&buf)
    }
}

fn log_sum_exp(v: &[f64]) -> f64 {
    let m = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if m == f64::NEG_INFINITY {
        return m;
    }
    m + v.iter().map(|x| (x - m).exp()).sum::<f64>().ln()
}

/// Expectation–maximisation from `k` distinct random rows as initial means.
pub fn fit(x: &Matrix, k: usize, max_iter: usize, seed: u64) -> Result<GmmModel, String> {
    let (n, p) = (x.nrows(), x.ncols());
    if k == 0 || n < 2 * k || p == 0 {
        return Err(format!(
            "a {k}-component mixture needs ≥ {} rows, got {n} × {p}",
            2 * k
        ));
    }
    let mut rng = Rng::new(seed);
    let global_var: Vec<f64> = (0..p)
        .map(|c| crate::stats::std_dev(&x.col(c)).powi(2).max(VAR_FLOOR))
        .collect();
    let mut model = GmmModel {
        weights: vec![1.0 / k as f64; k],
        means: rng
            .sample_indices(n, k)
            .into_iter()
            .map(|i| x.row(i).to_vec())
            .collect(),
        variances: vec![global_var; k],
        avg_log_likelihood: f64::NEG_INFINITY,
        iterations: 0,
    };
    let mut resp = Matrix::zeros(n, k);
    let mut buf = vec![0.0; k];
    for iter in 1..=max_iter {
        // E-step: responsibilities, normalised in log space to survive far-away rows.
        let mut total_ll = 0.0;
        for i in 0..n {
            model.component_log_densities(x.row(i), &mut buf);
            let lse = log_sum_exp(&buf);
            total_ll += lse;
            for (r, b) in resp.row_mut(i).iter_mut().zip(&buf) {
                *r = (b - lse).exp();
            }
        }
        let avg = total_ll / n as f64;
        if !avg.is_finite() {
            return Err("the likelihood became non-finite".to_owned());
        }
        // M-step.
        for j in 0..k {
            let nj: f64 = (0..n).map(|i| resp.get(i, j)).sum();
            if nj < 1e-9 {
                // An empty component is restarted on a random row rather than dropped, so k
                // stays what the configuration asked for.
                model.means[j] = x.row(rng.below(n)).to_vec();
                model.weights[j] = 1.0 / n as f64;
                continue;
            }
            let mut mean = vec![0.0; p];
            for i in 0..n {
                let r = resp.get(i, j);
                for (m, v) in mean.iter_mut().zip(x.row(i)) {
                    *m += r * v;
                }
            }
            mean.iter_mut().for_each(|m| *m /= nj);
            let mut var = vec![0.0; p];
            for i in 0..n {
                let r = resp.get(i, j);
                for ((s, v), m) in var.iter_mut().zip(x.row(i)).zip(&mean) {
                    *s += r * (v - m) * (v - m);
                }
            }
            var.iter_mut().for_each(|s| *s = (*s / nj).max(VAR_FLOOR));
            model.weights[j] = nj / n as f64;
            model.means[j] = mean;
            model.variances[j] = var;
        }
        let wsum: f64 = model.weights.iter().sum();
        model.weights.iter_mut().for_each(|w| *w /= wsum);
        model.iterations = iter;
        let improved = avg - model.avg_log_likelihood;
        model.avg_log_likelihood = avg;
        if improved.abs() < 1e-6 {
            break;
        }
    }
    Ok(model)
}

/// Negative log-likelihood of each row.
pub fn score(model: &GmmModel, x: &Matrix) -> Result<Vec<f64>, String> {
    let p = model.means.first().map_or(0, Vec::len);
    if x.ncols() != p {
        return Err(format!("model has {p} features, data has {}", x.ncols()));
    }
    Ok(x.rows_iter()
        .map(|row| -model.log_likelihood(row))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn two_clusters() -> Matrix {
        let mut rng = Rng::new(3);
        let rows: Vec<Vec<f64>> = (0..2_000)
            .map(|i| {
                let (c, s) = if i % 4 == 0 { (-5.0, 0.5) } else { (5.0, 1.0) };
                vec![c + s * rng.normal(), 2.0 * c + s * rng.normal()]
            })
            .collect();
        Matrix::from_rows(&rows).unwrap()
    }

    #[test]
    fn recovers_two_clusters() {
        let m = fit(&two_clusters(), 2, 200, 1).unwrap();
        let (lo, hi) = if m.means[0][0] < m.means[1][0] {
            (0, 1)
        } else {
            (1, 0)
        };
        assert!(
            (m.means[lo][0] + 5.0).abs() < 0.1 && (m.means[lo][1] + 10.0).abs() < 0.1,
            "{m:?}"
        );
        assert!(
            (m.means[hi][0] - 5.0).abs() < 0.1 && (m.means[hi][1] - 10.0).abs() < 0.1,
            "{m:?}"
        );
        assert!((m.weights[lo] - 0.25).abs() < 0.02 && (m.weights[hi] - 0.75).abs() < 0.02);
        assert!((m.variances[lo][0] - 0.25).abs() < 0.05 && (m.variances[hi][0] - 1.0).abs() < 0.1);
    }

    #[test]
    fn point_between_clusters_scores_higher() {
        let m = fit(&two_clusters(), 2, 200, 1).unwrap();
        let probe = Matrix::from_rows(&[vec![5.0, 10.0], vec![0.0, 0.0]]).unwrap();
        let s = score(&m, &probe).unwrap();
        assert!(s[1] > s[0] + 10.0, "{s:?}");
    }

    #[test]
    fn log_sum_exp_is_stable() {
        assert!((log_sum_exp(&[1000.0, 1000.0]) - (1000.0 + 2f64.ln())).abs() < 1e-9);
        assert_eq!(log_sum_exp(&[f64::NEG_INFINITY]), f64::NEG_INFINITY);
    }

    #[test]
    fn rejects_too_few_rows() {
        assert!(fit(&Matrix::zeros(3, 2), 2, 10, 0).is_err());
    }
}
