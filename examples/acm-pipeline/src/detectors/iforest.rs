//! Isolation forest (Liu, Ting & Zhou, 2008): anomalies are few and different, so random
//! axis-aligned splits isolate them in fewer steps than normal points.

use crate::linalg::Matrix;
use crate::rng::Rng;

#[derive(Debug, Clone, PartialEq)]
enum Node {
    Split {
        feature: usize,
        value: f64,
        left: usize,
        right: usize,
    },
    /// `size` training points ended here; the unbuilt subtree below is accounted for by c(size).
    Leaf { size: usize },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Tree {
    nodes: Vec<Node>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct IsolationForest {
    pub trees: Vec<Tree>,
    pub sample_size: usize,
    pub n_features: usize,
}

/// Average path length of an unsuccessful binary-search-tree search among `n` points, the
/// normaliser of the original paper.
pub fn average_path_length(n: usize) -> f64 {
    match n {
        0 | 1 => 0.0,
        2 => 1.0,
        _ => {
            let n = n as f64;
            2.0 * ((n - 1.0).ln() + 0.577_215_664_901_532_9) - 2.0 * (n - 1.0) / n
        }
    }
}

/// Builds `n_trees` trees, each on its own random subsample of `sample_size` rows.
pub fn fit(
    x: &Matrix,
    n_trees: usize,
    sample_size: usize,
    seed: u64,
) -> Result<IsolationForest, String> {
    if x.nrows() < 2 || x.ncols() == 0 {
        return Err(format!(
            "isolation forest needs ≥ 2 rows and ≥ 1 column, got {} × {}",
            x.nrows(),
            x.ncols()
        ));
    }
    let psi = sample_size.min(x.nrows());
    // The paper's height limit: deeper than log2 ψ only separates normal points further.
    let max_depth = (psi as f64).log2().ceil() as usize;
    let trees = (0..n_trees)
        .map(|t| {
            let mut rng = Rng::derive(seed, t as u64);
            let idx = rng.sample_indices(x.nrows(), psi);
            let mut nodes = Vec::new();
            build(x, idx, 0, max_depth, &mut rng, &mut nodes);
            Tree { nodes }
        })
        .collect();
    Ok(IsolationForest {
        trees,
        sample_size: psi,
        n_features: x.ncols(),
    })
}

/// Appends the subtree over `idx` to `nodes` and returns its root's index.
fn build(
    x: &Matrix,
    idx: Vec<usize>,
    depth: usize,
    max_depth: usize,
    rng: &mut Rng,
    nodes: &mut Vec<Node>,
) -> usize {
    let me = nodes.len();
    nodes.push(Node::Leaf { size: idx.len() });
    if idx.len() <= 1 || depth >= max_depth {
        return me;
    }
    // Only features that vary inside this node can split it; picking among them avoids
    // wasting depth on no-op splits.
    let ranges: Vec<(usize, f64, f64)> = (0..x.ncols())
        .filter_map(|f| {
            let (lo, hi) = idx
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &i| {
                    let v = x.get(i, f);
                    (lo.min(v), hi.max(v))
                });
            (hi > lo).then_some((f, lo, hi))
        })
        .collect();
    if ranges.is_empty() {
        return me;
    }
    let (feature, lo, hi) = ranges[rng.below(ranges.len())];
    let value = rng.uniform(lo, hi);
    let (l, r): (Vec<usize>, Vec<usize>) =
        idx.into_iter().partition(|&i| x.get(i, feature) < value);
    let left = build(x, l, depth + 1, max_depth, rng, nodes);
    let right = build(x, r, depth + 1, max_depth, rng, nodes);
    nodes[me] = Node::Split {
        feature,
        value,
        left,
        right,
    };
    me
}

impl Tree {
    fn path_length(&self, row: &[f64]) -> f64 {
        let mut node = 0;
        let mut depth = 0.0;
        loop {
            match self.nodes[node] {
                Node::Split {
                    feature,
                    value,
                    left,
                    right,
                } => {
                    node = if row[feature] < value { left } else { right };
                    depth += 1.0;
                }
                Node::Leaf { size } => return depth + average_path_length(size),
            }
        }
    }
}

/// Anomaly score `s = 2^(−E[h(x)] / c(ψ))` in (0, 1]: near 1 for anomalies, below 0.5 for
/// normal points.
pub fn score(model: &IsolationForest, x: &Matrix) -> Result<Vec<f64>, String> {
    if x.ncols() != model.n_features {
        return Err(format!(
            "model has {} features, data has {}",
            model.n_features,
            x.ncols()
        ));
    }
    if model.trees.is_empty() {
        return Err("the forest has no trees".to_owned());
    }
    let c = average_path_length(model.sample_size).max(1.0);
    let n_trees = model.trees.len() as f64;
    Ok(x.rows_iter()
        .map(|row| {
            let mean_h = model.trees.iter().map(|t| t.path_length(row)).sum::<f64>() / n_trees;
            2f64.powf(-mean_h / c)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_length_normaliser_known_values() {
        assert_eq!(average_path_length(1), 0.0);
        assert_eq!(average_path_length(2), 1.0);
        // c(256) ≈ 10.24, the paper's value.
        assert!((average_path_length(256) - 10.24).abs() < 0.01);
    }

    #[test]
    fn isolates_outlier_from_cluster() {
        let mut rng = Rng::new(5);
        let rows: Vec<Vec<f64>> = (0..1_000)
            .map(|_| vec![rng.normal(), rng.normal(), rng.normal()])
            .collect();
        let x = Matrix::from_rows(&rows).unwrap();
        let forest = fit(&x, 100, 256, 42).unwrap();
        let probe = Matrix::from_rows(&[vec![0.0, 0.0, 0.0], vec![6.0, -6.0, 6.0]]).unwrap();
        let s = score(&forest, &probe).unwrap();
        assert!(s[0] < 0.5, "centre scored {}", s[0]);
        assert!(s[1] > 0.65, "outlier scored {}", s[1]);
        let train = score(&forest, &x).unwrap();
        assert!(train.iter().all(|&v| v < s[1]));
    }

    #[test]
    fn deterministic_for_a_seed() {
        let x = Matrix::from_rows(
            &(0..50)
                .map(|i| vec![i as f64, (i * i) as f64])
                .collect::<Vec<_>>(),
        )
        .unwrap();
        assert_eq!(fit(&x, 5, 32, 1).unwrap(), fit(&x, 5, 32, 1).unwrap());
    }

    #[test]
    fn constant_data_gives_single_leaves() {
        let x = Matrix::from_vec(10, 2, vec![1.0; 20]).unwrap();
        let f = fit(&x, 3, 8, 0).unwrap();
        assert!(f.trees.iter().all(|t| t.nodes.len() == 1));
        assert!(score(&f, &Matrix::zeros(1, 3)).is_err());
    }
}
