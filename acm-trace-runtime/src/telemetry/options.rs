//! What telemetry can be configured with, as data: the options set in code, and the choices
//! they and the environment pick from. The first link of the chain options → configuration
//! (`config.rs`: code, then environment, then default) → assembly (`pipeline.rs`) → the running
//! pipeline (`running.rs`) → shutdown (`shutdown.rs`); nothing here depends on a later link.

use std::path::PathBuf;
use std::time::Duration;

use opentelemetry::KeyValue;
use opentelemetry_sdk::trace::Sampler;
use tracing_subscriber::Layer;
use tracing_subscriber::filter::LevelFilter;

/// The OTLP transport.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Protocol {
    /// OTLP over gRPC (`grpc`); needs the `otlp-grpc` feature.
    Grpc,
    /// OTLP over HTTP with protobuf bodies (`http/protobuf`); needs the `otlp-http` feature.
    #[default]
    HttpProtobuf,
}

impl Protocol {
    /// The name used by `OTEL_EXPORTER_OTLP_PROTOCOL`.
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Grpc => "grpc",
            Protocol::HttpProtobuf => "http/protobuf",
        }
    }

    #[cfg_attr(feature = "otlp", allow(dead_code))]
    pub(crate) fn feature(self) -> &'static str {
        match self {
            Protocol::Grpc => "otlp-grpc",
            Protocol::HttpProtobuf => "otlp-http",
        }
    }
}

/// Whether the tree printed at shutdown uses ANSI colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ColorChoice {
    /// Colours when stderr is a terminal and `NO_COLOR` is unset or empty.
    #[default]
    Auto,
    /// Always colours.
    Always,
    /// Never colours.
    Never,
}

/// Where spans go.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ExportDestination {
    /// An OTLP endpoint.
    Otlp {
        /// The transport.
        protocol: Protocol,
        /// The URL spans are sent to.
        traces_endpoint: String,
        /// The URL log records are sent to, if logs are exported.
        logs_endpoint: Option<String>,
    },
    /// The embedded default: an OTLP/JSON lines file.
    File {
        /// The file, `<out_dir>/<run_id>.jsonl`.
        path: PathBuf,
    },
}

/// The layers that carry `tracing` spans and events into the export pipeline, for a subscriber
/// of your own; see [`TelemetryBuilder::build`].
pub type TelemetryLayer<S> = Box<dyn Layer<S> + Send + Sync + 'static>;

#[derive(Debug, Default)]
pub(crate) struct CodeOptions {
    pub(crate) service_name: Option<String>,
    pub(crate) default_service_name: Option<String>,
    pub(crate) resource: Vec<KeyValue>,
    pub(crate) endpoint: Option<String>,
    pub(crate) traces_endpoint: Option<String>,
    pub(crate) protocol: Option<Protocol>,
    pub(crate) headers: Headers,
    pub(crate) timeout: Option<Duration>,
    pub(crate) insecure: Option<bool>,
    pub(crate) sampler: Option<Sampler>,
    pub(crate) max_queue_size: Option<usize>,
    pub(crate) max_export_batch_size: Option<usize>,
    pub(crate) scheduled_delay: Option<Duration>,
    pub(crate) value_length_limit: Option<usize>,
    pub(crate) shutdown_timeout: Option<Duration>,
    pub(crate) out_dir: Option<PathBuf>,
    pub(crate) run_id: Option<String>,
    pub(crate) print_tree: Option<bool>,
    pub(crate) color: Option<ColorChoice>,
    pub(crate) export_logs: Option<bool>,
    pub(crate) log_level: Option<LevelFilter>,
    pub(crate) tracing_opentelemetry: bool,
    pub(crate) error_messages: Option<bool>,
}

/// Headers set in code; `Debug` shows names only, since values are often credentials.
#[derive(Default)]
pub(crate) struct Headers(pub(crate) Vec<(String, String)>);

impl std::fmt::Debug for Headers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|(name, _)| name))
            .finish()
    }
}
