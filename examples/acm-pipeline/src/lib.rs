//! An anomaly-detection pipeline shaped like ACM, on generated sensor data, with its results
//! in SQLite. It is the demo of `acm-trace`: each stage is one function, named after the span
//! it stands for (see the `Span:` line of each function's documentation), so that the trace
//! of a run has the shape of ACM's.
//!
//! ```text
//! pipeline.run                     pipeline::run_batch (one per batch)
//! ├─ startup                       startup::startup
//! ├─ load.data                     load::load_data           (└─ sql.bulk_insert on first use)
//! ├─ features.compute              features::compute_features
//! ├─ models.fit                    detectors::fit_models
//! │  └─ fit.{detector}             detectors::fit            (ar1, pca, iforest, gmm, omr)
//! ├─ models.score                  detectors::score_models
//! │  └─ score.{detector}           detectors::score
//! ├─ regimes.fit                   regimes::fit_regimes
//! ├─ fusion.combine                fusion::combine
//! ├─ thresholds.calculate          thresholds::calculate
//! ├─ fusion.detect_episodes        fusion::detect_episodes
//! ├─ forecast.run                  forecast::run_forecast
//! │  ├─ forecast.fit_degradation   forecast::fit_degradation
//! │  └─ forecast.estimate_rul      forecast::estimate_rul
//! ├─ analytics.generate            analytics::generate
//! ├─ persist.scores                persist::persist_scores   (└─ sql.bulk_insert per chunk)
//! ├─ persist.episodes              persist::persist_episodes (└─ sql.bulk_insert)
//! └─ finalize                      finalize::finalize        (└─ sql.bulk_insert)
//! ```

/// The service name the demo gives its telemetry unless `OTEL_SERVICE_NAME` says otherwise.
pub const SERVICE_NAME: &str = "acm-pipeline";

pub mod analytics;
pub mod cli;
pub mod config;
pub mod data;
pub mod db;
pub mod detectors;
pub mod error;
pub mod features;
pub mod finalize;
pub mod forecast;
pub mod fusion;
pub mod linalg;
pub mod load;
pub mod persist;
pub mod pipeline;
pub mod regimes;
pub mod rng;
pub mod startup;
pub mod stats;
pub mod thresholds;

pub use config::Config;
pub use error::PipelineError;
pub use pipeline::{BatchSummary, RunSummary, run};
