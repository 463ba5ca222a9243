//! Overall model residual: each channel is predicted by a linear regression on all the other
//! channels. Healthy equipment keeps these relations; a fault breaks one of them even when
//! every channel on its own stays in its usual range.

use crate::linalg::{Matrix, solve_spd};

/// Small ridge on the normal equations so strongly collinear channels (which fans have) still
/// give a stable solution.
const RIDGE: f64 = 1e-6;

#[derive(Debug, Clone, PartialEq)]
pub struct OmrModel {
    pub mean: Vec<f64>,
    pub std: Vec<f64>,
    /// `coefs[j][i]`: weight of standardised channel `i` in the prediction of channel `j`
    /// (`coefs[j][j]` is 0).
    pub coefs: Vec<Vec<f64>>,
    /// Residual standard deviation per channel, in standardised units.
    pub resid_sigma: Vec<f64>,
}

pub fn fit(x: &Matrix) -> Result<OmrModel, String> {
    let (n, p) = (x.nrows(), x.ncols());
    if p < 2 || n <= p {
        return Err(format!(
            "OMR needs ≥ 2 channels and more rows than channels, got {n} × {p}"
        ));
    }
    let mean = x.col_means();
    let std: Vec<f64> = (0..p)
        .map(|c| crate::stats::std_dev(&x.col(c)).max(1e-9))
        .collect();
    let z = standardise(x, &mean, &std);
    // The covariance of standardised data is the correlation matrix, so every regression
    // comes from one p × p matrix.
    let r = z.covariance();
    let mut coefs = Vec::with_capacity(p);
    for j in 0..p {
        let others: Vec<usize> = (0..p).filter(|&i| i != j).collect();
        let mut a = r.select_rows(&others).select_cols(&others);
        for d in 0..others.len() {
            a.set(d, d, a.get(d, d) + RIDGE);
        }
        let b: Vec<f64> = others.iter().map(|&i| r.get(i, j)).collect();
        let beta =
            solve_spd(&a, &b).ok_or_else(|| format!("regression for channel {j} is singular"))?;
        let mut full = vec![0.0; p];
        for (&i, w) in others.iter().zip(beta) {
            full[i] = w;
        }
        coefs.push(full);
    }
    let mut model = OmrModel {
        mean,
        std,
        coefs,
        resid_sigma: vec![1.0; p],
    };
    let resid = residuals(&model, &z);
    model.resid_sigma = (0..p)
        .map(|j| crate::stats::std_dev(&resid.col(j)).max(1e-6))
        .collect();
    Ok(model)
}

fn standardise(x: &Matrix, mean: &[f64], std: &[f64]) -> Matrix {
    let mut z = x.clone();
    for r in 0..z.nrows() {
        for ((v, m), s) in z.row_mut(r).iter_mut().zip(mean).zip(std) {
            *v = (*v - m) / s;
        }
    }
    z
}

/// Standardised residual of every channel in every row.
fn residuals(model: &OmrModel, z: &Matrix) -> Matrix {
    let p = model.mean.len();
    let mut out = Matrix::zeros(z.nrows(), p);
    for (r, row) in z.rows_iter().enumerate() {
        for j in 0..p {
            let pred: f64 = model.coefs[j].iter().zip(row).map(|(w, v)| w * v).sum();
            out.set(r, j, row[j] - pred);
        }
    }
    out
}

/// Mean squared residual (in units of each channel's training residual σ) per row.
pub fn score(model: &OmrModel, x: &Matrix) -> Result<Vec<f64>, String> {
    let p = model.mean.len();
    if x.ncols() != p {
        return Err(format!("model has {p} channels, data has {}", x.ncols()));
    }
    let resid = residuals(model, &standardise(x, &model.mean, &model.std));
    Ok(resid
        .rows_iter()
        .map(|row| {
            row.iter()
                .zip(&model.resid_sigma)
                .map(|(e, s)| (e / s).powi(2))
                .sum::<f64>()
                / p as f64
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    /// c = 2a − b + small noise, a and b independent.
    fn related(n: usize) -> Matrix {
        let mut rng = Rng::new(8);
        let rows: Vec<Vec<f64>> = (0..n)
            .map(|_| {
                let a = 10.0 + 2.0 * rng.normal();
                let b = -3.0 + rng.normal();
                vec![a, b, 2.0 * a - b + 0.05 * rng.normal()]
            })
            .collect();
        Matrix::from_rows(&rows).unwrap()
    }

    #[test]
    fn recovers_linear_relation() {
        let m = fit(&related(3_000)).unwrap();
        // In raw units, c = β_a·(σ_c/σ_a)·a + …; convert the standardised weights back.
        let wa = m.coefs[2][0] * m.std[2] / m.std[0];
        let wb = m.coefs[2][1] * m.std[2] / m.std[1];
        assert!(
            (wa - 2.0).abs() < 0.01 && (wb + 1.0).abs() < 0.01,
            "{wa} {wb}"
        );
        assert_eq!(m.coefs[2][2], 0.0);
    }

    #[test]
    fn broken_relation_scores_high() {
        let m = fit(&related(3_000)).unwrap();
        let ok = Matrix::from_rows(&[vec![10.0, -3.0, 23.0]]).unwrap();
        let broken = Matrix::from_rows(&[vec![10.0, -3.0, 26.0]]).unwrap();
        let (s_ok, s_bad) = (score(&m, &ok).unwrap()[0], score(&m, &broken).unwrap()[0]);
        assert!(s_ok < 1.0, "{s_ok}");
        assert!(s_bad > 100.0, "{s_bad}");
    }

    #[test]
    fn rejects_single_channel() {
        assert!(fit(&Matrix::zeros(10, 1)).is_err());
    }
}
