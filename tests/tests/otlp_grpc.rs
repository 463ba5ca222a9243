//! The real gRPC exporter against a real tonic OTLP receiver on 127.0.0.1.

#[path = "support/collector.rs"]
mod collector;
#[path = "support/sample.rs"]
mod sample;

use std::collections::HashMap;

use acm_trace_runtime::{ExportDestination, Protocol};
use collector::GrpcCollector;

#[test]
fn receiver_gets_the_trace_with_kinds_parents_attributes_and_status() {
    let collector = GrpcCollector::start();
    let builder = sample::otlp_builder(Protocol::Grpc, &collector.endpoint())
        .header("authorization", "Bearer t0k3n");
    let (telemetry, ()) = sample::run_with(builder, sample::emit_pipeline);
    assert_eq!(
        telemetry.destination(),
        &ExportDestination::Otlp {
            protocol: Protocol::Grpc,
            traces_endpoint: collector.endpoint(),
            logs_endpoint: Some(collector.endpoint()),
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
}

#[test]
fn events_become_log_records_carrying_the_span_ids() {
    let collector = GrpcCollector::start();
    let builder = sample::otlp_builder(Protocol::Grpc, &collector.endpoint());
    let (telemetry, ()) = sample::run_with(builder, sample::emit_pipeline);
    assert!(telemetry.shutdown().completed);

    let inbox = collector.inbox();
    sample::assert_log_carries_span_ids(&inbox.spans(), &inbox.log_records());
}

#[test]
fn long_strings_are_cut_on_a_character_boundary() {
    let collector = GrpcCollector::start();
    let env = HashMap::from([("OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT", "5")]);
    let builder = sample::otlp_builder(Protocol::Grpc, &collector.endpoint()).env(env);
    let (telemetry, ()) = sample::run_with(builder, || {
        tracing::info_span!("sql.bulk_insert", otel.kind = "client", acm.sql = "ééééé")
            .in_scope(|| {});
    });
    assert_eq!(telemetry.shutdown().exported, 1);
    let spans = collector.inbox().spans();
    // Five bytes would split the third `é`; the cut keeps two whole characters.
    assert_eq!(
        sample::string_attr(&spans[0].attributes, "acm.sql").as_deref(),
        Some("éé")
    );
}

#[test]
fn https_endpoints_build_with_tls() {
    let (telemetry, ()) = sample::run_with(
        sample::otlp_builder(Protocol::Grpc, "https://127.0.0.1:9"),
        || {},
    );
    let report = telemetry.shutdown();
    assert_eq!(report.ended, 0);
}
