//! Real subscribers (acm-trace's own, the registry with the lean layer, the registry with
//! tracing-opentelemetry) whose spans land in the OpenTelemetry SDK's in-memory exporter,
//! scoped to the calling thread so tests can run in parallel.

#![allow(dead_code)] // each test binary uses a different part

use opentelemetry::trace::TracerProvider as _;
use opentelemetry::{KeyValue, Value};
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider, SpanData};
use tracing_subscriber::layer::SubscriberExt;

/// Which subscriber turns `tracing` spans into OpenTelemetry spans.
#[derive(Clone, Copy, Debug)]
pub enum Mode {
    /// acm-trace's own subscriber, what `init().start()` installs.
    Native,
    /// The registry with acm-trace's lean layer, what `init().build()` gives.
    Lean,
    /// tracing-opentelemetry, for users whose stack already has it.
    Compat,
}

/// Runs `test` once with each layer.
pub fn each_mode(test: impl Fn(Mode)) {
    test(Mode::Native);
    test(Mode::Lean);
    test(Mode::Compat);
}

/// Runs `f` with spans captured by acm-trace's own subscriber.
pub fn capture<R>(f: impl FnOnce() -> R) -> (R, Vec<SpanData>) {
    capture_in(Mode::Native, f)
}

/// Runs `f` with spans captured, and returns what it returned and the finished spans.
pub fn capture_in<R>(mode: Mode, f: impl FnOnce() -> R) -> (R, Vec<SpanData>) {
    let exporter = InMemorySpanExporter::default();
    let provider = SdkTracerProvider::builder()
        .with_simple_exporter(exporter.clone())
        .build();
    let out = match mode {
        Mode::Compat => {
            let layer = tracing_opentelemetry::layer()
                .with_tracer(provider.tracer("acm-trace-tests"))
                .with_tracked_inactivity(false)
                .with_threads(false);
            tracing::subscriber::with_default(tracing_subscriber::registry().with(layer), f)
        }
        Mode::Native => {
            let processor = opentelemetry_sdk::trace::SimpleSpanProcessor::new(exporter.clone());
            let subscriber = acm_trace_runtime::AcmSubscriber::new(std::sync::Arc::new(processor));
            let flusher = subscriber.flusher();
            let out = tracing::subscriber::with_default(subscriber, f);
            assert!(
                flusher.flush(std::time::Duration::from_secs(10)),
                "flush in time"
            );
            out
        }
        Mode::Lean => {
            let processor = opentelemetry_sdk::trace::SimpleSpanProcessor::new(exporter.clone());
            let layer = acm_trace_runtime::AcmLayer::new(std::sync::Arc::new(processor));
            tracing::subscriber::with_default(tracing_subscriber::registry().with(layer), f)
        }
    };
    provider.force_flush().expect("flush");
    let spans = exporter.get_finished_spans().expect("spans");
    (out, spans)
}

/// Runs an async block on a current-thread runtime with spans captured.
pub fn capture_async<F: std::future::Future>(f: F) -> (F::Output, Vec<SpanData>) {
    capture_async_in(Mode::Native, f)
}

/// Runs an async block on a current-thread runtime with spans captured.
pub fn capture_async_in<F: std::future::Future>(mode: Mode, f: F) -> (F::Output, Vec<SpanData>) {
    capture_in(mode, || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime")
            .block_on(f)
    })
}

pub fn find<'a>(spans: &'a [SpanData], name: &str) -> &'a SpanData {
    let found: Vec<&SpanData> = spans.iter().filter(|s| s.name == name).collect();
    assert_eq!(
        found.len(),
        1,
        "expected one span `{name}`, got {} among {:?}",
        found.len(),
        names(spans)
    );
    found[0]
}

pub fn names(spans: &[SpanData]) -> Vec<String> {
    spans.iter().map(|s| s.name.to_string()).collect()
}

pub fn attr(span: &SpanData, key: &str) -> Option<Value> {
    span.attributes
        .iter()
        .find(|kv: &&KeyValue| kv.key.as_str() == key)
        .map(|kv| kv.value.clone())
}

pub fn attr_str(span: &SpanData, key: &str) -> Option<String> {
    attr(span, key).map(|v| v.as_str().into_owned())
}

pub fn is_child_of(child: &SpanData, parent: &SpanData) -> bool {
    child.parent_span_id == parent.span_context.span_id()
        && child.span_context.trace_id() == parent.span_context.trace_id()
}

/// An integer attribute; tracing-opentelemetry records unsigned integers as strings.
pub fn attr_int(span: &SpanData, key: &str) -> Option<i64> {
    match attr(span, key)? {
        Value::I64(i) => Some(i),
        other => other.as_str().parse().ok(),
    }
}
