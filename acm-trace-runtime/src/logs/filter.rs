//! Keeps the exporters' own diagnostics out of the exported data.
//!
//! The SDK suppresses telemetry on its own export threads, but tonic, h2, hyper and reqwest also
//! log from tokio workers and client threads where nothing is suppressed; without this filter
//! every export would produce log records and spans that are exported in turn.

use tracing::Metadata;
use tracing::subscriber::Interest;
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::layer::{Context, Filter};

/// Crates whose spans and events never enter the pipeline. Matched as whole crate names
/// (`hyper` and `hyper_util`, but not a user module `hyperparams`).
const EXPORTER_CRATES: &[&str] = &[
    "h2",
    "http_body_util",
    "hyper",
    "hyper_rustls",
    "hyper_util",
    "reqwest",
    "rustls",
    "tokio_rustls",
    "tonic",
    "tower",
    "tower_http",
    "opentelemetry",
    "opentelemetry_sdk",
    "opentelemetry_otlp",
    "opentelemetry_http",
    "opentelemetry_proto",
    "opentelemetry_appender_tracing",
    "tracing_opentelemetry",
];

/// Whether a `tracing` target belongs to one of the exporter crates.
///
/// The SDK's internal logs use the package name (`opentelemetry-otlp`) as their target, so
/// dashes count as underscores.
pub(crate) fn is_exporter_internal(target: &str) -> bool {
    let krate = target.split("::").next().unwrap_or(target);
    EXPORTER_CRATES
        .iter()
        .any(|name| krate.len() == name.len() && krate.replace('-', "_") == *name)
}

/// A per-layer filter that keeps the exporters' own crates (`hyper`, `h2`, `tonic`, `tower`,
/// `reqwest`, `rustls`, `opentelemetry*`, …) out of a layer and lets everything else through
/// up to a level.
///
/// The layers of [`TelemetryBuilder::build`](crate::TelemetryBuilder::build) already carry it;
/// put it on any other layer that exports what it sees, or every export produces diagnostics
/// that are exported in turn.
///
/// ```
/// use tracing_subscriber::filter::LevelFilter;
/// use tracing_subscriber::prelude::*;
///
/// let layer = tracing_subscriber::fmt::layer()
///     .with_writer(std::io::sink)
///     .with_filter(acm_trace_runtime::NoFeedback::new(LevelFilter::INFO));
/// let _subscriber = tracing_subscriber::registry().with(layer);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct NoFeedback {
    pub(crate) level: LevelFilter,
}

impl NoFeedback {
    /// Lets through spans and events up to `level`, except those of the exporter crates.
    pub fn new(level: LevelFilter) -> Self {
        Self { level }
    }

    pub(crate) fn allows(&self, meta: &Metadata<'_>) -> bool {
        *meta.level() <= self.level && !is_exporter_internal(meta.target())
    }
}

impl<S> Filter<S> for NoFeedback {
    fn enabled(&self, meta: &Metadata<'_>, _cx: &Context<'_, S>) -> bool {
        self.allows(meta)
    }

    fn callsite_enabled(&self, meta: &'static Metadata<'static>) -> Interest {
        // Decided once per callsite: the target and level of a callsite never change.
        if self.allows(meta) {
            Interest::always()
        } else {
            Interest::never()
        }
    }

    fn max_level_hint(&self) -> Option<LevelFilter> {
        Some(self.level)
    }
}

#[cfg(test)]
mod tests {
    use super::is_exporter_internal;

    #[test]
    fn matches_whole_crate_names_only() {
        assert!(is_exporter_internal("h2::codec::framed_write"));
        assert!(is_exporter_internal("hyper_util::client::legacy"));
        assert!(is_exporter_internal("opentelemetry-otlp"));
        assert!(is_exporter_internal("opentelemetry_sdk"));
        assert!(is_exporter_internal("tonic"));
        assert!(!is_exporter_internal("hyperparams::search"));
        assert!(!is_exporter_internal("acm_pipeline::fit"));
        assert!(!is_exporter_internal("towers"));
    }
}
