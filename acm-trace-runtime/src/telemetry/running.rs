//! The running export pipeline that [`TelemetryBuilder::start`](crate::TelemetryBuilder::start)
//! returns: flushing, counts, and the way to shutdown.

use std::sync::Arc;
use std::time::Duration;

use opentelemetry_sdk::trace::{SdkTracerProvider, SpanProcessor};

use super::options::ExportDestination;
use super::pipeline::Pipeline;
use super::{FlushError, ShutdownReport, config, shutdown};
use crate::export::delivery::DeliveryCounts;

/// The running export pipeline. Dropping it, or calling [`shutdown`](Self::shutdown), flushes
/// what is pending within the shutdown timeout (default 5 s).
///
/// Both are safe inside async code, including a current-thread tokio runtime and
/// `#[tokio::main]`: the flush runs on a thread of its own and the caller waits at most the
/// bound. Neither panics.
#[derive(Debug)]
#[must_use = "dropping the guard shuts telemetry down at once"]
pub struct Telemetry {
    provider: SdkTracerProvider,
    processor: Arc<dyn SpanProcessor>,
    destination: ExportDestination,
    pipeline: Option<Pipeline>,
    /// Spans in failed exports when the last flush reported, so each flush reports the
    /// failures since the one before.
    failed_reported: std::sync::atomic::AtomicU64,
}

impl Telemetry {
    pub(super) fn new(pipeline: Pipeline) -> Self {
        Self {
            provider: pipeline.tracer_provider.clone(),
            processor: pipeline.span_processor.clone(),
            destination: pipeline.destination.clone(),
            pipeline: Some(pipeline),
            failed_reported: std::sync::atomic::AtomicU64::new(0),
        }
    }

    /// The tracer provider behind the layers, for code that uses the OpenTelemetry API directly.
    pub fn tracer_provider(&self) -> &SdkTracerProvider {
        &self.provider
    }

    /// The span processor of the pipeline (batching, truncation, delivery counting, export),
    /// for a layer that hands finished `SpanData` to the SDK itself, such as
    /// [`AcmLayer`](crate::AcmLayer). Spans given to it are flushed, counted and reported like
    /// those of the tracer provider; it shuts down with this guard.
    pub fn span_processor(&self) -> Arc<dyn SpanProcessor> {
        self.processor.clone()
    }

    /// Where spans go.
    pub fn destination(&self) -> &ExportDestination {
        &self.destination
    }

    /// What became of the spans so far.
    pub fn delivery(&self) -> DeliveryCounts {
        self.pipeline
            .as_ref()
            .map(Pipeline::counts)
            .unwrap_or_default()
    }

    /// The bound on [`flush`](Self::flush) and [`shutdown`](Self::shutdown).
    pub fn shutdown_timeout(&self) -> Duration {
        self.pipeline
            .as_ref()
            .map_or(config::DEFAULT_SHUTDOWN_TIMEOUT, |p| p.shutdown_timeout)
    }

    /// Exports every span that has ended so far and waits for the result, at most the shutdown
    /// timeout. Spans whose export failed since the previous flush make it an error, with the
    /// exporter's reason (an HTTP status, a refused connection, a bad frame...).
    pub fn flush(&self) -> Result<(), FlushError> {
        let bound = self.shutdown_timeout();
        let provider = self.provider.clone();
        let flusher = self.pipeline.as_ref().and_then(|p| p.flusher.clone());
        #[cfg(feature = "otlp")]
        let logs = self
            .pipeline
            .as_ref()
            .and_then(|p| p.logger_provider.clone());
        let deadline = std::time::Instant::now() + bound;
        let counters = self.pipeline.as_ref().map(|p| p.counters.clone());
        let result = shutdown::run_bounded("acm-telemetry-flush", bound, move || {
            if let Some(flusher) = flusher {
                flusher.flush(deadline.saturating_duration_since(std::time::Instant::now()));
            }
            #[cfg(feature = "otlp")]
            if let Some(logs) = logs {
                let _ = logs.force_flush();
            }
            provider.force_flush()
        });
        // The native subscriber's collector exports by itself: its failures reach the caller
        // through the counts, not through the processor's flush.
        if let Some(counters) = &counters {
            let now = counters.failed();
            let before = self
                .failed_reported
                .swap(now, std::sync::atomic::Ordering::AcqRel);
            let failed = now.saturating_sub(before);
            if failed > 0 {
                let reason = counters.last_failure().unwrap_or_default();
                return Err(FlushError::Export(format!(
                    "{failed} spans in failed exports: {reason}"
                )));
            }
        }
        match result {
            None => Err(FlushError::TimedOut(bound)),
            Some(Ok(())) => Ok(()),
            Some(Err(opentelemetry_sdk::error::OTelSdkError::AlreadyShutdown)) => {
                Err(FlushError::ShutDown)
            }
            Some(Err(err)) => Err(FlushError::Export(err.to_string())),
        }
    }

    /// Flushes and stops the pipeline within the shutdown timeout and reports what was and was
    /// not delivered. With the embedded default, also prints the tree of the run to stderr.
    pub fn shutdown(mut self) -> ShutdownReport {
        self.shutdown_now()
    }

    fn shutdown_now(&mut self) -> ShutdownReport {
        match self.pipeline.take() {
            Some(pipeline) => shutdown::shutdown(pipeline),
            None => ShutdownReport {
                ended: 0,
                exported: 0,
                failed: 0,
                undelivered: 0,
                completed: true,
                elapsed: Duration::ZERO,
                errors: Vec::new(),
                last_failure: None,
                dropped: 0,
            },
        }
    }
}

impl Drop for Telemetry {
    fn drop(&mut self) {
        let _ = self.shutdown_now();
    }
}
