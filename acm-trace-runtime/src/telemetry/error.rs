//! Errors of starting and flushing the telemetry pipeline.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

/// Why [`TelemetryBuilder::start`](crate::TelemetryBuilder::start) or
/// [`TelemetryBuilder::build`](crate::TelemetryBuilder::build) failed.
///
/// Every variant names the setting at fault, so a bad deployment says what to fix:
///
/// ```
/// use std::collections::HashMap;
///
/// let env = HashMap::from([
///     ("OTEL_TRACES_SAMPLER", "traceidratio"),
///     ("OTEL_TRACES_SAMPLER_ARG", "half"),
/// ]);
/// let err = acm_trace_runtime::init()
///     .env(env)
///     .build::<tracing_subscriber::Registry>()
///     .err()
///     .unwrap();
/// assert!(err.to_string().contains("OTEL_TRACES_SAMPLER_ARG"));
/// assert!(err.to_string().contains("half"));
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum StartError {
    /// An environment variable holds a value that cannot be used.
    InvalidEnv {
        /// The variable, e.g. `OTEL_EXPORTER_OTLP_TIMEOUT`.
        var: &'static str,
        /// Its value as read.
        value: String,
        /// What a valid value looks like.
        expected: String,
    },
    /// A value given in code cannot be used.
    InvalidSetting {
        /// The builder method, e.g. `endpoint`.
        setting: &'static str,
        /// The value given.
        value: String,
        /// What a valid value looks like.
        expected: String,
    },
    /// The chosen OTLP transport was not compiled in.
    TransportDisabled {
        /// `grpc` or `http/protobuf`.
        protocol: &'static str,
        /// The cargo feature of `acm-trace-runtime` that enables it.
        feature: &'static str,
    },
    /// The OTLP exporter refused its configuration.
    Exporter(String),
    /// The embedded default could not open its output file.
    Output {
        /// The file it tried to create.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A helper thread or runtime could not be created.
    Runtime(std::io::Error),
    /// [`start`](crate::TelemetryBuilder::start) found a global `tracing` subscriber already
    /// installed; use [`build`](crate::TelemetryBuilder::build) to add the layers to it instead.
    SubscriberAlreadySet,
}

impl fmt::Display for StartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidEnv {
                var,
                value,
                expected,
            } => write!(f, "invalid value {value:?} in {var}: expected {expected}"),
            Self::InvalidSetting {
                setting,
                value,
                expected,
            } => write!(f, "invalid value {value:?} for `{setting}`: expected {expected}"),
            Self::TransportDisabled { protocol, feature } => write!(
                f,
                "OTLP protocol `{protocol}` is not compiled in: enable the `{feature}` feature of acm-trace-runtime"
            ),
            Self::Exporter(msg) => write!(f, "cannot build the OTLP exporter: {msg}"),
            Self::Output { path, source } => {
                write!(f, "cannot create trace file {}: {source}", path.display())
            }
            Self::Runtime(err) => write!(f, "cannot start an export thread: {err}"),
            Self::SubscriberAlreadySet => f.write_str(
                "a global tracing subscriber is already set; add the layers from `TelemetryBuilder::build` to it instead",
            ),
        }
    }
}

impl std::error::Error for StartError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Output { source, .. } | Self::Runtime(source) => Some(source),
            _ => None,
        }
    }
}

/// Why [`Telemetry::flush`](crate::Telemetry::flush) did not confirm delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FlushError {
    /// The flush did not finish within the bound; it goes on in the background.
    TimedOut(Duration),
    /// The exporter reported an error for the flushed spans.
    Export(String),
    /// The pipeline was already shut down.
    ShutDown,
}

impl fmt::Display for FlushError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TimedOut(bound) => write!(f, "flush did not finish within {bound:?}"),
            Self::Export(msg) => write!(f, "export failed: {msg}"),
            Self::ShutDown => f.write_str("telemetry is already shut down"),
        }
    }
}

impl std::error::Error for FlushError {}
