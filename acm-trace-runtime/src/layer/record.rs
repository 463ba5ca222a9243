//! What the lean layer keeps per span, and how recorded `tracing` values become attributes.

use std::borrow::Cow;
use std::fmt;
use std::time::SystemTime;

use opentelemetry::trace::{SpanId, SpanKind, Status, TraceId};
use opentelemetry::{Key, KeyValue, Value};
use tracing::field::{Field, Visit};
use tracing_core::Metadata;

use super::{SpanIds, run_attributes, static_kv};
use crate::SpanSite;

pub(crate) struct SpanRecord {
    trace_id: TraceId,
    span_id: SpanId,
    pub(crate) parent: SpanId,
    pub(crate) sampled: bool,
    pub(crate) name: Cow<'static, str>,
    pub(crate) kind: SpanKind,
    pub(crate) start_time: SystemTime,
    pub(crate) attributes: Vec<KeyValue>,
    error: bool,
    description: Option<String>,
    outcome_recorded: bool,
    /// Acm spans get their standard attributes from the site, not from recorded fields.
    acm: bool,
}

/// The values `acm.outcome` can take, so recording one needs no allocation.
const OUTCOMES: [&str; 5] = ["success", "fail", "noop", "skip", "cancelled"];

impl SpanRecord {
    pub(crate) fn new(trace_id: TraceId, span_id: SpanId, parent: SpanId, sampled: bool) -> Self {
        SpanRecord {
            trace_id,
            span_id,
            parent,
            sampled,
            name: Cow::Borrowed(""),
            kind: SpanKind::Internal,
            start_time: SystemTime::UNIX_EPOCH,
            attributes: Vec::new(),
            error: false,
            description: None,
            outcome_recorded: false,
            acm: false,
        }
    }

    pub(crate) fn ids(&self) -> SpanIds {
        SpanIds {
            trace_id: self.trace_id,
            span_id: self.span_id,
            sampled: self.sampled,
        }
    }

    pub(crate) fn start(
        &mut self,
        site: Option<&'static SpanSite>,
        meta: &'static Metadata<'static>,
        kind: SpanKind,
    ) {
        self.start_time = SystemTime::now();
        self.kind = kind;
        self.name = Cow::Borrowed(meta.name());
        let Some(site) = site else {
            self.attributes.reserve(8);
            if let Some(file) = meta.file() {
                self.attributes.push(static_kv("code.file.path", file));
            }
            if let Some(line) = meta.line() {
                self.attributes
                    .push(KeyValue::new("code.line.number", i64::from(line)));
            }
            if let Some(module) = meta.module_path() {
                self.attributes.push(static_kv("code.module.name", module));
            }
            return;
        };
        self.acm = true;
        self.attributes
            .reserve(16 + meta.fields().len() - acm_trace_taxonomy::STANDARD_FIELDS.len());
        self.attributes
            .push(static_kv("acm.category", site.category));
        self.attributes
            .push(static_kv("acm.phase", site.phase.as_str()));
        if !site.function.is_empty() {
            self.attributes
                .push(static_kv("code.function.name", site.function));
        }
        self.attributes.push(static_kv("code.file.path", site.file));
        self.attributes
            .push(KeyValue::new("code.line.number", i64::from(site.line)));
        self.attributes
            .push(static_kv("code.module.name", site.module_path));
        run_attributes::extend(&mut self.attributes);
    }

    /// The attributes to export; an acm span that recorded no outcome succeeded (the guard
    /// records every other outcome).
    pub(crate) fn finish_attributes(&mut self) -> Vec<KeyValue> {
        if self.acm && !self.outcome_recorded {
            self.attributes.push(static_kv("acm.outcome", "success"));
        }
        std::mem::take(&mut self.attributes)
    }

    pub(crate) fn status(&self) -> Status {
        if self.error {
            Status::Error {
                description: Cow::Owned(self.description.clone().unwrap_or_default()),
            }
        } else {
            Status::Unset
        }
    }

    fn push(&mut self, field: &Field, value: Value) {
        self.attributes
            .push(KeyValue::new(Key::from_static_str(field.name()), value));
    }
}

impl Visit for SpanRecord {
    fn record_str(&mut self, field: &Field, value: &str) {
        match field.name() {
            "otel.name" => self.name = Cow::Owned(value.to_owned()),
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
            "otel.status_description" => self.description = Some(value.to_owned()),
            "acm.outcome" => {
                self.outcome_recorded = true;
                match OUTCOMES.iter().find(|o| **o == value) {
                    Some(o) => self.attributes.push(static_kv("acm.outcome", o)),
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
