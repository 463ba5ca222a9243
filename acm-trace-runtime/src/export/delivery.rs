//! Counts what happens to every ended span, so shutdown can say what was not delivered, and
//! prepares what is exported.
//!
//! The SDK's batch processor keeps its drop count private and throws away the result of the
//! final export, so the counts come from both sides of it: [`CountingProcessor`] sees every
//! span that ends, [`DeliveryExporter`] sees every span handed to the exporter and whether
//! the backend took it. What ended but was never exported was dropped by the full queue,
//! failed, or was still in flight when the time was up. The exporter wrapper is the one
//! every exporter sits behind: it also cuts long attribute values first
//! (`OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT`), so the counts and the backend see the same spans.

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use opentelemetry::Context;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{Span, SpanData, SpanExporter, SpanProcessor};

/// What became of the spans of one [`Telemetry`](crate::Telemetry) so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeliveryCounts {
    /// Spans that ended and were recorded (sampled).
    pub ended: u64,
    /// Spans the backend (or the trace file) accepted.
    pub exported: u64,
    /// Spans in export requests that failed.
    pub failed: u64,
    /// Spans that ended but were not exported: failed, dropped because the queue was full, or
    /// still waiting or in flight.
    pub undelivered: u64,
}

#[derive(Debug, Default)]
pub(crate) struct Counters {
    ended: AtomicU64,
    exported: AtomicU64,
    failed: AtomicU64,
    /// Why the latest failed export failed, as the exporter said it.
    last_failure: Mutex<Option<String>>,
}

impl Counters {
    /// Spans in failed exports so far.
    pub(crate) fn failed(&self) -> u64 {
        self.failed.load(Ordering::Acquire)
    }

    /// The exporter's reason for the latest failed export.
    pub(crate) fn last_failure(&self) -> Option<String> {
        self.last_failure
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    pub(crate) fn snapshot(&self) -> DeliveryCounts {
        // `exported` is read first: a span counted as exported has always been counted as ended.
        let exported = self.exported.load(Ordering::Acquire);
        let failed = self.failed.load(Ordering::Acquire);
        let ended = self.ended.load(Ordering::Acquire);
        DeliveryCounts {
            ended,
            exported,
            failed,
            undelivered: ended.saturating_sub(exported),
        }
    }
}

/// Counts spans as they end, then hands them on.
#[derive(Debug)]
pub(crate) struct CountingProcessor<P> {
    inner: P,
    counters: Arc<Counters>,
}

impl<P> CountingProcessor<P> {
    pub(crate) fn new(inner: P, counters: Arc<Counters>) -> Self {
        Self { inner, counters }
    }
}

impl<P: SpanProcessor> SpanProcessor for CountingProcessor<P> {
    fn on_start(&self, span: &mut Span, cx: &Context) {
        self.inner.on_start(span, cx);
    }

    fn on_end(&self, span: SpanData) {
        self.counters.ended.fetch_add(1, Ordering::AcqRel);
        self.inner.on_end(span);
    }

    fn force_flush(&self) -> OTelSdkResult {
        self.inner.force_flush()
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        self.inner.shutdown_with_timeout(timeout)
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.inner.set_resource(resource);
    }
}

/// Cuts long string values of every span of a batch to `limit` bytes, then counts the
/// outcome of the export request.
#[derive(Debug)]
pub(crate) struct DeliveryExporter<E> {
    inner: E,
    counters: Arc<Counters>,
    limit: usize,
}

impl<E> DeliveryExporter<E> {
    pub(crate) fn new(inner: E, counters: Arc<Counters>, limit: usize) -> Self {
        Self {
            inner,
            counters,
            limit,
        }
    }
}

impl<E: SpanExporter> SpanExporter for DeliveryExporter<E> {
    fn export(&self, mut batch: Vec<SpanData>) -> impl Future<Output = OTelSdkResult> + Send {
        for span in &mut batch {
            super::truncate::truncate_span(span, self.limit);
        }
        let n = batch.len() as u64;
        let export = self.inner.export(batch);
        async move {
            let result = export.await;
            match &result {
                Ok(()) => {
                    self.counters.exported.fetch_add(n, Ordering::AcqRel);
                }
                Err(err) => {
                    *self
                        .counters
                        .last_failure
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner) = Some(err.to_string());
                    self.counters.failed.fetch_add(n, Ordering::AcqRel);
                }
            }
            result
        }
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        self.inner.shutdown_with_timeout(timeout)
    }

    fn force_flush(&self) -> OTelSdkResult {
        self.inner.force_flush()
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.inner.set_resource(resource);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use opentelemetry::trace::{Span as _, Tracer as _, TracerProvider as _};
    use opentelemetry_sdk::error::OTelSdkError;
    use opentelemetry_sdk::trace::{SdkTracerProvider, SimpleSpanProcessor};

    #[derive(Debug)]
    struct Failing;

    impl SpanExporter for Failing {
        async fn export(&self, _batch: Vec<SpanData>) -> OTelSdkResult {
            Err(OTelSdkError::InternalFailure("backend down".into()))
        }
    }

    #[test]
    fn failed_exports_count_as_undelivered() {
        let counters = Arc::new(Counters::default());
        let exporter = DeliveryExporter::new(Failing, counters.clone(), usize::MAX);
        let processor =
            CountingProcessor::new(SimpleSpanProcessor::new(exporter), counters.clone());
        let provider = SdkTracerProvider::builder()
            .with_span_processor(processor)
            .build();
        let tracer = provider.tracer("test");
        tracer.start("a").end();
        tracer.start("b").end();
        assert_eq!(
            counters.snapshot(),
            DeliveryCounts {
                ended: 2,
                exported: 0,
                failed: 2,
                undelivered: 2
            }
        );
        let reason = counters.last_failure().expect("a failure was recorded");
        assert!(reason.contains("backend down"), "{reason}");
        let _ = provider.shutdown();
    }
}
