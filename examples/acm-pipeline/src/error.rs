//! The one error type of the pipeline. Each variant says which stage failed and why, so that a
//! failing span's `acm.error_type` and message are useful without the logs.

use std::path::PathBuf;

use crate::detectors::Detector;

#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error("invalid configuration: {0}")]
    Config(String),

    #[error("cannot {action} `{}`: {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("SQLite error while trying to {action}: {source}")]
    Sql {
        action: &'static str,
        #[source]
        source: rusqlite::Error,
    },

    #[error("SQLite error while inserting into `{table}`: {source}")]
    BulkInsert {
        table: &'static str,
        #[source]
        source: rusqlite::Error,
    },

    #[error("{stage} needs at least {needed} rows, got {got}")]
    InsufficientData {
        stage: &'static str,
        needed: usize,
        got: usize,
    },

    #[error("fitting detector `{detector}` failed: {reason}")]
    Fit { detector: Detector, reason: String },

    #[error("scoring detector `{detector}` failed: {reason}")]
    Score { detector: Detector, reason: String },

    #[error("{stage}: {reason}")]
    Numerical { stage: &'static str, reason: String },

    #[error("stage `{stage}` failed because --fail-stage asked it to")]
    InjectedFailure { stage: String },
}

impl PipelineError {
    /// The span-style name of the stage an injected failure hit, if that is what this is.
    pub fn injected_stage(&self) -> Option<&str> {
        match self {
            PipelineError::InjectedFailure { stage } => Some(stage),
            _ => None,
        }
    }
}

/// Attaches what the program was doing to a SQLite error.
pub(crate) trait SqlContext<T> {
    fn sql(self, action: &'static str) -> Result<T, PipelineError>;
}

impl<T> SqlContext<T> for Result<T, rusqlite::Error> {
    fn sql(self, action: &'static str) -> Result<T, PipelineError> {
        self.map_err(|source| PipelineError::Sql { action, source })
    }
}
