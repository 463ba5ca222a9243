//! The lean span layer: turns acm spans into OpenTelemetry `SpanData` and hands them to the
//! SDK's span processor, without `tracing-opentelemetry`.
//!
//! A span's static attributes come from its [`SpanSite`](crate::SpanSite) (no per-call
//! parsing or copying), the run context's come from a per-thread cache, and per-span state is
//! one small struct in the registry's extensions. Plain `tracing` spans are exported too, so
//! parent links stay whole when users mix both.

use std::sync::Arc;

use opentelemetry::InstrumentationScope;
use opentelemetry_sdk::trace::{RandomIdGenerator, Sampler, SpanProcessor};
use tracing::Subscriber;
use tracing::span::{Attributes, Id, Record};
use tracing_subscriber::Layer;
use tracing_subscriber::layer::Context;
use tracing_subscriber::registry::LookupSpan;

use crate::catalog;
use crate::logs::activation;
use crate::span::{SpanRecord, open_record, scope};

/// A `tracing` layer that exports spans through an OpenTelemetry span processor.
///
/// ```
/// use std::sync::Arc;
/// use opentelemetry_sdk::trace::{InMemorySpanExporter, SimpleSpanProcessor};
/// use tracing_subscriber::layer::SubscriberExt;
///
/// let exporter = InMemorySpanExporter::default();
/// let layer = acm_trace_runtime::AcmLayer::new(Arc::new(SimpleSpanProcessor::new(exporter.clone())));
/// let subscriber = tracing_subscriber::registry().with(layer);
/// tracing::subscriber::with_default(subscriber, || {
///     acm_trace_runtime::BlockSpan::disabled().in_scope(|| ());
///     tracing::info_span!("plain").in_scope(|| ());
/// });
/// assert_eq!(exporter.get_finished_spans().unwrap()[0].name, "plain");
/// ```
pub struct AcmLayer {
    processor: Arc<dyn SpanProcessor>,
    scope: InstrumentationScope,
    sampler: Option<Sampler>,
    ids: RandomIdGenerator,
    activate_context: bool,
}

impl std::fmt::Debug for AcmLayer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AcmLayer")
            .field("sampler", &self.sampler)
            .finish_non_exhaustive()
    }
}

impl AcmLayer {
    /// A layer that hands finished spans to `processor` (typically the batch processor the
    /// tracer provider also uses, so both share one queue and one shutdown).
    pub fn new(processor: Arc<dyn SpanProcessor>) -> Self {
        AcmLayer {
            processor,
            scope: scope(),
            sampler: None,
            ids: RandomIdGenerator::default(),
            activate_context: false,
        }
    }

    /// Samples root spans with `sampler`; children follow their parent's decision, which is
    /// what every sampler the `OTEL_TRACES_SAMPLER` variable can name does. Default: all.
    #[must_use]
    pub fn with_sampler(mut self, sampler: Sampler) -> Self {
        self.sampler = Some(sampler);
        self
    }

    /// Makes each entered span the current OpenTelemetry context, so OpenTelemetry log
    /// bridges (`opentelemetry-appender-tracing`) stamp records with its trace and span id.
    /// Off by default: it costs a context switch on every enter and exit.
    #[must_use]
    pub fn with_context_activation(mut self, activate: bool) -> Self {
        self.activate_context = activate;
        self
    }
}

impl<S> Layer<S> for AcmLayer
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else { return };
        let meta = attrs.metadata();
        let site = catalog::site_of(meta);
        let parent = span
            .parent()
            .and_then(|p| p.extensions().get::<SpanRecord>().map(SpanRecord::ids));
        let mut record = open_record(&self.ids, self.sampler.as_ref(), parent, meta, site);
        if record.sampled {
            attrs.record(&mut record);
        }
        span.extensions_mut().insert(record);
    }

    fn on_enter(&self, id: &Id, ctx: Context<'_, S>) {
        if self.activate_context
            && let Some(ids) = ctx
                .span(id)
                .and_then(|s| s.extensions().get::<SpanRecord>().map(SpanRecord::ids))
        {
            activation::enter(id, ids);
        }
    }

    fn on_exit(&self, id: &Id, _ctx: Context<'_, S>) {
        if self.activate_context {
            activation::exit(id);
        }
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(id)
            && let Some(record) = span.extensions_mut().get_mut::<SpanRecord>()
            && record.sampled
        {
            values.record(record);
        }
    }

    fn on_close(&self, id: Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(&id) else { return };
        let Some(record) = span.extensions_mut().remove::<SpanRecord>() else {
            return;
        };
        if !record.sampled {
            return;
        }
        let data = record.into_span_data(crate::clock::Timestamp::now(), &self.scope);
        self.processor.on_end(data);
    }
}
