//! The exporter's own diagnostics (reqwest, hyper, rustls) must not come back as exported
//! log records or spans. The pipeline is the *global* subscriber here, at TRACE, with the
//! `log` bridge installed, so every event of the HTTP client reaches it.

#[path = "support/collector.rs"]
mod collector;
#[path = "support/feedback.rs"]
mod feedback;
#[path = "support/sample.rs"]
mod sample;

use acm_trace_runtime::Protocol;

#[test]
fn http_exporter_logging_does_not_feed_back() {
    let collector = collector::HttpCollector::start();
    let builder = sample::otlp_builder(Protocol::HttpProtobuf, &collector.endpoint());
    feedback::assert_no_feedback(builder, &collector.inbox());
}
