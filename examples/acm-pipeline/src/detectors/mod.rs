//! The five detectors behind one generic fit/score interface, so that the detector's name is a
//! value and the spans can be named `fit.{detector}` / `score.{detector}`.
//!
//! AR1 and OMR look at the raw sensor channels (their residuals need physical relations);
//! PCA, the isolation forest and the GMM look at the standardised feature matrix.

pub mod ar1;
pub mod gmm;
pub mod iforest;
pub mod omr;
pub mod pca;

use acm_trace::acm_span;
use std::fmt;

use crate::config::Config;
use crate::error::PipelineError;
use crate::linalg::Matrix;
use crate::rng::Rng;
use crate::stats::RobustScale;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Detector {
    Ar1,
    Pca,
    Iforest,
    Gmm,
    Omr,
}

impl Detector {
    pub const ALL: [Detector; 5] = [
        Detector::Ar1,
        Detector::Pca,
        Detector::Iforest,
        Detector::Gmm,
        Detector::Omr,
    ];

    /// Lower-case name, as used in span names and database columns.
    pub fn as_str(self) -> &'static str {
        match self {
            Detector::Ar1 => "ar1",
            Detector::Pca => "pca",
            Detector::Iforest => "iforest",
            Detector::Gmm => "gmm",
            Detector::Omr => "omr",
        }
    }

    /// Position in [`Detector::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Detector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the detectors see of one window of data (same rows in both matrices).
#[derive(Debug, Clone, Copy)]
pub struct DetectorInput<'a> {
    /// Sensor channels.
    pub raw: &'a Matrix,
    /// Standardised features.
    pub features: &'a Matrix,
}

impl DetectorInput<'_> {
    pub fn nrows(&self) -> usize {
        self.raw.nrows()
    }
}

#[derive(Debug, Clone)]
pub enum Model {
    Ar1(ar1::Ar1Model),
    Pca(pca::PcaModel),
    Iforest(iforest::IsolationForest),
    Gmm(gmm::GmmModel),
    Omr(omr::OmrModel),
}

/// A fitted detector and the distribution of its raw score on the training rows, which turns
/// later raw scores into robust z-scores comparable across detectors.
#[derive(Debug, Clone)]
pub struct FittedDetector {
    pub detector: Detector,
    pub model: Model,
    pub calibration: RobustScale,
    /// z-scores of the training rows: the healthy reference the threshold is set against.
    pub train_z: Vec<f64>,
}

/// All five fitted detectors, in [`Detector::ALL`] order.
#[derive(Debug, Clone)]
pub struct Models {
    pub fitted: Vec<FittedDetector>,
}

