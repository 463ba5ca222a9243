//! A small trace shaped like the ACM pipeline, emitted with plain `tracing` macros, and the
//! assertions every receiver must pass on it.

#![allow(dead_code)] // each test binary uses a different part

use std::collections::HashMap;
use std::time::Duration;

use acm_trace_runtime::{Protocol, Telemetry, TelemetryBuilder};
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::any_value::Value;
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue};
use opentelemetry_proto::tonic::trace::v1::Span;
use opentelemetry_proto::tonic::trace::v1::span::SpanKind;
use opentelemetry_proto::tonic::trace::v1::status::StatusCode;
use tracing_subscriber::layer::SubscriberExt as _;

pub const SERVICE: &str = "acm-test";
/// Number of spans [`emit_pipeline`] creates.
pub const SPANS: u64 = 5;

/// A builder isolated from the process environment, aimed at `endpoint`.
pub fn otlp_builder(protocol: Protocol, endpoint: &str) -> TelemetryBuilder {
    acm_trace_runtime::init()
        .env(HashMap::<String, String>::new())
        .service_name(SERVICE)
        .protocol(protocol)
        .endpoint(endpoint)
        .shutdown_timeout(Duration::from_secs(3))
}

/// Runs `f` with the pipeline's layers as this thread's subscriber.
pub fn run_with<R>(builder: TelemetryBuilder, f: impl FnOnce() -> R) -> (Telemetry, R) {
    let (telemetry, layer) = builder.build().expect("telemetry builds");
    let subscriber = tracing_subscriber::registry().with(layer);
    let out = tracing::subscriber::with_default(subscriber, f);
    (telemetry, out)
}

/// `pipeline.run` (SERVER) with four children, one of each other kind; `fit.pca` fails.
pub fn emit_pipeline() {
    let root = tracing::info_span!(
        "pipeline.run",
        otel.kind = "server",
        acm.outcome = "success"
    );
    root.in_scope(|| {
        tracing::info_span!(
            "load.data",
            otel.kind = "client",
            otel.name = "load.data",
            acm.outcome = "success",
            acm.n_rows = 120_i64
        )
        .in_scope(|| tracing::info!(rows = 120_i64, "loaded rows"));
        tracing::info_span!(
            "features.compute",
            otel.kind = "producer",
            acm.outcome = "success"
        )
        .in_scope(|| {});
        tracing::info_span!(
            "fit.pca",
            otel.kind = "internal",
            acm.outcome = "fail",
            otel.status_code = "error",
            otel.status_description = "singular matrix"
        )
        .in_scope(|| {});
        tracing::info_span!(
            "fusion.combine",
            otel.kind = "consumer",
            acm.outcome = "noop"
        )
        .in_scope(|| {});
    });
}

pub fn attr<'a>(attrs: &'a [KeyValue], key: &str) -> Option<&'a Value> {
    attrs
        .iter()
        .find(|kv| kv.key == key)
        .and_then(|kv| kv.value.as_ref())
        .and_then(|v: &AnyValue| v.value.as_ref())
}

pub fn string_attr(attrs: &[KeyValue], key: &str) -> Option<String> {
    match attr(attrs, key) {
        Some(Value::StringValue(s)) => Some(s.clone()),
        _ => None,
    }
}

pub fn find<'a>(spans: &'a [Span], name: &str) -> &'a Span {
    spans.iter().find(|s| s.name == name).unwrap_or_else(|| {
        let names: Vec<_> = spans.iter().map(|s| s.name.as_str()).collect();
        panic!("no span `{name}` among {names:?}")
    })
}

/// Names, kinds, parent links, attributes and status of [`emit_pipeline`]'s trace.
pub fn assert_pipeline_trace(spans: &[Span]) {
    assert_eq!(spans.len() as u64, SPANS, "{spans:#?}");
    let root = find(spans, "pipeline.run");
    assert_eq!(root.kind, SpanKind::Server as i32);
    assert!(root.parent_span_id.is_empty(), "root has no parent");
    assert_eq!(root.trace_id.len(), 16);
    assert_eq!(root.span_id.len(), 8);

    let expected = [
        ("load.data", SpanKind::Client, "success"),
        ("features.compute", SpanKind::Producer, "success"),
        ("fit.pca", SpanKind::Internal, "fail"),
        ("fusion.combine", SpanKind::Consumer, "noop"),
    ];
    for (name, kind, outcome) in expected {
        let span = find(spans, name);
        assert_eq!(span.kind, kind as i32, "kind of {name}");
        assert_eq!(span.parent_span_id, root.span_id, "parent of {name}");
        assert_eq!(span.trace_id, root.trace_id, "trace of {name}");
        assert_eq!(
            string_attr(&span.attributes, "acm.outcome").as_deref(),
            Some(outcome),
            "outcome of {name}"
        );
        assert!(span.end_time_unix_nano >= span.start_time_unix_nano);
    }

    let load = find(spans, "load.data");
    assert_eq!(
        attr(&load.attributes, "acm.n_rows"),
        Some(&Value::IntValue(120))
    );
    assert!(
        string_attr(&load.attributes, "code.file.path").is_some(),
        "location is recorded: {:?}",
        load.attributes
    );

    let fit = find(spans, "fit.pca");
    let status = fit.status.as_ref().expect("fit.pca has a status");
    assert_eq!(status.code, StatusCode::Error as i32);
    assert_eq!(status.message, "singular matrix");
}

/// `service.name` reached the receiver on the resource.
pub fn assert_service_name(traces: &[ExportTraceServiceRequest]) {
    let resource = traces[0].resource_spans[0]
        .resource
        .as_ref()
        .expect("resource");
    assert_eq!(
        string_attr(&resource.attributes, "service.name").as_deref(),
        Some(SERVICE)
    );
}

/// The `loaded rows` event of [`emit_pipeline`] arrived as a log record stamped with the ids
/// of the `load.data` span it was emitted in.
pub fn assert_log_carries_span_ids(
    spans: &[Span],
    logs: &[(String, opentelemetry_proto::tonic::logs::v1::LogRecord)],
) {
    let load = find(spans, "load.data");
    let (_, record) = logs
        .iter()
        .find(|(_, r)| {
            matches!(r.body.as_ref().and_then(|b| b.value.as_ref()),
                     Some(Value::StringValue(s)) if s == "loaded rows")
        })
        .unwrap_or_else(|| panic!("no `loaded rows` log among {logs:#?}"));
    assert_eq!(record.trace_id, load.trace_id);
    assert_eq!(record.span_id, load.span_id);
}
