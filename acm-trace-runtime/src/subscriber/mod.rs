//! A `tracing` subscriber built for acm spans, the fast path of [`init`](crate::init)`.start()`.
//!
//! It keeps what the lean layer keeps per span, without the `tracing-subscriber` registry.
//! Instrumented code's spans are opened directly (`direct.rs`): their record lives in the
//! guard or future that owns the span, and the span sits on a per-thread stack while it is
//! entered (`stack.rs`). Spans opened through `tracing`'s API, which any thread may hold and
//! record on, live in a process-wide arena of slots (`store.rs`, `slot.rs`). A closed span's
//! record goes into its thread's ring, which a collector thread empties (`collector.rs`),
//! turning records into `SpanData` for a span processor, or for an exporter in batches
//! (`export.rs`). The calling thread never builds attribute lists or talks to the processor.

mod collector;
mod direct;
mod export;
mod queue;
mod slot;
#[cfg(test)]
mod slot_tests;
mod stack;
mod store;
mod sync;

use std::any::TypeId;
use std::sync::Arc;
use std::time::Duration;

use opentelemetry_sdk::trace::{RandomIdGenerator, Sampler, SpanProcessor};
use tracing::span::{Attributes, Id, Record};
use tracing::subscriber::Interest;
use tracing::{Event, Metadata, Subscriber};
use tracing_core::span::Current;
use tracing_subscriber::filter::LevelFilter;

use crate::logs::EventSink;
use crate::span::{SpanRecord, open_record, scope};
use crate::{NoFeedback, SpanIds, catalog};
use collector::{Collector, FinishedSpan, Sink};
pub(crate) use direct::NativeSpan;
pub(crate) use export::{Batching, BlockingExport};
use store::STORE;

/// How often the collector picks up spans from buffers that are not full yet.
const DEFAULT_INTERVAL: Duration = Duration::from_millis(100);

/// A `tracing` subscriber that exports spans to an OpenTelemetry span exporter, in batches
/// from a collector thread ([`exporting`](Self::exporting)), or through a span processor
/// ([`new`](Self::new)), and hands events to a log layer with the current span as the
/// OpenTelemetry context.
///
/// [`init`](crate::init)`.start()` installs one that exports to the configured exporter; use
/// it directly to choose the exporter or processor. `Span::current()`, `in_scope`,
/// `instrument` and explicit parents work as with any subscriber; functions under
/// `#[acm_span]` open their spans in it directly, without `tracing`'s span handle. Closed spans
/// reach the collector thread within about 100 ms; a [`flusher`](Self::flusher) hands them on
/// at once. When the collector falls behind by more than its
/// [queue size](Self::with_queue_size), further spans are dropped and counted
/// ([`SpanFlusher::dropped`]) rather than slow the program down.
///
/// ```
/// use std::sync::Arc;
/// use std::time::Duration;
/// use opentelemetry_sdk::trace::{InMemorySpanExporter, SimpleSpanProcessor};
///
/// let exporter = InMemorySpanExporter::default();
/// let subscriber = acm_trace_runtime::AcmSubscriber::new(Arc::new(SimpleSpanProcessor::new(
///     exporter.clone(),
/// )));
/// let flusher = subscriber.flusher();
/// tracing::subscriber::with_default(subscriber, || {
///     tracing::info_span!("load.data").in_scope(|| {});
/// });
/// assert!(flusher.flush(Duration::from_secs(5)));
/// assert_eq!(exporter.get_finished_spans().unwrap()[0].name, "load.data");
/// ```
pub struct AcmSubscriber {
    /// Tells this subscriber's entries on the per-thread stacks from other subscribers'.
    instance: u64,
    collector: Arc<Collector>,
    sampler: Option<Sampler>,
    ids: RandomIdGenerator,
    logs: Option<EventSink>,
}

impl std::fmt::Debug for AcmSubscriber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AcmSubscriber")
            .field("sampler", &self.sampler)
            .field("logs", &self.logs.as_ref().map(EventSink::filter))
            .finish_non_exhaustive()
    }
}

/// Flushes an [`AcmSubscriber`]'s finished spans to its exporter or processor from anywhere.
#[derive(Clone)]
pub struct SpanFlusher {
    collector: Arc<Collector>,
}

impl std::fmt::Debug for SpanFlusher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SpanFlusher").finish_non_exhaustive()
    }
}

impl SpanFlusher {
    /// Hands every span closed so far to the exporter or processor, waiting at most
    /// `timeout`. Returns whether all of them were handed on in time.
    pub fn flush(&self, timeout: Duration) -> bool {
        self.collector.flush(timeout)
    }