impl Models {
    /// The training rows' scores, in the same shape as a scored window's.
    pub fn training_scores(&self) -> Scores {
        Scores {
            by_detector: self
                .fitted
                .iter()
                .map(|f| DetectorScores {
                    detector: f.detector,
                    raw: Vec::new(),
                    z: f.train_z.clone(),
                })
                .collect(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct DetectorScores {
    pub detector: Detector,
    /// The detector's own score (higher = more anomalous).
    pub raw: Vec<f64>,
    /// Robust z-score against the training rows.
    pub z: Vec<f64>,
}

/// Scores of all detectors, in [`Detector::ALL`] order.
#[derive(Debug, Clone, PartialEq)]
pub struct Scores {
    pub by_detector: Vec<DetectorScores>,
}

impl Scores {
    pub fn get(&self, detector: Detector) -> Option<&DetectorScores> {
        self.by_detector.iter().find(|s| s.detector == detector)
    }

    pub fn nrows(&self) -> usize {
        self.by_detector.first().map_or(0, |s| s.z.len())
    }
}

/// Fits every detector on the baseline window.
///
/// Span: `models.fit`
#[acm_span("models.fit", track_resources)]
pub fn fit_models(cfg: &Config, train: DetectorInput<'_>) -> Result<Models, PipelineError> {
    cfg.fail_point("models.fit")?;
    let fitted = Detector::ALL
        .iter()
        .map(|&d| fit(cfg, d, train))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Models { fitted })
}

/// Fits one detector and calibrates its score on the training rows.
///
/// Span: `fit.{detector}`
#[acm_span("fit.{detector}", n_samples = train.features.nrows(), n_features = train.features.ncols())]
pub fn fit(
    cfg: &Config,
    detector: Detector,
    train: DetectorInput<'_>,
) -> Result<FittedDetector, PipelineError> {
    cfg.fail_point(&format!("fit.{detector}"))?;
    let t = &cfg.tuning;
    // Each randomised detector gets its own stream, so adding one never changes another.
    let seed = Rng::derive(cfg.seed, 0xD0 + detector.index() as u64).next_u64();
    let model = match detector {
        Detector::Ar1 => ar1::fit(train.raw).map(Model::Ar1),
        Detector::Pca => pca::fit(train.features, t.pca_variance).map(Model::Pca),
        Detector::Iforest => iforest::fit(train.features, t.iforest_trees, t.iforest_sample, seed)
            .map(Model::Iforest),
        Detector::Gmm => {
            gmm::fit(train.features, t.gmm_components, t.gmm_max_iter, seed).map(Model::Gmm)
        }
        Detector::Omr => omr::fit(train.raw).map(Model::Omr),
    }
    .map_err(|reason| PipelineError::Fit { detector, reason })?;
    let train_raw =
        raw_score(&model, train).map_err(|reason| PipelineError::Fit { detector, reason })?;
    if train_raw.iter().any(|v| !v.is_finite()) {
        return Err(PipelineError::Fit {
            detector,
            reason: "non-finite score on the training rows".to_owned(),
        });
    }
    let calibration = RobustScale::fit(&train_raw);
    let train_z = train_raw.iter().map(|&v| calibration.z(v)).collect();
    Ok(FittedDetector {
        detector,
        model,
        calibration,
        train_z,
    })
}

/// Scores a window with every fitted detector.
///
/// Span: `models.score`
#[acm_span("models.score")]
pub fn score_models(
    cfg: &Config,
    models: &Models,
    input: DetectorInput<'_>,
) -> Result<Scores, PipelineError> {
    cfg.fail_point("models.score")?;
    let by_detector = models
        .fitted
        .iter()
        .map(|m| score(cfg, m.detector, m, input))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Scores { by_detector })
}

/// Scores a window with one fitted detector. `detector` names the span and must match the
/// model.
///
/// Span: `score.{detector}`
#[acm_span("score.{detector}", n_samples = input.features.nrows())]
pub fn score(
    cfg: &Config,
    detector: Detector,
    fitted: &FittedDetector,
    input: DetectorInput<'_>,
) -> Result<DetectorScores, PipelineError> {
    cfg.fail_point(&format!("score.{detector}"))?;
    if fitted.detector != detector {
        return Err(PipelineError::Score {
            detector,
            reason: format!("was given the model of `{}`", fitted.detector),
        });
    }
    let raw = raw_score(&fitted.model, input)
        .map_err(|reason| PipelineError::Score { detector, reason })?;
    if let Some(i) = raw.iter().position(|v| !v.is_finite()) {
        return Err(PipelineError::Score {
            detector,
            reason: format!("non-finite score at row {i}"),
        });
    }
    let z = raw.iter().map(|&v| fitted.calibration.z(v)).collect();
    Ok(DetectorScores { detector, raw, z })
}

fn raw_score(model: &Model, input: DetectorInput<'_>) -> Result<Vec<f64>, String> {
    match model {
        Model::Ar1(m) => ar1::score(m, input.raw),
        Model::Pca(m) => pca::score(m, input.features),
        Model::Iforest(m) => iforest::score(m, input.features),
        Model::Gmm(m) => gmm::score(m, input.features),
        Model::Omr(m) => omr::score(m, input.raw),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small_input(n: usize, seed: u64) -> (Matrix, Matrix) {
        let mut rng = Rng::new(seed);
        let rows: Vec<Vec<f64>> = (0..n)
            .map(|_| {
                let l = rng.normal();
                vec![
                    l + 0.1 * rng.normal(),
                    2.0 * l + 0.1 * rng.normal(),
                    rng.normal(),
                ]
            })
            .collect();
        let m = Matrix::from_rows(&rows).unwrap();
        (m.clone(), m)
    }

    fn small_config() -> Config {
        let mut cfg = Config::default();
        cfg.tuning.iforest_trees = 20;
        cfg.tuning.gmm_components = 2;
        cfg
    }

    #[test]
    fn names_match_span_convention() {
        let names: Vec<String> = Detector::ALL.iter().map(ToString::to_string).collect();
        assert_eq!(names, ["ar1", "pca", "iforest", "gmm", "omr"]);
        assert!(
            Detector::ALL
                .iter()
                .enumerate()
                .all(|(i, d)| d.index() == i)
        );
    }

    #[test]
    fn training_rows_calibrate_to_median_zero() {
        let (raw, feat) = small_input(600, 1);
        let cfg = small_config();
        let input = DetectorInput {
            raw: &raw,
            features: &feat,
        };
        let models = fit_models(&cfg, input).unwrap();
        let scores = score_models(&cfg, &models, input).unwrap();
        assert_eq!(scores.by_detector.len(), 5);
        for s in &scores.by_detector {
            let med = crate::stats::median(&s.z);
            assert!(med.abs() < 1e-9, "{} median z {med}", s.detector);
        }
    }

    #[test]
    fn every_detector_flags_a_broken_row() {
        let (raw, feat) = small_input(600, 2);
        let cfg = small_config();
        let models = fit_models(
            &cfg,
            DetectorInput {
                raw: &raw,
                features: &feat,
            },
        )
        .unwrap();
        // Channel 1 should be 2× channel 0; here it has the opposite sign, 4σ out on both.
        let probe = Matrix::from_rows(&[vec![0.0, 0.0, 0.0], vec![4.0, -8.0, 0.0]]).unwrap();
        let scores = score_models(
            &cfg,
            &models,
            DetectorInput {
                raw: &probe,
                features: &probe,
            },
        )
        .unwrap();
        for s in &scores.by_detector {
            // The isolation forest's score is bounded, so its z-scores stay smaller.
            assert!(
                s.z[1] > 2.0 && s.z[1] > s.z[0] + 2.0,
                "{} {:?}",
                s.detector,
                s.z
            );
        }
    }

    #[test]
    fn mismatched_model_and_injected_failure_are_errors() {
        let (raw, feat) = small_input(200, 3);
        let cfg = small_config();
        let input = DetectorInput {
            raw: &raw,
            features: &feat,
        };
        let m = fit(&cfg, Detector::Ar1, input).unwrap();
        let e = score(&cfg, Detector::Pca, &m, input).unwrap_err();
        assert!(e.to_string().contains("model of `ar1`"), "{e}");
        let failing = Config {
            fail_stage: Some("fit.gmm".into()),
            ..small_config()
        };
        let e = fit_models(&failing, input).unwrap_err();
        assert_eq!(e.injected_stage(), Some("fit.gmm"));
    }
}
