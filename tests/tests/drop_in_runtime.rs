//! Dropping the guard inside async code: the SDK's flush deadlocks when called on the thread
//! of a current-thread runtime (open-telemetry/opentelemetry-rust#2583); ours must return
//! within its bound and still deliver.

#[path = "support/collector.rs"]
mod collector;
#[path = "support/sample.rs"]
mod sample;

use std::time::{Duration, Instant};

use acm_trace_runtime::Protocol;
use collector::{BlackHole, GrpcCollector, HttpCollector};
use tracing::Instrument as _;
use tracing_subscriber::layer::SubscriberExt as _;

const BOUND: Duration = Duration::from_secs(2);
const SLACK: Duration = Duration::from_millis(750);

/// Builds the pipeline inside the runtime, runs an instrumented future, drops the guard there.
async fn run_and_drop(protocol: Protocol, endpoint: String) -> Duration {
    let (telemetry, layer) = sample::otlp_builder(protocol, &endpoint)
        .shutdown_timeout(BOUND)
        .build::<tracing_subscriber::Registry>()
        .expect("telemetry builds inside a runtime");
    let _default = tracing::subscriber::set_default(tracing_subscriber::registry().with(layer));
    async {
        tokio::task::yield_now().await;
        tracing::info!("inside the span");
    }
    .instrument(tracing::info_span!("pipeline.run", otel.kind = "server"))
    .await;
    let started = Instant::now();
    drop(telemetry);
    started.elapsed()
}

#[tokio::test(flavor = "current_thread")]
async fn grpc_guard_dropped_on_a_current_thread_runtime() {
    let collector = GrpcCollector::start();
    let took = run_and_drop(Protocol::Grpc, collector.endpoint()).await;
    assert!(took <= BOUND + SLACK, "drop took {took:?}");
    assert_eq!(collector.inbox().spans().len(), 1, "the span was delivered");
}

#[tokio::test(flavor = "current_thread")]
async fn http_guard_dropped_on_a_current_thread_runtime() {
    let collector = HttpCollector::start();
    let took = run_and_drop(Protocol::HttpProtobuf, collector.endpoint()).await;
    assert!(took <= BOUND + SLACK, "drop took {took:?}");
    assert_eq!(collector.inbox().spans().len(), 1, "the span was delivered");
}

/// `#[tokio::main]` on a one-core pod: a multi-thread runtime with a single worker.
#[tokio::test(flavor = "multi_thread", worker_threads = 1)]
async fn grpc_guard_dropped_on_a_single_worker_runtime() {
    let collector = GrpcCollector::start();
    let took = run_and_drop(Protocol::Grpc, collector.endpoint()).await;
    assert!(took <= BOUND + SLACK, "drop took {took:?}");
    assert_eq!(collector.inbox().spans().len(), 1, "the span was delivered");
}

#[tokio::test(flavor = "current_thread")]
async fn guard_dropped_on_a_current_thread_runtime_with_a_hung_receiver() {
    let hole = BlackHole::start();
    for protocol in [Protocol::Grpc, Protocol::HttpProtobuf] {
        let took = run_and_drop(protocol, hole.endpoint()).await;
        assert!(took <= BOUND + SLACK, "{protocol:?}: drop took {took:?}");
    }
}