    /// Spans dropped because the collector fell behind by more than its queue size.
    pub fn dropped(&self) -> u64 {
        self.collector.dropped()
    }

    /// Spans that ended so far (and are sampled): waiting in a thread's buffer, handed to the
    /// collector, or dropped.
    pub fn ended(&self) -> u64 {
        self.collector.ended()
    }
}

impl AcmSubscriber {
    /// A subscriber that hands finished spans to `processor` one by one and ignores events.
    pub fn new(processor: Arc<dyn SpanProcessor>) -> Self {
        Self::with_sink(Sink::Processor(processor))
    }

    /// A subscriber whose collector thread exports finished spans to `exporter` itself, in
    /// batches of up to 512 spans and at least every 5 seconds (the OpenTelemetry defaults of
    /// the batch span processor), and ignores events.
    ///
    /// This is the cheaper way to export: each span is copied once into its batch, instead of
    /// once more through a batch processor's queue to its thread. The exporter is called as
    /// the SDK's batch processor calls it, one blocking call per batch on one thread, and shut
    /// down when the subscriber is dropped.
    ///
    /// ```
    /// use std::time::Duration;
    /// use opentelemetry_sdk::trace::InMemorySpanExporter;
    ///
    /// let exporter = InMemorySpanExporter::default();
    /// let subscriber = acm_trace_runtime::AcmSubscriber::exporting(exporter.clone());
    /// let flusher = subscriber.flusher();
    /// tracing::subscriber::with_default(subscriber, || {
    ///     tracing::info_span!("load.data").in_scope(|| {});
    /// });
    /// assert!(flusher.flush(Duration::from_secs(5)));
    /// assert_eq!(exporter.get_finished_spans().unwrap()[0].name, "load.data");
    /// ```
    pub fn exporting<E>(exporter: E) -> Self
    where
        E: opentelemetry_sdk::trace::SpanExporter + 'static,
    {
        Self::exporting_batched(Arc::new(exporter), Batching::default(), true)
    }

    /// As [`exporting`](Self::exporting), with at most `max_export_batch_size` spans per
    /// export and at most `scheduled_delay` between a span's close and its export (rounded up
    /// to the collector's 100 ms sweep), like `OTEL_BSP_MAX_EXPORT_BATCH_SIZE` and
    /// `OTEL_BSP_SCHEDULE_DELAY`.
    pub fn exporting_with<E>(
        exporter: E,
        max_export_batch_size: usize,
        scheduled_delay: Duration,
    ) -> Self
    where
        E: opentelemetry_sdk::trace::SpanExporter + 'static,
    {
        let batching = Batching {
            max_batch: max_export_batch_size,
            delay: scheduled_delay,
        };
        Self::exporting_batched(Arc::new(exporter), batching, true)
    }

    /// Exports to `exporter` in batches; shuts it down when dropped if `owns_exporter`, and
    /// leaves that to its other owner (a batch processor sharing it) otherwise.
    pub(crate) fn exporting_batched(
        exporter: Arc<dyn BlockingExport>,
        batching: Batching,
        owns_exporter: bool,
    ) -> Self {
        Self::with_sink(Sink::Exporter(export::Batcher::new(
            exporter,
            batching,
            owns_exporter,
        )))
    }

    fn with_sink(sink: Sink) -> Self {
        let collector = Collector::spawn(sink, scope(), DEFAULT_INTERVAL);
        AcmSubscriber {
            // The collector's id: a span closed on this thread finds its ring by it.
            instance: collector.id(),
            collector: Arc::new(collector),
            sampler: None,
            ids: RandomIdGenerator::default(),
            logs: None,
        }
    }

    /// Samples root spans with `sampler`; children follow their parent. Default: all.
    #[must_use]
    pub fn with_sampler(mut self, sampler: Sampler) -> Self {
        self.sampler = Some(sampler);
        self
    }

    /// Bounds the closed spans waiting for the collector thread in the shared queue; beyond
    /// it, spans are dropped and counted. Default 65,536; `init().start()` uses
    /// `OTEL_BSP_MAX_QUEUE_SIZE`. Each thread that closes spans also keeps up to 8192 of them
    /// (no more than the queue size) in a ring of its own until the collector takes them, so
    /// at most (threads + 1) × the queue size wait in all.
    #[must_use]
    pub fn with_queue_size(self, spans: usize) -> Self {
        self.collector.set_queue_size(spans);
        self
    }

