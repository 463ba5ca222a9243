//! Faults of the receiver: absent at start, killed mid-run, accepting and never answering,
//! answering 429 or 503 with `Retry-After`, resetting the connection mid-request, speaking
//! plain TCP where TLS is expected, a name that does not resolve. In each the program finishes, shutdown returns within its
//! bound, nothing panics, and the report counts the spans that were not delivered.

#[path = "support/collector.rs"]
mod collector;
#[path = "support/fault_receivers.rs"]
mod fault_receivers;
#[path = "support/sample.rs"]
mod sample;

use std::time::{Duration, Instant};

use acm_trace_runtime::{FlushError, Protocol, ShutdownReport, Telemetry};
use collector::{BlackHole, GrpcCollector, HttpCollector};
use fault_receivers::{Fault, FaultyReceiver};
use tracing_subscriber::layer::SubscriberExt as _;

const BOUND: Duration = Duration::from_millis(1500);
/// Thread start-up and scheduling on a loaded 2-core machine.
const SLACK: Duration = Duration::from_millis(750);

fn timed_shutdown(telemetry: Telemetry) -> ShutdownReport {
    let started = Instant::now();
    let report = telemetry.shutdown();
    let took = started.elapsed();
    assert!(took <= BOUND + SLACK, "shutdown took {took:?}: {report:?}");
    report
}

fn absent_at_start(protocol: Protocol) {
    let builder =
        sample::otlp_builder(protocol, &collector::absent_endpoint()).shutdown_timeout(BOUND);
    let (telemetry, ()) = sample::run_with(builder, sample::emit_pipeline);
    let report = timed_shutdown(telemetry);
    assert_eq!(report.ended, sample::SPANS, "{report:?}");
    assert_eq!(report.exported, 0, "{report:?}");
    assert_eq!(report.undelivered, sample::SPANS, "{report:?}");
}

/// A flush whose exports all fail is an error with the exporter's reason, and the shutdown
/// report carries it too.
fn flush_reports_failed_exports(protocol: Protocol) {
    // Long enough for the exporter's own retries to give up.
    let builder = sample::otlp_builder(protocol, &collector::absent_endpoint())
        .shutdown_timeout(Duration::from_secs(20));
    let (telemetry, ()) = sample::run_with(builder, sample::emit_pipeline);
    match telemetry.flush() {
        Err(FlushError::Export(reason)) => {
            assert!(reason.contains("spans in failed exports"), "{reason}");
        }
        other => panic!("a flush into a refused port must fail, got {other:?}"),
    }
    let report = telemetry.shutdown();
    assert!(report.last_failure.is_some(), "{report:?}");
    assert!(
        report.to_string().contains("last export failure"),
        "{report}"
    );
}

#[test]
fn grpc_flush_reports_failed_exports() {
    flush_reports_failed_exports(Protocol::Grpc);
}

#[test]
fn http_flush_reports_failed_exports() {
    flush_reports_failed_exports(Protocol::HttpProtobuf);
}

#[test]
fn grpc_receiver_absent_at_start() {
    absent_at_start(Protocol::Grpc);
}

#[test]
fn http_receiver_absent_at_start() {
    absent_at_start(Protocol::HttpProtobuf);
}

/// One span is delivered and confirmed by a flush, the receiver dies, ten more spans follow.
fn killed_mid_run_with<C>(protocol: Protocol, mut collector: C, endpoint: String)
where
    C: Receiver,
{
    let (telemetry, layer) = sample::otlp_builder(protocol, &endpoint)
        .shutdown_timeout(BOUND)
        .build::<tracing_subscriber::Registry>()
        .expect("telemetry builds");
    let subscriber = tracing_subscriber::registry().with(layer);
    tracing::subscriber::with_default(subscriber, || {
        tracing::info_span!("load.data", otel.kind = "client").in_scope(|| {});
        telemetry.flush().expect("the first span is delivered");
        assert_eq!(collector.delivered(), 1);

        collector.kill();
        for _ in 0..10 {
            tracing::info_span!("persist.scores", otel.kind = "client").in_scope(|| {});
        }
    });
    let report = timed_shutdown(telemetry);
    assert_eq!(report.ended, 11, "{report:?}");
    assert_eq!(report.exported, 1, "{report:?}");
    assert_eq!(report.undelivered, 10, "{report:?}");
}

trait Receiver {
    fn delivered(&self) -> usize;
    fn kill(&mut self);
}

