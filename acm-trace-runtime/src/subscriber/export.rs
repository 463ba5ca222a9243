//! Exporting the collector's spans in batches, straight to a span exporter.
//!
//! The collector already batches, bounds and times what the SDK's batch processor would, on a
//! thread of its own; handing its spans to that processor one by one only copied each span
//! through a second queue to a second thread. With an exporter, the collector gathers spans
//! into export batches itself and calls the exporter the way the batch processor does: one
//! blocking call per batch, on the collector's thread.

use std::fmt;
use std::time::{Duration, Instant};

use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{SpanData, SpanExporter};

/// A span exporter behind a trait object, called synchronously.
pub(crate) trait BlockingExport: Send + Sync + fmt::Debug {
    fn export_blocking(&self, batch: Vec<SpanData>) -> OTelSdkResult;
    fn shutdown_blocking(&self, timeout: Duration) -> OTelSdkResult;
}

impl<E: SpanExporter> BlockingExport for E {
    fn export_blocking(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        futures_executor::block_on(self.export(batch))
    }

    fn shutdown_blocking(&self, timeout: Duration) -> OTelSdkResult {
        self.shutdown_with_timeout(timeout)
    }
}

/// How the collector batches exports: at most `max_batch` spans per call, and what is
/// pending is exported at the latest `delay` after the previous export.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Batching {
    pub(crate) max_batch: usize,
    pub(crate) delay: Duration,
}

impl Default for Batching {
    /// The OpenTelemetry defaults of `OTEL_BSP_MAX_EXPORT_BATCH_SIZE` and
    /// `OTEL_BSP_SCHEDULE_DELAY`.
    fn default() -> Self {
        Batching {
            max_batch: 512,
            delay: Duration::from_secs(5),
        }
    }
}

/// Spans waiting for their export batch, and the exporter they go to.
pub(crate) struct Batcher {
    exporter: std::sync::Arc<dyn BlockingExport>,
    batching: Batching,
    pending: Vec<SpanData>,
    last_export: Instant,
    /// Whether the exporter is shut down with the collector, or by its other owner.
    owns_exporter: bool,
}

impl fmt::Debug for Batcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Batcher")
            .field("batching", &self.batching)
            .field("pending", &self.pending.len())
            .finish_non_exhaustive()
    }
}

impl Batcher {
    pub(crate) fn new(
        exporter: std::sync::Arc<dyn BlockingExport>,
        batching: Batching,
        owns_exporter: bool,
    ) -> Self {
        let batching = Batching {
            max_batch: batching.max_batch.max(1),
            ..batching
        };
        Batcher {
            exporter,
            batching,
            pending: Vec::new(),
            last_export: Instant::now(),
            owns_exporter,
        }
    }

    /// Adds a span; exports a batch once `max_batch` are pending.
    pub(crate) fn push(&mut self, span: SpanData) {
        if self.pending.capacity() == 0 {
            self.pending.reserve_exact(self.batching.max_batch);
        }
        self.pending.push(span);
        if self.pending.len() >= self.batching.max_batch {
            self.export_pending();
        }
    }

    /// Exports what is pending if the delay has passed since the last export.
    pub(crate) fn tick(&mut self) {
        if self.last_export.elapsed() >= self.batching.delay {
            self.export_pending();
        }
    }

    /// Exports everything pending now.
    pub(crate) fn export_pending(&mut self) {
        self.last_export = Instant::now();
        if self.pending.is_empty() {
            return;
        }
        let batch = std::mem::take(&mut self.pending);
        // A failed export is counted by the exporter's owner (the pipeline's delivery
        // exporter); the collector goes on with the next batch either way, as the SDK's
        // batch processor does.
        let _ = self.exporter.export_blocking(batch);
    }

    /// Exports what is pending and, if the collector owns the exporter, shuts it down.
    pub(crate) fn finish(&mut self, timeout: Duration) {
        self.export_pending();
        if self.owns_exporter {
            let _ = self.exporter.shutdown_blocking(timeout);
        }
    }
}
