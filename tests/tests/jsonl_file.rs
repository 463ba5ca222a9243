//! The embedded default: without an endpoint, spans go to `<out_dir>/<run_id>.jsonl`, one
//! OTLP `ExportTraceServiceRequest` per line in the protobuf JSON mapping.

#[path = "support/sample.rs"]
mod sample;
#[path = "support/temp_dir.rs"]
mod temp_dir;

use std::collections::HashMap;
use std::path::Path;

use acm_trace_runtime::{ColorChoice, ExportDestination, StartError};
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use serde_json::Value;
use temp_dir::TempDir;

fn file_builder(dir: &Path) -> acm_trace_runtime::TelemetryBuilder {
    acm_trace_runtime::init()
        .env(HashMap::<String, String>::new())
        .service_name(sample::SERVICE)
        .out_dir(dir)
        .run_id("run-1")
        .print_tree(true)
        .color(ColorChoice::Never)
}

#[test]
fn each_line_is_an_export_request_holding_the_trace() {
    let dir = TempDir::new("jsonl");
    let (telemetry, ()) = sample::run_with(file_builder(dir.path()), sample::emit_pipeline);
    let path = dir.path().join("run-1.jsonl");
    assert_eq!(
        telemetry.destination(),
        &ExportDestination::File { path: path.clone() }
    );
    let report = telemetry.shutdown();
    assert_eq!((report.exported, report.undelivered), (sample::SPANS, 0));

    let text = std::fs::read_to_string(&path).unwrap();
    let requests: Vec<ExportTraceServiceRequest> = text
        .lines()
        .map(|line| serde_json::from_str(line).expect("each line parses as a request"))
        .collect();
    assert!(!requests.is_empty());
    let spans: Vec<_> = requests
        .iter()
        .flat_map(|r| &r.resource_spans)
        .flat_map(|rs| &rs.scope_spans)
        .flat_map(|ss| ss.spans.clone())
        .collect();
    sample::assert_pipeline_trace(&spans);
    sample::assert_service_name(&requests);
}

/// The field encoding the Collector's `otlpjsonfile` receiver expects.
#[test]
fn lines_use_the_protobuf_json_mapping() {
    let dir = TempDir::new("mapping");
    let (telemetry, ()) = sample::run_with(file_builder(dir.path()), sample::emit_pipeline);
    telemetry.shutdown();
    let text = std::fs::read_to_string(dir.path().join("run-1.jsonl")).unwrap();
    let line: Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    let spans = &line["resourceSpans"][0]["scopeSpans"][0]["spans"];
    let load = spans
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "load.data")
        .expect("load.data in the first batch");

    let hex = |v: &Value, len: usize| {
        let s = v.as_str().expect("ids are strings");
        s.len() == len && s.chars().all(|c| c.is_ascii_hexdigit())
    };
    assert!(hex(&load["traceId"], 32), "{load}");
    assert!(hex(&load["spanId"], 16), "{load}");
    assert!(hex(&load["parentSpanId"], 16), "{load}");
    assert_eq!(load["kind"], 3, "SPAN_KIND_CLIENT as an integer");
    assert!(
        load["startTimeUnixNano"]
            .as_str()
            .unwrap()
            .parse::<u64>()
            .is_ok()
    );
    let rows = load["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|kv| kv["key"] == "acm.n_rows")
        .unwrap();
    assert_eq!(rows["value"]["intValue"], "120", "int64 as a string");
    let scope = &line["resourceSpans"][0]["scopeSpans"][0]["scope"];
    assert_eq!(scope["name"], "acm-trace");
}

#[test]
fn a_bad_environment_value_is_an_error_naming_it() {
    let env = HashMap::from([("OTEL_BSP_SCHEDULE_DELAY", "5s")]);
    let err = acm_trace_runtime::init()
        .env(env)
        .out_dir(TempDir::new("bad-env").path())
        .build::<tracing_subscriber::Registry>()
        .err()
        .expect("a bad value fails the start");
    assert!(matches!(
        err,
        StartError::InvalidEnv {
            var: "OTEL_BSP_SCHEDULE_DELAY",
            ..
        }
    ));
    assert_eq!(
        err.to_string(),
        "invalid value \"5s\" in OTEL_BSP_SCHEDULE_DELAY: expected a positive whole number of milliseconds"
    );
}

#[test]
fn an_unwritable_out_dir_is_an_error() {
    let dir = TempDir::new("not-a-dir");
    let file = dir.path().join("a-file");
    std::fs::write(&file, b"").unwrap();
    let err = acm_trace_runtime::init()
        .env(HashMap::<String, String>::new())
        .out_dir(&file)
        .build::<tracing_subscriber::Registry>()
        .err()
        .expect("a file is not a directory");
    assert!(matches!(err, StartError::Output { .. }), "{err}");
}
