//! The shared body of the feedback tests; each runs in its own binary because it installs
//! the global subscriber.

use acm_trace_runtime::TelemetryBuilder;
use tracing_subscriber::filter::LevelFilter;

use super::collector::Inbox;
use super::sample;

const ROUNDS: usize = 3;

pub fn assert_no_feedback(builder: TelemetryBuilder, inbox: &Inbox) {
    let own_target = module_path!();
    let telemetry = builder
        .log_level(LevelFilter::TRACE)
        .start()
        .expect("the global subscriber is free in this binary");
    // Several export rounds while the pipeline is live, so the transport's chatter of one
    // round has the chance to be exported by the next.
    for round in 0..ROUNDS {
        tracing::info_span!(
            "pipeline.run",
            otel.kind = "server",
            acm.batch_num = round as i64
        )
        .in_scope(|| tracing::debug!(round, "working"));
        telemetry.flush().expect("round delivered");
    }
    let report = telemetry.shutdown();
    assert_eq!(report.exported, ROUNDS as u64, "{report}");

    let spans = inbox.spans();
    let names: Vec<_> = spans.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        vec!["pipeline.run"; ROUNDS],
        "only our spans are exported"
    );
    for span in &spans {
        let module = sample::string_attr(&span.attributes, "code.module.name");
        assert_eq!(module.as_deref(), Some(own_target), "{span:?}");
    }

    let logs = inbox.log_records();
    let scopes: Vec<_> = logs.iter().map(|(scope, _)| scope.as_str()).collect();
    assert_eq!(
        scopes,
        vec![own_target; ROUNDS],
        "only our events are exported"
    );
}
