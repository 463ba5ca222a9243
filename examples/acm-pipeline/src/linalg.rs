//! The little linear algebra the detectors need: a dense row-major matrix, column statistics,
//! a symmetric eigen-decomposition and a positive-definite solver.
//!
//! Sizes here are tens of columns, so straightforward O(p³) algorithms are fast and far easier
//! to check than a BLAS binding.

/// Dense row-major matrix of `f64`.
#[derive(Debug, Clone, PartialEq)]
pub struct Matrix {
    rows: usize,
    cols: usize,
    data: Vec<f64>,
}

impl Matrix {
    pub fn zeros(rows: usize, cols: usize) -> Self {
        Self {
            rows,
            cols,
            data: vec![0.0; rows * cols],
        }
    }

    /// Returns `None` when `data` does not hold exactly `rows * cols` values.
    pub fn from_vec(rows: usize, cols: usize, data: Vec<f64>) -> Option<Self> {
        (data.len() == rows * cols).then_some(Self { rows, cols, data })
    }

    /// Builds a matrix from equally long rows; `None` if the rows are ragged.
    pub fn from_rows(rows: &[Vec<f64>]) -> Option<Self> {
        let cols = rows.first().map_or(0, Vec::len);
        if rows.iter().any(|r| r.len() != cols) {
            return None;
        }
        Some(Self {
            rows: rows.len(),
            cols,
            data: rows.concat(),
        })
    }

    pub fn nrows(&self) -> usize {
        self.rows
    }

    pub fn ncols(&self) -> usize {
        self.cols
    }

    pub fn get(&self, r: usize, c: usize) -> f64 {
        self.data[r * self.cols + c]
    }

    pub fn set(&mut self, r: usize, c: usize, v: f64) {
        self.data[r * self.cols + c] = v;
    }

    pub fn row(&self, r: usize) -> &[f64] {
        &self.data[r * self.cols..(r + 1) * self.cols]
    }

    pub fn row_mut(&mut self, r: usize) -> &mut [f64] {
        &mut self.data[r * self.cols..(r + 1) * self.cols]
    }

    pub fn col(&self, c: usize) -> Vec<f64> {
        (0..self.rows).map(|r| self.get(r, c)).collect()
    }

    pub fn rows_iter(&self) -> impl Iterator<Item = &[f64]> {
        // chunks_exact(0) panics, and a matrix with no columns has no row data to show.
        self.data
            .chunks_exact(self.cols.max(1))
            .take(if self.cols == 0 { 0 } else { self.rows })
    }

    /// A copy of the rows `idx` (in that order).
    pub fn select_rows(&self, idx: &[usize]) -> Self {
        let mut data = Vec::with_capacity(idx.len() * self.cols);
        for &i in idx {
            data.extend_from_slice(self.row(i));
        }
        Self {
            rows: idx.len(),
            cols: self.cols,
            data,
        }
    }

    /// A copy of the columns `idx` (in that order).
    pub fn select_cols(&self, idx: &[usize]) -> Self {
        let mut data = Vec::with_capacity(self.rows * idx.len());
        for r in 0..self.rows {
            let row = self.row(r);
            data.extend(idx.iter().map(|&c| row[c]));
        }
        Self {
            rows: self.rows,
            cols: idx.len(),
            data,
        }
    }

    /// Column means.
    pub fn col_means(&self) -> Vec<f64> {
        let mut m = vec![0.0; self.cols];
        for row in self.rows_iter() {
            for (acc, v) in m.iter_mut().zip(row) {
                *acc += v;
            }
        }
        let n = self.rows.max(1) as f64;
        m.iter_mut().for_each(|v| *v /= n);
        m
    }

    /// Sample covariance matrix of the columns (divisor n − 1).
    pub fn covariance(&self) -> Matrix {
        let p = self.cols;
        let mean = self.col_means();
        let mut cov = Matrix::zeros(p, p);
        let mut centered = vec![0.0; p];
        for row in self.rows_iter() {
            for ((c, v), m) in centered.iter_mut().zip(row).zip(&mean) {
                *c = v - m;
            }
            for i in 0..p {
                let ci = centered[i];
                for (j, cj) in centered.iter().enumerate().skip(i) {
                    cov.data[i * p + j] += ci * cj;
                }
            }
        }
        let denom = (self.rows.max(2) - 1) as f64;
        for i in 0..p {
            for j in i..p {
                let v = cov.data[i * p + j] / denom;
                cov.data[i * p + j] = v;
                cov.data[j * p + i] = v;
            }
        }
        cov
    }
}

/// Eigenvalues (descending) and unit eigenvectors (as the columns of `vectors`) of a
/// symmetric matrix.
#[derive(Debug, Clone)]
pub struct Eigen {
    pub values: Vec<f64>,
    pub vectors: Matrix,
}

