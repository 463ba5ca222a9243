//! The real HTTP/protobuf exporter against a real HTTP/1.1 OTLP receiver on 127.0.0.1.

#[path = "support/collector.rs"]
mod collector;
#[path = "support/sample.rs"]
mod sample;

use acm_trace_runtime::{ExportDestination, Protocol};
use collector::HttpCollector;

#[test]
fn receiver_gets_the_trace_with_kinds_parents_attributes_and_status() {
    let collector = HttpCollector::start();
    let builder = sample::otlp_builder(Protocol::HttpProtobuf, &collector.endpoint())
        .header("Authorization", "Bearer t0k3n");
    let (telemetry, ()) = sample::run_with(builder, sample::emit_pipeline);
    assert_eq!(
        telemetry.destination(),
        &ExportDestination::Otlp {
            protocol: Protocol::HttpProtobuf,
            traces_endpoint: format!("{}/v1/traces", collector.endpoint()),
            logs_endpoint: Some(format!("{}/v1/logs", collector.endpoint())),
        }
    );

    let report = telemetry.shutdown();
    assert!(report.completed, "{report:?}");
    assert_eq!(report.exported, sample::SPANS, "{report}");
    assert_eq!(report.undelivered, 0, "{report}");

    let inbox = collector.inbox();
    sample::assert_pipeline_trace(&inbox.spans());
    sample::assert_service_name(&inbox.traces());
    assert_eq!(
        inbox.header("authorization").as_deref(),
        Some("Bearer t0k3n")
    );
    assert_eq!(
        inbox.header("content-type").as_deref(),
        Some("application/x-protobuf")
    );
}

#[test]
fn events_become_log_records_carrying_the_span_ids() {
    let collector = HttpCollector::start();
    let builder = sample::otlp_builder(Protocol::HttpProtobuf, &collector.endpoint());
    let (telemetry, ()) = sample::run_with(builder, sample::emit_pipeline);
    assert!(telemetry.shutdown().completed);

    let inbox = collector.inbox();
    sample::assert_log_carries_span_ids(&inbox.spans(), &inbox.log_records());
}

#[test]
fn traces_endpoint_is_used_verbatim() {
    let collector = HttpCollector::start();
    let builder = acm_trace_runtime::init()
        .env(std::collections::HashMap::<String, String>::new())
        .protocol(Protocol::HttpProtobuf)
        .traces_endpoint(format!("{}/v1/traces", collector.endpoint()));
    let (telemetry, ()) = sample::run_with(builder, sample::emit_pipeline);
    let report = telemetry.shutdown();
    assert_eq!(report.exported, sample::SPANS, "{report}");
    // Only a traces endpoint: logs have nowhere to go and are not exported.
    assert!(collector.inbox().log_records().is_empty());
}

#[test]
fn https_endpoints_build_with_tls() {
    let (telemetry, ()) = sample::run_with(
        sample::otlp_builder(Protocol::HttpProtobuf, "https://127.0.0.1:9"),
        || {},
    );
    assert_eq!(telemetry.shutdown().ended, 0);
}

/// The lean layer hands `SpanData` to the pipeline's processor: same queue, counts, shutdown.
#[test]
fn lean_layer_exports_through_the_same_pipeline() {
    use tracing_subscriber::Layer as _;
    use tracing_subscriber::layer::SubscriberExt as _;

    let collector = HttpCollector::start();
    let (telemetry, _layer) = sample::otlp_builder(Protocol::HttpProtobuf, &collector.endpoint())
        .build::<tracing_subscriber::Registry>()
        .expect("telemetry builds");
    let lean = acm_trace_runtime::AcmLayer::new(telemetry.span_processor()).with_filter(
        acm_trace_runtime::NoFeedback::new(tracing_subscriber::filter::LevelFilter::TRACE),
    );
    let subscriber = tracing_subscriber::registry().with(lean);
    tracing::subscriber::with_default(subscriber, || {
        tracing::info_span!("pipeline.run").in_scope(|| {
            tracing::info_span!("load.data").in_scope(|| {});
        });
    });
    let report = telemetry.shutdown();
    assert_eq!((report.exported, report.undelivered), (2, 0), "{report}");

    let spans = collector.inbox().spans();
    let root = sample::find(&spans, "pipeline.run");
    let child = sample::find(&spans, "load.data");
    assert_eq!(child.parent_span_id, root.span_id);
    sample::assert_service_name(&collector.inbox().traces());
}
