//! The ACM demo pipeline, run in-process, exporting through the real OTLP exporters to real
//! receivers on 127.0.0.1 (tonic gRPC, and HTTP/1.1 with protobuf bodies): the whole trace
//! arrives with the documented tree, kinds, standard attributes and outcomes.

#[path = "support/collector.rs"]
mod collector;
#[path = "support/demo_trace.rs"]
mod demo_trace;
#[path = "support/temp_dir.rs"]
mod temp_dir;

use std::collections::HashMap;
use std::time::Duration;

use acm_trace::{ExportDestination, Protocol, Telemetry, TelemetryBuilder};
use collector::{GrpcCollector, HttpCollector, Inbox};
use demo_trace::RunIdentity;
use temp_dir::TempDir;
use tracing_subscriber::layer::SubscriberExt as _;

/// The pipeline's telemetry aimed at `endpoint`, reading `OTEL_*` from `env` only.
fn builder(protocol: Protocol, endpoint: &str, env: HashMap<String, String>) -> TelemetryBuilder {
    acm_trace::init()
        .env(env)
        .default_service_name(acm_pipeline::SERVICE_NAME)
        .protocol(protocol)
        .endpoint(endpoint)
        .shutdown_timeout(Duration::from_secs(5))
}

/// Runs the demo with `builder`'s layer as this thread's subscriber; the pipeline sets the
/// run context itself.
fn run_demo(
    builder: TelemetryBuilder,
    cfg: &acm_pipeline::Config,
) -> (
    Telemetry,
    Result<acm_pipeline::RunSummary, acm_pipeline::PipelineError>,
) {
    let (telemetry, layer) = builder
        .build::<tracing_subscriber::Registry>()
        .expect("telemetry builds");
    let subscriber = tracing_subscriber::registry().with(layer);
    let result = tracing::subscriber::with_default(subscriber, || acm_pipeline::run(cfg));
    (telemetry, result)
}

fn whole_run_reaches(protocol: Protocol, endpoint: &str, inbox: &Inbox, traces_endpoint: &str) {
    let _turn = demo_trace::one_run_at_a_time();
    let dir = TempDir::new("demo-otlp");
    let cfg = demo_trace::config(dir.path());
    let (telemetry, result) = run_demo(builder(protocol, endpoint, HashMap::new()), &cfg);
    assert!(matches!(
        telemetry.destination(),
        ExportDestination::Otlp { protocol: p, traces_endpoint: t, .. }
            if *p == protocol && t == traces_endpoint
    ));
    let summary = result.expect("the pipeline succeeds");
    assert_eq!(summary.run_id, cfg.run_id.clone().unwrap());

    let report = telemetry.shutdown();
    assert!(report.completed, "{report:?}");
    assert_eq!(report.undelivered, 0, "{report}");
    let spans = inbox.spans();
    assert_eq!(report.exported, spans.len() as u64, "{report}");
    assert_eq!(report.ended, report.exported, "{report}");

    demo_trace::assert_resource(&inbox.traces(), demo_trace::DEFAULT_SERVICE);
    demo_trace::assert_demo_trace(&spans, &cfg, &summary);
}

#[test]
fn grpc_receiver_gets_the_whole_documented_trace() {
    let collector = GrpcCollector::start();
    let endpoint = collector.endpoint();
    whole_run_reaches(Protocol::Grpc, &endpoint, &collector.inbox(), &endpoint);
}

#[test]
fn http_receiver_gets_the_whole_documented_trace() {
    let collector = HttpCollector::start();
    let endpoint = collector.endpoint();
    whole_run_reaches(
        Protocol::HttpProtobuf,
        &endpoint,
        &collector.inbox(),
        &format!("{endpoint}/v1/traces"),
    );
}

/// `--fail-stage fit.gmm`: the stage fails, the error carries up through `models.fit` to
/// `pipeline.run`, and nothing after it runs. The service name comes from the environment.
#[test]
fn a_failing_stage_fails_its_ancestors_and_ends_the_run() {
    const STAGE: &str = "fit.gmm";
    const SERVICE: &str = "acm-demo-failing";
    let _turn = demo_trace::one_run_at_a_time();
    let collector = GrpcCollector::start();
    let dir = TempDir::new("demo-otlp-fail");
    let cfg = acm_pipeline::Config {
        fail_stage: Some(STAGE.into()),
        ..demo_trace::config(dir.path())
    };
    let env = HashMap::from([("OTEL_SERVICE_NAME".to_owned(), SERVICE.to_owned())]);
    let (telemetry, result) = run_demo(builder(Protocol::Grpc, &collector.endpoint(), env), &cfg);
    let error = result.expect_err("the run fails");
    assert_eq!(error.injected_stage(), Some(STAGE), "{error}");

    let report = telemetry.shutdown();
    assert!(report.completed, "{report:?}");
    assert_eq!(report.undelivered, 0, "{report}");

    let inbox = collector.inbox();
    demo_trace::assert_resource(&inbox.traces(), SERVICE);
    let identity = RunIdentity {
        run_id: cfg.run_id.clone().unwrap(),
        equipment: cfg.equipment.clone(),
        // The first equipment of a fresh database.
        equip_id: "1".to_owned(),
        // The run context takes its service from the telemetry's `service.name`.
        service: SERVICE.to_owned(),
    };
    demo_trace::assert_failed_trace(&inbox.spans(), &cfg, &identity, STAGE, &error);
}