/// Cyclic Jacobi rotations. Chosen over power iteration because it yields every eigenpair at
/// once with orthogonal vectors even when eigenvalues are close, which PCA's T² needs.
pub fn symmetric_eigen(a: &Matrix) -> Eigen {
    let n = a.nrows();
    debug_assert_eq!(n, a.ncols());
    let mut m = a.clone();
    let mut v = Matrix::zeros(n, n);
    for i in 0..n {
        v.set(i, i, 1.0);
    }
    let scale: f64 = m
        .data
        .iter()
        .map(|x| x * x)
        .sum::<f64>()
        .sqrt()
        .max(f64::MIN_POSITIVE);
    for _sweep in 0..100 {
        let off: f64 = (0..n)
            .flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| m.get(i, j).powi(2))
            .sum::<f64>()
            .sqrt();
        if off <= 1e-14 * scale {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                let apq = m.get(p, q);
                if apq.abs() <= f64::MIN_POSITIVE {
                    continue;
                }
                let theta = (m.get(q, q) - m.get(p, p)) / (2.0 * apq);
                // The smaller root keeps the rotation angle ≤ π/4, which is what makes the
                // iteration converge.
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..n {
                    let mkp = m.get(k, p);
                    let mkq = m.get(k, q);
                    m.set(k, p, c * mkp - s * mkq);
                    m.set(k, q, s * mkp + c * mkq);
                }
                for k in 0..n {
                    let mpk = m.get(p, k);
                    let mqk = m.get(q, k);
                    m.set(p, k, c * mpk - s * mqk);
                    m.set(q, k, s * mpk + c * mqk);
                }
                for k in 0..n {
                    let vkp = v.get(k, p);
                    let vkq = v.get(k, q);
                    v.set(k, p, c * vkp - s * vkq);
                    v.set(k, q, s * vkp + c * vkq);
                }
            }
        }
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&i, &j| m.get(j, j).total_cmp(&m.get(i, i)));
    Eigen {
        values: order.iter().map(|&i| m.get(i, i)).collect(),
        vectors: v.select_cols(&order),
    }
}

/// Solves `a x = b` for a symmetric positive-definite `a` by Cholesky factorisation.
/// Returns `None` when `a` is not (numerically) positive definite.
pub fn solve_spd(a: &Matrix, b: &[f64]) -> Option<Vec<f64>> {
    let n = a.nrows();
    if a.ncols() != n || b.len() != n {
        return None;
    }
    let mut l = Matrix::zeros(n, n);
    for i in 0..n {
        for j in 0..=i {
            let s: f64 = (0..j).map(|k| l.get(i, k) * l.get(j, k)).sum();
            if i == j {
                let d = a.get(i, i) - s;
                if d <= 0.0 || !d.is_finite() {
                    return None;
                }
                l.set(i, i, d.sqrt());
            } else {
                l.set(i, j, (a.get(i, j) - s) / l.get(j, j));
            }
        }
    }
    let mut y = vec![0.0; n];
    for i in 0..n {
        let s: f64 = (0..i).map(|k| l.get(i, k) * y[k]).sum();
        y[i] = (b[i] - s) / l.get(i, i);
    }
    let mut x = vec![0.0; n];
    for i in (0..n).rev() {
        let s: f64 = (i + 1..n).map(|k| l.get(k, i) * x[k]).sum();
        x[i] = (y[i] - s) / l.get(i, i);
    }
    Some(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn covariance_of_known_data() {
        let m = Matrix::from_rows(&[vec![1.0, 2.0], vec![2.0, 4.0], vec![3.0, 6.0]]).unwrap();
        let c = m.covariance();
        assert!(close(c.get(0, 0), 1.0, 1e-12));
        assert!(close(c.get(0, 1), 2.0, 1e-12));
        assert!(close(c.get(1, 1), 4.0, 1e-12));
        assert_eq!(m.col_means(), vec![2.0, 4.0]);
    }

    #[test]
    fn eigen_of_known_symmetric_matrix() {
        // [[2,1],[1,2]] has eigenvalues 3 and 1 with vectors (1,1)/√2 and (1,−1)/√2.
        let a = Matrix::from_rows(&[vec![2.0, 1.0], vec![1.0, 2.0]]).unwrap();
        let e = symmetric_eigen(&a);
        assert!(close(e.values[0], 3.0, 1e-10) && close(e.values[1], 1.0, 1e-10));
        let h = std::f64::consts::FRAC_1_SQRT_2;
        assert!(close(e.vectors.get(0, 0).abs(), h, 1e-10));
        assert!(close(e.vectors.get(1, 0).abs(), h, 1e-10));
        assert!(e.vectors.get(0, 0) * e.vectors.get(1, 0) > 0.0);
    }

    #[test]
    fn eigen_reconstructs_matrix() {
        let a = Matrix::from_rows(&[
            vec![4.0, 1.0, 0.5, 0.0],
            vec![1.0, 3.0, 0.2, 0.1],
            vec![0.5, 0.2, 2.0, 0.3],
            vec![0.0, 0.1, 0.3, 1.0],
        ])
        .unwrap();
        let e = symmetric_eigen(&a);
        for i in 0..4 {
            for j in 0..4 {
                let r: f64 = (0..4)
                    .map(|k| e.vectors.get(i, k) * e.values[k] * e.vectors.get(j, k))
                    .sum();
                assert!(
                    close(r, a.get(i, j), 1e-9),
                    "({i},{j}) {r} vs {}",
                    a.get(i, j)
                );
            }
        }
        assert!(e.values.windows(2).all(|w| w[0] >= w[1]));
    }

    #[test]
    fn cholesky_solves_and_rejects_indefinite() {
        let a = Matrix::from_rows(&[vec![4.0, 2.0], vec![2.0, 3.0]]).unwrap();
        let x = solve_spd(&a, &[2.0, 1.0]).unwrap();
        assert!(close(4.0 * x[0] + 2.0 * x[1], 2.0, 1e-12));
        assert!(close(2.0 * x[0] + 3.0 * x[1], 1.0, 1e-12));
        let bad = Matrix::from_rows(&[vec![1.0, 2.0], vec![2.0, 1.0]]).unwrap();
        assert!(solve_spd(&bad, &[1.0, 1.0]).is_none());
    }

    #[test]
    fn ragged_rows_rejected() {
        assert!(Matrix::from_rows(&[vec![1.0], vec![1.0, 2.0]]).is_none());
        assert!(Matrix::from_vec(2, 2, vec![1.0; 3]).is_none());
    }
}