impl Receiver for GrpcCollector {
    fn delivered(&self) -> usize {
        self.inbox().spans().len()
    }
    fn kill(&mut self) {
        GrpcCollector::kill(self);
    }
}

impl Receiver for HttpCollector {
    fn delivered(&self) -> usize {
        self.inbox().spans().len()
    }
    fn kill(&mut self) {
        HttpCollector::kill(self);
    }
}

#[test]
fn grpc_receiver_killed_mid_run() {
    let collector = GrpcCollector::start();
    let endpoint = collector.endpoint();
    killed_mid_run_with(Protocol::Grpc, collector, endpoint);
}

#[test]
fn http_receiver_killed_mid_run() {
    let collector = HttpCollector::start();
    let endpoint = collector.endpoint();
    killed_mid_run_with(Protocol::HttpProtobuf, collector, endpoint);
}

fn never_answers(protocol: Protocol) {
    let hole = BlackHole::start();
    // The request timeout (10 s by default) is far beyond the shutdown bound: the export is
    // still hanging when the bound runs out.
    let builder = sample::otlp_builder(protocol, &hole.endpoint()).shutdown_timeout(BOUND);
    let (telemetry, ()) = sample::run_with(builder, sample::emit_pipeline);
    let report = timed_shutdown(telemetry);
    assert!(!report.completed, "{report:?}");
    assert_eq!(report.exported, 0, "{report:?}");
    assert_eq!(report.undelivered, sample::SPANS, "{report:?}");
    assert!(hole.accepted() > 0, "the exporter did connect");
}

#[test]
fn grpc_receiver_accepts_and_never_answers() {
    never_answers(Protocol::Grpc);
}

#[test]
fn http_receiver_accepts_and_never_answers() {
    never_answers(Protocol::HttpProtobuf);
}

/// Every export meets `fault`: nothing is delivered, nothing panics, and shutdown keeps its
/// bound however the exporter retries.
fn faulty_receiver(protocol: Protocol, fault: Fault) {
    let receiver = FaultyReceiver::start(fault);
    let builder = sample::otlp_builder(protocol, &receiver.endpoint()).shutdown_timeout(BOUND);
    let (telemetry, ()) = sample::run_with(builder, sample::emit_pipeline);
    let report = timed_shutdown(telemetry);
    assert_eq!(report.exported, 0, "{report:?}");
    assert_eq!(report.undelivered, sample::SPANS, "{report:?}");
    assert!(receiver.connections() > 0, "the exporter did connect");
}

#[test]
fn http_receiver_answers_429_with_retry_after() {
    faulty_receiver(Protocol::HttpProtobuf, Fault::Status(429));
}

#[test]
fn http_receiver_answers_503_with_retry_after() {
    faulty_receiver(Protocol::HttpProtobuf, Fault::Status(503));
}

#[test]
fn http_receiver_resets_the_connection_mid_request() {
    faulty_receiver(Protocol::HttpProtobuf, Fault::ResetMidRequest);
}

#[test]
fn grpc_receiver_resets_the_connection_mid_request() {
    faulty_receiver(Protocol::Grpc, Fault::ResetMidRequest);
}

#[test]
fn http_tls_handshake_fails() {
    faulty_receiver(Protocol::HttpProtobuf, Fault::NotTls);
}

#[test]
fn grpc_tls_handshake_fails() {
    faulty_receiver(Protocol::Grpc, Fault::NotTls);
}

/// A receiver whose name does not resolve. Its first label has 64 characters (DNS allows 63),
/// so the resolver refuses it before any query leaves the machine: the test needs no network.
fn unresolvable_name(protocol: Protocol) {
    let endpoint = format!("http://{}.invalid:4318", "a".repeat(64));
    let builder = sample::otlp_builder(protocol, &endpoint).shutdown_timeout(BOUND);
    let (telemetry, ()) = sample::run_with(builder, sample::emit_pipeline);
    let report = timed_shutdown(telemetry);
    assert_eq!(report.exported, 0, "{report:?}");
    assert_eq!(report.undelivered, sample::SPANS, "{report:?}");
}

#[test]
fn http_receiver_name_does_not_resolve() {
    unresolvable_name(Protocol::HttpProtobuf);
}

#[test]
fn grpc_receiver_name_does_not_resolve() {
    unresolvable_name(Protocol::Grpc);
}
