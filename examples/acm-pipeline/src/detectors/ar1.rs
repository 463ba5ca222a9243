//! AR(1) residual detector: each channel is predicted from its previous value; a row is
//! anomalous when the channels move in ways their own dynamics do not explain.

use crate::linalg::Matrix;

/// `x[t] − μ = φ (x[t−1] − μ) + ε`, `ε ~ N(0, σ²)`, per channel.
#[derive(Debug, Clone, PartialEq)]
pub struct Ar1Channel {
    pub mean: f64,
    pub phi: f64,
    pub sigma: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Ar1Model {
    pub channels: Vec<Ar1Channel>,
}

/// Least-squares fit of each column's AR(1) coefficient.
pub fn fit(x: &Matrix) -> Result<Ar1Model, String> {
    let n = x.nrows();
    if n < 3 {
        return Err(format!("AR(1) needs at least 3 rows, got {n}"));
    }
    let channels = (0..x.ncols())
        .map(|c| {
            let col = x.col(c);
            let mean = crate::stats::mean(&col);
            let (mut num, mut den) = (0.0, 0.0);
            for w in col.windows(2) {
                num += (w[1] - mean) * (w[0] - mean);
                den += (w[0] - mean).powi(2);
            }
            // A constant channel has no dynamics; φ = 0 then predicts the mean, which is right.
            let phi = if den > 0.0 {
                (num / den).clamp(-0.999, 0.999)
            } else {
                0.0
            };
            let resid: Vec<f64> = col
                .windows(2)
                .map(|w| (w[1] - mean) - phi * (w[0] - mean))
                .collect();
            let sigma = crate::stats::std_dev(&resid).max(1e-9);
            Ar1Channel { mean, phi, sigma }
        })
        .collect();
    Ok(Ar1Model { channels })
}

/// Mean squared standardised one-step residual per row. The first row has no predecessor and
/// is predicted by the channel mean.
pub fn score(model: &Ar1Model, x: &Matrix) -> Result<Vec<f64>, String> {
    if x.ncols() != model.channels.len() {
        return Err(format!(
            "model has {} channels, data has {}",
            model.channels.len(),
            x.ncols()
        ));
    }
    let p = model.channels.len().max(1) as f64;
    let mut prev: Option<&[f64]> = None;
    let mut out = Vec::with_capacity(x.nrows());
    for row in x.rows_iter() {
        let s: f64 = model
            .channels
            .iter()
            .enumerate()
            .map(|(c, m)| {
                let pred = prev.map_or(m.mean, |p| m.mean + m.phi * (p[c] - m.mean));
                ((row[c] - pred) / m.sigma).powi(2)
            })
            .sum();
        out.push(s / p);
        prev = Some(row);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    fn ar1_series(phi: f64, mean: f64, n: usize, seed: u64) -> Vec<f64> {
        let mut rng = Rng::new(seed);
        let mut x = mean;
        (0..n)
            .map(|_| {
                x = mean + phi * (x - mean) + rng.normal();
                x
            })
            .collect()
    }

    #[test]
    fn recovers_known_coefficient() {
        let a = ar1_series(0.8, 10.0, 20_000, 1);
        let b = ar1_series(-0.3, -5.0, 20_000, 2);
        let rows: Vec<Vec<f64>> = a.iter().zip(&b).map(|(x, y)| vec![*x, *y]).collect();
        let m = fit(&Matrix::from_rows(&rows).unwrap()).unwrap();
        assert!(
            (m.channels[0].phi - 0.8).abs() < 0.02,
            "{:?}",
            m.channels[0]
        );
        assert!(
            (m.channels[1].phi + 0.3).abs() < 0.03,
            "{:?}",
            m.channels[1]
        );
        assert!((m.channels[0].mean - 10.0).abs() < 0.2);
        assert!((m.channels[0].sigma - 1.0).abs() < 0.03);
    }

    #[test]
    fn jump_scores_high_and_normal_rows_near_one() {
        let mut a = ar1_series(0.9, 0.0, 5_000, 3);
        let x = Matrix::from_vec(a.len(), 1, a.clone()).unwrap();
        let m = fit(&x).unwrap();
        a[4_000] += 10.0;
        let s = score(&m, &Matrix::from_vec(a.len(), 1, a).unwrap()).unwrap();
        let typical = crate::stats::mean(&s[1..3_000]);
        assert!((typical - 1.0).abs() < 0.1, "{typical}");
        assert!(s[4_000] > 50.0, "{}", s[4_000]);
    }

    #[test]
    fn rejects_too_little_data_and_wrong_width() {
        assert!(fit(&Matrix::zeros(2, 1)).is_err());
        let m = fit(&Matrix::zeros(10, 2)).unwrap();
        assert!(score(&m, &Matrix::zeros(10, 3)).is_err());
    }
}
