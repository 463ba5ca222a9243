//! The exporter's own diagnostics (tonic, h2, hyper, tower) must not come back as exported
//! log records or spans. The pipeline is the *global* subscriber here, at TRACE, so every
//! event of the gRPC client and of the receiver in this process reaches it.

#[path = "support/collector.rs"]
mod collector;
#[path = "support/feedback.rs"]
mod feedback;
#[path = "support/sample.rs"]
mod sample;

use acm_trace_runtime::Protocol;

#[test]
fn grpc_exporter_logging_does_not_feed_back() {
    let collector = collector::GrpcCollector::start();
    let builder = sample::otlp_builder(Protocol::Grpc, &collector.endpoint());
    feedback::assert_no_feedback(builder, &collector.inbox());
}
