//! Operating regimes: k-means on the load-related rolling means, fit on the baseline and used
//! to label the batch, so analytics can tell "anomalous" from "just a different mode".

use crate::config::Config;
use crate::error::PipelineError;
use crate::features::Features;
use crate::linalg::Matrix;
use crate::rng::Rng;
use acm_trace::acm_span;

/// Features that describe the operating point rather than its health.
pub const REGIME_FEATURES: [&str; 3] = [
    "motor_current_a.mean",
    "fan_speed_rpm.mean",
    "outlet_pressure_kpa.mean",
];

#[derive(Debug, Clone, PartialEq)]
pub struct KMeans {
    /// Ordered by their first coordinate, so regime 0 is the lowest load.
    pub centroids: Matrix,
    pub inertia: f64,
    pub iterations: usize,
}

impl KMeans {
    pub fn k(&self) -> usize {
        self.centroids.nrows()
    }

    /// Index of the nearest centroid.
    pub fn assign(&self, row: &[f64]) -> usize {
        (0..self.k())
            .map(|j| (j, sq_dist(row, self.centroids.row(j))))
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map_or(0, |(j, _)| j)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Regimes {
    pub model: KMeans,
    /// Regime of each batch row.
    pub labels: Vec<usize>,
}

impl Regimes {
    pub fn k(&self) -> usize {
        self.model.k()
    }
}

fn sq_dist(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum()
}

/// Fits the regimes on the baseline and labels the batch.
///
/// Span: `regimes.fit`
#[acm_span("regimes.fit")]
pub fn fit_regimes(cfg: &Config, features: &Features) -> Result<Regimes, PipelineError> {
    cfg.fail_point("regimes.fit")?;
    let cols = REGIME_FEATURES
        .iter()
        .map(|name| {
            features
                .column(name)
                .ok_or_else(|| PipelineError::Numerical {
                    stage: "regimes.fit",
                    reason: format!("feature `{name}` is missing"),
                })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let train = features.baseline.select_cols(&cols);
    let model = kmeans(
        &train,
        cfg.tuning.regimes_k,
        100,
        Rng::derive(cfg.seed, 0x4E).next_u64(),
    )
    .map_err(|reason| PipelineError::Numerical {
        stage: "regimes.fit",
        reason,
    })?;
    let batch = features.batch.select_cols(&cols);
    let labels = batch.rows_iter().map(|r| model.assign(r)).collect();
    Ok(Regimes { model, labels })
}

/// Lloyd's algorithm from a k-means++ start.
pub fn kmeans(x: &Matrix, k: usize, max_iter: usize, seed: u64) -> Result<KMeans, String> {
    let n = x.nrows();
    if k == 0 || n < k {
        return Err(format!(
            "k-means with k = {k} needs at least {k} rows, got {n}"
        ));
    }
    let mut rng = Rng::new(seed);
    let mut centroids = kmeans_pp(x, k, &mut rng);
    let mut labels = vec![usize::MAX; n];
    let mut iterations = 0;
    for iter in 1..=max_iter {
        iterations = iter;
        let model = KMeans {
            centroids: centroids.clone(),
            inertia: 0.0,
            iterations,
        };
        let mut changed = false;
        for (i, row) in x.rows_iter().enumerate() {
            let j = model.assign(row);
            changed |= labels[i] != j;
            labels[i] = j;
        }
        if !changed {
            break;
        }
        let mut sums = Matrix::zeros(k, x.ncols());
        let mut counts = vec![0usize; k];
        for (row, &j) in x.rows_iter().zip(&labels) {
            counts[j] += 1;
            for (s, v) in sums.row_mut(j).iter_mut().zip(row) {
                *s += v;
            }
        }
        for (j, &count) in counts.iter().enumerate() {
            // An empty cluster keeps its old centroid; k-means++ makes this rare.
            if count > 0 {
                for s in sums.row_mut(j) {
                    *s /= count as f64;
                }
                centroids.row_mut(j).copy_from_slice(sums.row(j));
            }
        }
    }
    let mut order: Vec<usize> = (0..k).collect();
    order.sort_by(|&a, &b| centroids.get(a, 0).total_cmp(&centroids.get(b, 0)));
    let centroids = centroids.select_rows(&order);
    let mut model = KMeans {
        centroids,
        inertia: 0.0,
        iterations,
    };
    model.inertia = x
        .rows_iter()
        .map(|r| sq_dist(r, model.centroids.row(model.assign(r))))
        .sum();
    Ok(model)
}

/// k-means++ seeding: each next centre is drawn with probability proportional to its squared
/// distance from the centres so far, which spreads them over the clusters.
fn kmeans_pp(x: &Matrix, k: usize, rng: &mut Rng) -> Matrix {
    let n = x.nrows();
    let mut chosen = vec![rng.below(n)];
    let mut d2: Vec<f64> = x
        .rows_iter()
        .map(|r| sq_dist(r, x.row(chosen[0])))
        .collect();
    while chosen.len() < k {
        let total: f64 = d2.iter().sum();
        let next = if total > 0.0 {
            let mut target = rng.uniform(0.0, total);
            d2.iter()
                .position(|&d| {
                    target -= d;
                    target < 0.0
                })
                .unwrap_or(n - 1)
        } else {
            // All rows coincide with a centre already: any row will do.
            rng.below(n)
        };
        chosen.push(next);
        for (d, r) in d2.iter_mut().zip(x.rows_iter()) {
            *d = d.min(sq_dist(r, x.row(next)));
        }
    }
    x.select_rows(&chosen)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blobs() -> (Matrix, Vec<usize>) {
        let mut rng = Rng::new(4);
        let centres = [[0.0, 0.0], [10.0, 0.0], [5.0, 8.0]];
        let mut rows = Vec::new();
        let mut truth = Vec::new();
        for i in 0..900 {
            let c = i % 3;
            rows.push(vec![
                centres[c][0] + rng.normal(),
                centres[c][1] + rng.normal(),
            ]);
            truth.push(c);
        }
        (Matrix::from_rows(&rows).unwrap(), truth)
    }

    #[test]
    fn recovers_three_blobs_in_load_order() {
        let (x, truth) = blobs();
        let m = kmeans(&x, 3, 100, 7).unwrap();
        // Ordered by first coordinate: blob 0 (x≈0), blob 2 (x≈5), blob 1 (x≈10).
        let expected_label = [0, 2, 1];
        let correct = x
            .rows_iter()
            .zip(&truth)
            .filter(|(r, t)| m.assign(r) == expected_label[**t])
            .count();
        assert!(correct >= 895, "{correct}/900 assigned correctly");
        assert!(
            (m.centroids.get(1, 0) - 5.0).abs() < 0.2 && (m.centroids.get(1, 1) - 8.0).abs() < 0.2
        );
        // Inertia ≈ n · dimensions · σ² for well-separated unit-variance blobs.
        assert!((m.inertia / 900.0 - 2.0).abs() < 0.3, "{}", m.inertia);
    }

    #[test]
    fn too_few_rows_is_an_error() {
        assert!(kmeans(&Matrix::zeros(2, 2), 3, 10, 0).is_err());
    }

    #[test]
    fn identical_rows_do_not_break_seeding() {
        let x = Matrix::from_vec(10, 2, vec![1.0; 20]).unwrap();
        let m = kmeans(&x, 3, 10, 0).unwrap();
        assert_eq!(m.inertia, 0.0);
    }
}
