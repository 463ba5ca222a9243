//! The span model shared by both back ends, acm-trace's subscriber and its lean layer: a
//! span's ids and how a new one is placed in its trace (here), what is kept per span and how
//! recorded values become attributes (`record.rs`), attribute lists built once (`preset.rs`,
//! `run_attributes.rs`), and the run-time check of dynamic names (`dynamic_name.rs`).

mod dynamic_name;
pub(crate) mod preset;
mod record;
mod run_attributes;

use opentelemetry::trace::{SpanContext, SpanId, SpanKind, TraceFlags, TraceId, TraceState};
use opentelemetry::{InstrumentationScope, KeyValue};
use opentelemetry_sdk::trace::{
    IdGenerator, RandomIdGenerator, Sampler, SamplingDecision, ShouldSample,
};

use tracing_subscriber::registry::LookupSpan as _;

use crate::backend::Backend;
use crate::{Kind, SpanSite};
pub(crate) use record::SpanRecord;
pub use record::{MAX_SPAN_NAME_LEN, ORIGINAL_NAME_KEY};
use tracing_core::Metadata;

/// The trace and span id of a span, as acm-trace assigned them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SpanIds {
    /// The trace the span belongs to.
    pub trace_id: TraceId,
    /// The span itself.
    pub span_id: SpanId,
    /// Whether the span is exported.
    pub sampled: bool,
}

impl SpanIds {
    /// The span as an OpenTelemetry span context, for making it the current context.
    pub(crate) fn span_context(self) -> SpanContext {
        let flags = if self.sampled {
            TraceFlags::SAMPLED
        } else {
            TraceFlags::default()
        };
        SpanContext::new(self.trace_id, self.span_id, flags, false, TraceState::NONE)
    }
}

/// The ids of a new span and its parent's span id: a child of `parent`, in its trace and
/// following its sampling decision, or the root of a new trace, sampled by `sampler`
/// (everything without one).
// Inlined: returned by value, the ids would be stored in halves and reloaded whole, a stall
// on every span opened.
#[inline(always)]
fn place_span(
    ids: &RandomIdGenerator,
    sampler: Option<&Sampler>,
    parent: Option<SpanIds>,
    name: &str,
    kind: &SpanKind,
) -> (SpanIds, SpanId) {
    let (trace_id, parent_id, sampled) = match parent {
        Some(p) => (p.trace_id, p.span_id, p.sampled),
        None => {
            let trace_id = ids.new_trace_id();
            let sampled = sampler.is_none_or(|s| {
                let result = s.should_sample(None, trace_id, name, kind, &[], &[]);
                matches!(result.decision, SamplingDecision::RecordAndSample)
            });
            (trace_id, SpanId::INVALID, sampled)
        }
    };
    let span = SpanIds {
        trace_id,
        span_id: ids.new_span_id(),
        sampled,
    };
    (span, parent_id)
}

/// Opens a span: the record of a new span of `meta` (and `site`, for an acm span), placed in
/// the trace of `parent` or in a new trace sampled by `sampler`, and started now if it is
/// sampled. Both back ends open every span through this, whichever way it was asked for.
#[inline(always)]
pub(crate) fn open_record(
    ids: &RandomIdGenerator,
    sampler: Option<&Sampler>,
    parent: Option<SpanIds>,
    meta: &'static Metadata<'static>,
    site: Option<&'static SpanSite>,
) -> SpanRecord {
    let kind = site.map_or(SpanKind::Internal, |s| to_span_kind(s.kind));
    let (ids, parent_id) = place_span(ids, sampler, parent, meta.name(), &kind);
    let mut record = SpanRecord::new(meta, ids.trace_id, ids.span_id, parent_id, ids.sampled);
    if ids.sampled {
        record.start(site, kind);
    }
    record
}

/// The instrumentation scope of every span acm-trace exports.
pub(crate) fn scope() -> InstrumentationScope {
    InstrumentationScope::builder("acm-trace")
        .with_version(env!("CARGO_PKG_VERSION"))
        .build()
}

/// The ids of the span that is current on this thread, if the lean layer records it.
///
/// ```
/// assert!(acm_trace_runtime::current_ids().is_none()); // no span here
/// ```
pub fn current_ids() -> Option<SpanIds> {
    tracing::dispatcher::get_default(|dispatch| match Backend::of(dispatch) {
        Backend::Subscriber(subscriber) => subscriber.current_ids(),
        Backend::LeanLayer(Some(registry)) => {
            let id = tracing::Span::current().id()?;
            let span = registry.span(&id)?;
            span.extensions().get::<SpanRecord>().map(SpanRecord::ids)
        }
        Backend::LeanLayer(None) | Backend::Other | Backend::Nothing => None,
    })
}

fn to_span_kind(kind: Kind) -> SpanKind {
    match kind {
        Kind::Client => SpanKind::Client,
        Kind::Server => SpanKind::Server,
        Kind::Producer => SpanKind::Producer,
        Kind::Consumer => SpanKind::Consumer,
        Kind::Internal => SpanKind::Internal,
    }
}

pub(crate) fn static_kv(key: &'static str, value: &'static str) -> KeyValue {
    KeyValue::new(key, opentelemetry::Value::String(value.into()))
}

/// A span metadata for unit tests of what keeps and moves records.
#[cfg(test)]
pub(crate) mod test_metadata {
    pub(crate) static META: tracing_core::Metadata<'static> = tracing_core::metadata! {
        name: "store.test",
        target: "store",
        level: tracing_core::Level::INFO,
        fields: &[],
        callsite: &CALLSITE,
        kind: tracing_core::metadata::Kind::SPAN,
    };

    struct Callsite;

    impl tracing_core::Callsite for Callsite {
        fn set_interest(&self, _: tracing_core::subscriber::Interest) {}
        fn metadata(&self) -> &tracing_core::Metadata<'_> {
            &META
        }
    }

    static CALLSITE: Callsite = Callsite;
}
