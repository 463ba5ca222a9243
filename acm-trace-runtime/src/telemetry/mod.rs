//! Starting, flushing and stopping the export pipeline.

mod batch;
mod builder;
pub(crate) mod config;
mod env;
mod error;
mod options;
#[cfg(feature = "otlp")]
mod otlp;
mod parse;
mod pipeline;
mod redact;
mod running;
mod shutdown;

#[cfg(test)]
mod config_tests;

pub use batch::{DEFAULT_COLLECTOR_QUEUE, MAX_QUEUE_SIZE};
pub use builder::TelemetryBuilder;
pub use env::{EnvSource, ProcessEnv};
pub use error::{FlushError, StartError};
pub use options::{ColorChoice, ExportDestination, Protocol, TelemetryLayer};
pub use running::Telemetry;
pub use shutdown::ShutdownReport;

/// Starts configuring telemetry; finish with [`TelemetryBuilder::start`] or
/// [`TelemetryBuilder::build`].
pub fn init() -> TelemetryBuilder {
    TelemetryBuilder::default()
}