    /// Hands events up to `level` to `layer` (for instance the OTLP log bridge), with the
    /// current span as the OpenTelemetry context so log records carry its ids. Events of the
    /// exporter crates are left out (see [`NoFeedback`](crate::NoFeedback)).
    #[must_use]
    pub fn with_logs<L>(mut self, layer: L, level: LevelFilter) -> Self
    where
        L: tracing_subscriber::Layer<tracing_subscriber::Registry> + Send + Sync + 'static,
    {
        self.logs = Some(EventSink::new(layer, level));
        self
    }

    /// A handle that flushes this subscriber's finished spans.
    pub fn flusher(&self) -> SpanFlusher {
        SpanFlusher {
            collector: self.collector.clone(),
        }
    }

    /// The ids of the span current on this thread.
    pub(crate) fn current_ids(&self) -> Option<SpanIds> {
        stack::current(self.instance).map(|e| e.ids)
    }

    fn wants(&self, meta: &Metadata<'_>) -> bool {
        if meta.is_span() {
            NoFeedback::new(LevelFilter::TRACE).allows(meta)
        } else {
            self.logs.as_ref().is_some_and(|logs| logs.wants(meta))
        }
    }

    /// Hands the record of a span that just closed to the collector.
    #[inline(always)]
    fn closed(&self, record: SpanRecord) {
        if record.is_stand_in() {
            return;
        }
        let end_time = crate::clock::Timestamp::now();
        self.collector.push(FinishedSpan { record, end_time });
    }

    fn parent_ids(&self, attrs: &Attributes<'_>) -> Option<SpanIds> {
        if let Some(parent) = attrs.parent() {
            return STORE.header(parent.into_u64()).map(|span| span.ids);
        }
        if attrs.is_contextual() {
            return self.current_ids();
        }
        None
    }
}

impl Subscriber for AcmSubscriber {
    fn register_callsite(&self, meta: &'static Metadata<'static>) -> Interest {
        if self.wants(meta) {
            Interest::always()
        } else {
            Interest::never()
        }
    }

    fn enabled(&self, meta: &Metadata<'_>) -> bool {
        self.wants(meta)
    }

    fn max_level_hint(&self) -> Option<LevelFilter> {
        Some(LevelFilter::TRACE)
    }

    fn new_span(&self, attrs: &Attributes<'_>) -> Id {
        let meta = attrs.metadata();
        let site = catalog::site_of(meta);
        let parent = self.parent_ids(attrs);
        let mut record = open_record(&self.ids, self.sampler.as_ref(), parent, meta, site);
        if record.sampled {
            attrs.record(&mut record);
        }
        match STORE.insert(record.ids(), meta, record) {
            Some(id) => Id::from_u64(id),
            // 16 million spans are open: this one is not recorded, and an id no slot has
            // keeps every later call on it a no-op.
            None => Id::from_u64(u64::MAX),
        }
    }

    fn record(&self, span: &Id, values: &Record<'_>) {
        STORE.with_record(
            span.into_u64(),
            |record| {
                if record.sampled {
                    values.record(record);
                }
            },
            |record| self.closed(record),
        );
    }

    fn record_follows_from(&self, _span: &Id, _follows: &Id) {}

    fn event(&self, event: &Event<'_>) {
        if let Some(logs) = &self.logs {
            logs.forward(event, self.current_ids());
        }
    }

    fn enter(&self, id: &Id) {
        if let Some(span) = STORE.header(id.into_u64()) {
            stack::push(stack::Entered {
                owner: self.instance,
                id: id.into_u64(),
                direct: false,
                key: id.into_u64(),
                meta: span.meta,
                ids: span.ids,
            });
        }
    }

    fn exit(&self, id: &Id) {
        let _ = stack::pop(self.instance, false, id.into_u64());
    }

    fn clone_span(&self, id: &Id) -> Id {
        STORE.retain(id.into_u64());
        id.clone()
    }

    fn try_close(&self, id: Id) -> bool {
        STORE
            .release_with(id.into_u64(), |record| self.closed(record))
            .unwrap_or(false)
    }

    fn current_span(&self) -> Current {
        match stack::current(self.instance) {
            Some(entered) if entered.direct => self.current_direct(entered),
            Some(entered) => Current::new(Id::from_u64(entered.id), entered.meta),
            None => Current::none(),
        }
    }

    unsafe fn downcast_raw(&self, id: TypeId) -> Option<*const ()> {
        (id == TypeId::of::<Self>()).then_some(std::ptr::from_ref(self).cast())
    }
}
