//! What acm-trace keeps per span, whichever back end opened it, and how recorded `tracing`
//! values become attributes.

use std::borrow::Cow;
use std::fmt;
use std::sync::LazyLock;

use opentelemetry::InstrumentationScope;
use opentelemetry::trace::{
    SpanContext, SpanId, SpanKind, Status, TraceFlags, TraceId, TraceState,
};
use opentelemetry::{Key, KeyValue, Value};
use opentelemetry_sdk::trace::{SpanData, SpanEvents, SpanLinks};
use tracing::field::{Field, Visit};
use tracing_core::Metadata;

use super::preset::{Preset, StaticValue};
use super::run_attributes::{self, RunRef};
use super::{SpanIds, static_kv};
use crate::SpanSite;
use crate::clock::Timestamp;

pub(crate) struct SpanRecord {
    trace_id: TraceId,
    span_id: SpanId,
    pub(crate) parent: SpanId,
    /// Read when a sampled span starts; spans that are not sampled are never exported.
    start_time: Option<Timestamp>,
    site: Option<&'static SpanSite>,
    meta: &'static Metadata<'static>,
    context: Option<RunRef>,
    /// What only some spans record, kept out of line so that the record every span moves
    /// around stays small.
    recorded: Option<Box<Recorded>>,
    pub(crate) sampled: bool,
    kind: SpanKind,
    error: bool,
    outcome_recorded: bool,
    /// Acm spans get their standard attributes from the site, not from recorded fields.
    acm: bool,
    /// Collects what `tracing` handles record for a span whose own record is kept elsewhere
    /// (`NativeSpan`); never exported by itself.
    stand_in: bool,
}

#[derive(Default)]
struct Recorded {
    name: Option<String>,
    description: Option<String>,
    attributes: Vec<KeyValue>,
}

/// `acm.outcome = success`, what most spans end with, ready to copy.
static SUCCESS: LazyLock<Preset> =
    LazyLock::new(|| Preset::from_static(&[("acm.outcome", StaticValue::Str("success"))]));

/// The longest span name kept, in bytes: a name made from a dynamic leaf (`fit.{detector}`)
/// is cut there, at a character boundary, and ends with `…`, so an unbounded value cannot
/// flood the trace file, the terminal or the backend.
pub const MAX_SPAN_NAME_LEN: usize = 256;

/// The attribute that keeps a dynamic span name as the program gave it, when a value had to be
/// changed to fit the naming grammar (empty, upper-case, spaces, dots...).
pub const ORIGINAL_NAME_KEY: &str = "acm.name.original";

/// `name` cut to [`MAX_SPAN_NAME_LEN`] bytes.
fn bounded_name(name: &str) -> String {
    if name.len() <= MAX_SPAN_NAME_LEN {
        return name.to_owned();
    }
    let mut cut = MAX_SPAN_NAME_LEN - '…'.len_utf8();
    while !name.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}…", &name[..cut])
}

/// The values `acm.outcome` can take, so recording one needs no allocation.
const OUTCOMES: [&str; 5] = ["success", "fail", "noop", "skip", "cancelled"];

impl SpanRecord {
    pub(crate) fn new(
        meta: &'static Metadata<'static>,
        trace_id: TraceId,
        span_id: SpanId,
        parent: SpanId,
        sampled: bool,
    ) -> Self {
        SpanRecord {
            trace_id,
            span_id,
            parent,
            // Read once, by `start`, and only for spans that are recorded: reading the clock
            // costs as much as the rest of opening a span.
            start_time: None,
            site: None,
            meta,
            context: None,
            recorded: None,
            sampled,
            kind: SpanKind::Internal,
            error: false,
            outcome_recorded: false,
            acm: false,
            stand_in: false,
        }
    }

    /// A record that collects values for the span `ids` whose own record is kept elsewhere;
    /// [`absorb`](Self::absorb) moves them there.
    pub(crate) fn stand_in(
        ids: SpanIds,
        site: Option<&'static SpanSite>,
        meta: &'static Metadata<'static>,
    ) -> Self {
        let mut record = SpanRecord::new(
            meta,
            ids.trace_id,
            ids.span_id,
            SpanId::INVALID,
            ids.sampled,
        );
        record.site = site;
        record.acm = site.is_some();
        record.stand_in = true;
        record
    }

    pub(crate) fn is_stand_in(&self) -> bool {
        self.stand_in
    }

    /// Takes what a stand-in of this span recorded.
    pub(crate) fn absorb(&mut self, stand_in: &mut SpanRecord) {
        if let Some(theirs) = stand_in.recorded.take() {
            let mine = self.recorded();
            if theirs.name.is_some() {
                mine.name = theirs.name;
            }
            if theirs.description.is_some() {
                mine.description = theirs.description;
            }
            mine.attributes.extend(theirs.attributes);
        }
        self.error |= stand_in.error;
        self.outcome_recorded |= stand_in.outcome_recorded;
    }

    pub(crate) fn metadata(&self) -> &'static Metadata<'static> {
        self.meta
    }

    pub(crate) fn ids(&self) -> SpanIds {
        SpanIds {
            trace_id: self.trace_id,
            span_id: self.span_id,
            sampled: self.sampled,
        }
    }

    /// Notes when and where the span starts. Its static and run-context attributes are only
    /// built when it is exported ([`finish_attributes`](Self::finish_attributes)), which may
    /// be on another thread.
    pub(crate) fn start(&mut self, site: Option<&'static SpanSite>, kind: SpanKind) {
        self.start_time = Some(Timestamp::now());
        self.kind = kind;
        self.site = site;
        if site.is_some() {
            self.acm = true;
            self.context = run_attributes::current();
        }
    }

