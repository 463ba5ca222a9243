//! The ACM demo pipeline on the embedded default (no endpoint): every line of
//! `<out>/<run_id>.jsonl` is an OTLP `ExportTraceServiceRequest` in the protobuf JSON mapping,
//! and the spans in the file form the documented tree.

#[path = "support/demo_trace.rs"]
mod demo_trace;
#[path = "support/temp_dir.rs"]
mod temp_dir;

use std::collections::HashMap;

use acm_trace::ExportDestination;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use temp_dir::TempDir;
use tracing_subscriber::layer::SubscriberExt as _;

#[test]
fn trace_file_holds_the_whole_documented_trace() {
    let _turn = demo_trace::one_run_at_a_time();
    let dir = TempDir::new("demo-jsonl");
    let cfg = demo_trace::config(dir.path());
    let run_id = cfg.run_id.clone().unwrap();
    // As the demo binary does: the trace file sits beside the database, named by the run id.
    // The tree goes to the real stderr, which the test harness does not capture: off here,
    // the binary's test checks it.
    let (telemetry, layer) = acm_trace::init()
        .env(HashMap::<String, String>::new())
        .default_service_name(acm_pipeline::SERVICE_NAME)
        .out_dir(dir.path())
        .run_id(&run_id)
        .print_tree(false)
        .build::<tracing_subscriber::Registry>()
        .expect("telemetry builds");
    let path = dir.path().join(format!("{run_id}.jsonl"));
    assert_eq!(
        telemetry.destination(),
        &ExportDestination::File { path: path.clone() }
    );

    let subscriber = tracing_subscriber::registry().with(layer);
    let summary = tracing::subscriber::with_default(subscriber, || acm_pipeline::run(&cfg))
        .expect("the pipeline succeeds");
    let report = telemetry.shutdown();
    assert!(report.completed, "{report:?}");
    assert_eq!(report.undelivered, 0, "{report}");
    assert_eq!(report.ended, report.exported, "{report}");

    let text = std::fs::read_to_string(&path).expect("the trace file exists");
    assert!(text.ends_with('\n'), "the last line is complete");
    let requests: Vec<ExportTraceServiceRequest> = text
        .lines()
        .enumerate()
        .map(|(i, line)| {
            serde_json::from_str(line).unwrap_or_else(|e| {
                panic!("line {} is not an ExportTraceServiceRequest: {e}", i + 1)
            })
        })
        .collect();
    let spans = demo_trace::spans_of(&requests);
    assert_eq!(spans.len() as u64, report.exported, "{report}");
    demo_trace::assert_resource(&requests, demo_trace::DEFAULT_SERVICE);
    // The database is there too, under the same directory.
    assert_eq!(summary.db_path, dir.path().join(acm_pipeline::db::DB_FILE));
    assert!(summary.db_path.is_file());
    // One trace file for the whole run, whatever the number of batches.
    let trace_files = std::fs::read_dir(dir.path())
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "jsonl"))
        })
        .count();
    assert_eq!(trace_files, 1);
    demo_trace::assert_demo_trace(&spans, &cfg, &summary);
}
