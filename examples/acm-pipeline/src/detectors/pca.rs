//! PCA detector: the healthy data lives near a low-dimensional subspace. A row is anomalous if
//! it leaves the subspace (SPE, the squared prediction error) or sits unusually far along it
//! (Hotelling's T²).

use crate::linalg::{Matrix, symmetric_eigen};
use crate::stats::RobustScale;

#[derive(Debug, Clone)]
pub struct PcaModel {
    pub mean: Vec<f64>,
    /// Retained principal directions as columns (p × k).
    pub components: Matrix,
    /// Variances along the retained directions.
    pub eigenvalues: Vec<f64>,
    /// Share of total variance the retained components explain.
    pub explained: f64,
    /// Training distribution of SPE and T², so the two can be put on one scale.
    pub spe_scale: RobustScale,
    pub t2_scale: RobustScale,
}

/// Per-row SPE and T².
#[derive(Debug, Clone, PartialEq)]
pub struct PcaScores {
    pub spe: Vec<f64>,
    pub t2: Vec<f64>,
}

/// Keeps the fewest components whose eigenvalues explain `variance_share` of the variance,
/// always leaving at least one dimension out so SPE means something.
pub fn fit(x: &Matrix, variance_share: f64) -> Result<PcaModel, String> {
    let (n, p) = (x.nrows(), x.ncols());
    if n <= p || p < 2 {
        return Err(format!(
            "PCA needs more rows than columns and ≥ 2 columns, got {n} × {p}"
        ));
    }
    let eig = symmetric_eigen(&x.covariance());
    let total: f64 = eig.values.iter().map(|v| v.max(0.0)).sum();
    if total <= 0.0 || !total.is_finite() {
        return Err("the training data has no variance".to_owned());
    }
    let mut k = 0;
    let mut acc = 0.0;
    while k < p - 1 && acc / total < variance_share {
        acc += eig.values[k].max(0.0);
        k += 1;
    }
    let order: Vec<usize> = (0..k).collect();
    let mut model = PcaModel {
        mean: x.col_means(),
        components: eig.vectors.select_cols(&order),
        // Floored so a direction with (numerically) zero variance cannot blow T² up.
        eigenvalues: eig.values[..k]
            .iter()
            .map(|v| v.max(1e-9 * total))
            .collect(),
        explained: acc / total,
        spe_scale: RobustScale {
            center: 0.0,
            scale: 1.0,
        },
        t2_scale: RobustScale {
            center: 0.0,
            scale: 1.0,
        },
    };
    let train = raw_scores(&model, x);
    model.spe_scale = RobustScale::fit(&train.spe);
    model.t2_scale = RobustScale::fit(&train.t2);
    Ok(model)
}

/// SPE and T² of each row.
pub fn raw_scores(model: &PcaModel, x: &Matrix) -> PcaScores {
    let k = model.eigenvalues.len();
    let mut spe = Vec::with_capacity(x.nrows());
    let mut t2 = Vec::with_capacity(x.nrows());
    let mut centered = vec![0.0; model.mean.len()];
    let mut t = vec![0.0; k];
    for row in x.rows_iter() {
        for ((c, v), m) in centered.iter_mut().zip(row).zip(&model.mean) {
            *c = v - m;
        }
        for (j, tj) in t.iter_mut().enumerate() {
            *tj = centered
                .iter()
                .enumerate()
                .map(|(i, c)| c * model.components.get(i, j))
                .sum();
        }
        let norm2: f64 = centered.iter().map(|c| c * c).sum();
        let proj2: f64 = t.iter().map(|v| v * v).sum();
        // ‖x‖² − ‖Pᵀx‖² is the residual norm because the components are orthonormal.
        spe.push((norm2 - proj2).max(0.0));
        t2.push(
            t.iter()
                .zip(&model.eigenvalues)
                .map(|(v, l)| v * v / l)
                .sum(),
        );
    }
    PcaScores { spe, t2 }
}

/// One score per row: the larger of the robust z-scores of SPE and T², since either kind of
/// departure is an anomaly on its own.
pub fn score(model: &PcaModel, x: &Matrix) -> Result<Vec<f64>, String> {
    if x.ncols() != model.mean.len() {
        return Err(format!(
            "model has {} columns, data has {}",
            model.mean.len(),
            x.ncols()
        ));
    }
    let s = raw_scores(model, x);
    Ok(s.spe
        .iter()
        .zip(&s.t2)
        .map(|(&q, &t)| model.spe_scale.z(q).max(model.t2_scale.z(t)))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    /// Points along (1, 2, 2)/3 with small isotropic noise.
    fn line_data(n: usize) -> Matrix {
        let mut rng = Rng::new(11);
        let rows: Vec<Vec<f64>> = (0..n)
            .map(|_| {
                let t = 5.0 * rng.normal();
                vec![
                    1.0 + t / 3.0 + 0.1 * rng.normal(),
                    2.0 + 2.0 * t / 3.0 + 0.1 * rng.normal(),
                    -1.0 + 2.0 * t / 3.0 + 0.1 * rng.normal(),
                ]
            })
            .collect();
        Matrix::from_rows(&rows).unwrap()
    }

    #[test]
    fn recovers_dominant_direction() {
        let m = fit(&line_data(2_000), 0.9).unwrap();
        assert_eq!(m.eigenvalues.len(), 1);
        let v: Vec<f64> = (0..3).map(|i| m.components.get(i, 0)).collect();
        let sign = v[0].signum();
        for (got, want) in v.iter().zip([1.0 / 3.0, 2.0 / 3.0, 2.0 / 3.0]) {
            assert!((sign * got - want).abs() < 0.01, "{v:?}");
        }
        assert!(
            (m.eigenvalues[0] - 25.0).abs() < 2.5,
            "{}",
            m.eigenvalues[0]
        );
        assert!(m.explained > 0.99);
    }

    #[test]
    fn off_subspace_point_has_large_spe_and_far_point_large_t2() {
        let x = line_data(2_000);
        let m = fit(&x, 0.9).unwrap();
        let probe = Matrix::from_rows(&[
            vec![1.0, 2.0, -1.0],                      // the mean
            vec![1.0, 2.0 + 2.0, -1.0 - 2.0],          // orthogonal to the line
            vec![1.0 + 10.0, 2.0 + 20.0, -1.0 + 20.0], // on the line, 30 away (6σ)
        ])
        .unwrap();
        let s = raw_scores(&m, &probe);
        assert!(s.spe[0] < 0.01 && s.t2[0] < 0.01);
        assert!(s.spe[1] > 7.0, "{:?}", s.spe);
        assert!(s.t2[2] > 30.0 && s.spe[2] < 0.1, "{s:?}");
        let z = score(&m, &probe).unwrap();
        assert!(z[1] > 20.0 && z[2] > 10.0 && z[0] < 1.0, "{z:?}");
    }

    #[test]
    fn rejects_degenerate_input() {
        assert!(fit(&Matrix::zeros(2, 3), 0.9).is_err());
        assert!(fit(&Matrix::zeros(10, 3), 0.9).is_err());
    }
}