    /// Records a dynamic name, its values made valid; a name that changed keeps the original
    /// in [`ORIGINAL_NAME_KEY`].
    fn record_name(&mut self, value: &str) {
        let normalised = self
            .site
            .filter(|site| !site.is_static)
            .and_then(|site| super::dynamic_name::normalise(site.name, value));
        let recorded = self.recorded();
        match normalised {
            Some(name) => {
                recorded.name = Some(bounded_name(&name));
                recorded.attributes.push(KeyValue::new(
                    Key::from_static_str(ORIGINAL_NAME_KEY),
                    Value::from(bounded_name(value)),
                ));
            }
            None => recorded.name = Some(bounded_name(value)),
        }
    }

    fn recorded(&mut self) -> &mut Recorded {
        self.recorded.get_or_insert_with(Box::default)
    }

    /// The attributes to export: the site's, the run context's, then those recorded. An acm
    /// span that recorded no outcome succeeded (the guard records every other outcome).
    fn finish_attributes(&mut self, recorded: Vec<KeyValue>) -> Vec<KeyValue> {
        let mut attributes = Vec::with_capacity(recorded.len() + 13);
        match self.site {
            Some(site) => {
                site.attributes().append_to(&mut attributes);
                if let Some(ctx) = &self.context {
                    ctx.extend(&mut attributes);
                }
            }
            None => {
                let meta = self.meta;
                if let Some(file) = meta.file() {
                    attributes.push(static_kv("code.file.path", file));
                }
                if let Some(line) = meta.line() {
                    attributes.push(KeyValue::new("code.line.number", i64::from(line)));
                }
                if let Some(module) = meta.module_path() {
                    attributes.push(static_kv("code.module.name", module));
                }
            }
        }
        attributes.extend(recorded);
        if self.acm && !self.outcome_recorded {
            SUCCESS.append_to(&mut attributes);
        }
        attributes
    }

    /// The span as the SDK's processors take it.
    // Inlined so the collector builds the span in its batch rather than copying it there.
    #[inline(always)]
    pub(crate) fn into_span_data(
        mut self,
        end_time: Timestamp,
        scope: &InstrumentationScope,
    ) -> SpanData {
        let recorded = self.recorded.take().map(|r| *r).unwrap_or_default();
        let attributes = self.finish_attributes(recorded.attributes);
        let name = match recorded.name {
            Some(name) => Cow::Owned(name),
            None => Cow::Borrowed(self.meta.name()),
        };
        let status = if self.error {
            Status::Error {
                description: Cow::Owned(recorded.description.unwrap_or_default()),
            }
        } else {
            Status::Unset
        };
        SpanData {
            span_context: SpanContext::new(
                self.trace_id,
                self.span_id,
                TraceFlags::SAMPLED,
                false,
                TraceState::NONE,
            ),
            parent_span_id: self.parent,
            parent_span_is_remote: false,
            span_kind: self.kind,
            status,
            name,
            start_time: self.start_time.unwrap_or(end_time).to_system_time(),
            end_time: end_time.to_system_time(),
            dropped_attributes_count: 0,
            events: SpanEvents::default(),
            links: SpanLinks::default(),
            instrumentation_scope: scope.clone(),
            attributes,
        }
    }

    fn push(&mut self, field: &Field, value: Value) {
        self.recorded()
            .attributes
            .push(KeyValue::new(Key::from_static_str(field.name()), value));
    }
}
impl Visit for SpanRecord {
    fn record_str(&mut self, field: &Field, value: &str) {
        match field.name() {
            "otel.name" => self.record_name(value),
            "otel.kind" if !self.acm => {
                self.kind = match value.to_ascii_lowercase().as_str() {
                    "client" => SpanKind::Client,
                    "server" => SpanKind::Server,
                    "producer" => SpanKind::Producer,
                    "consumer" => SpanKind::Consumer,
                    _ => SpanKind::Internal,
                }
            }
            "otel.kind" => {}
            "otel.status_code" => self.error = value.eq_ignore_ascii_case("error"),
            "otel.status_description" => {
                self.recorded().description = Some(value.to_owned());
            }
            "acm.outcome" => {
                self.outcome_recorded = true;
                match OUTCOMES.iter().find(|o| **o == value) {
                    Some(o) => self.recorded().attributes.push(static_kv("acm.outcome", o)),
                    None => self.push(field, Value::from(value.to_owned())),
                }
            }
            _ => self.push(field, Value::from(value.to_owned())),
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        match field.name() {
            // `format_args!` names and other non-str values of the special fields.
            "otel.name"
            | "otel.kind"
            | "otel.status_code"
            | "otel.status_description"
            | "acm.outcome" => {
                self.record_str(field, &format!("{value:?}"));
            }
            _ => self.push(field, Value::from(format!("{value:?}"))),
        }
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.push(field, Value::I64(value));
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        match i64::try_from(value) {
            Ok(v) => self.push(field, Value::I64(v)),
            Err(_) => self.push(field, Value::from(value.to_string())),
        }
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        self.push(field, Value::F64(value));
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.push(field, Value::Bool(value));
    }

    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        self.push(field, Value::from(value.to_string()));
    }
}

#[cfg(test)]
mod tests {
    use super::{MAX_SPAN_NAME_LEN, bounded_name};

    #[test]
    fn long_names_are_cut_on_a_character_boundary() {
        assert_eq!(bounded_name("fit.pca"), "fit.pca");
        let huge = format!("fit.{}", "é".repeat(5_000_000));
        let cut = bounded_name(&huge);
        assert!(cut.len() <= MAX_SPAN_NAME_LEN, "{}", cut.len());
        assert!(cut.starts_with("fit.é") && cut.ends_with('…'));
        let exact = "a".repeat(MAX_SPAN_NAME_LEN);
        assert_eq!(bounded_name(&exact), exact);
    }
}
