//! 200 000 acm spans to a discarding exporter: a fixed workload for instruction counts of the
//! enabled path, through `AcmSubscriber` exporting batches itself (what `init().start()`
//! installs); with the argument `processor`, through `AcmSubscriber` and the SDK's batch
//! processor; with `layer`, through the registry, the lean layer and the batch processor.
//!
//! ```sh
//! CARGO_PROFILE_RELEASE_DEBUG=true cargo build --release -p acm-trace --example span_profile
//! valgrind --tool=callgrind --separate-threads=yes target/release/examples/span_profile
//! ```

use std::sync::Arc;

use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{
    BatchConfigBuilder, BatchSpanProcessor, SpanData, SpanExporter, SpanProcessor,
};
use tracing_subscriber::layer::SubscriberExt;

#[derive(Debug)]
struct Discard;

impl SpanExporter for Discard {
    async fn export(&self, _batch: Vec<SpanData>) -> OTelSdkResult {
        Ok(())
    }
}

#[acm_trace::acm_span("compute.tiny")]
#[inline(never)]
fn tiny(x: u64) -> u64 {
    x.wrapping_mul(31) ^ 7
}

fn main() {
    acm_trace::context::set(acm_trace::RunContext::new("FD_FAN"));
    let config = BatchConfigBuilder::default()
        .with_max_queue_size(1 << 16)
        .build();
    let processor = BatchSpanProcessor::builder(Discard)
        .with_batch_config(config)
        .build();
    let processor = Arc::new(processor);
    let (dispatch, flusher) = if std::env::args().any(|a| a == "layer") {
        let layer = acm_trace::AcmLayer::new(processor.clone());
        let subscriber = tracing_subscriber::registry().with(layer);
        (tracing::Dispatch::new(subscriber), None)
    } else if std::env::args().any(|a| a == "processor") {
        let subscriber = acm_trace::AcmSubscriber::new(processor.clone());
        let flusher = subscriber.flusher();
        (tracing::Dispatch::new(subscriber), Some(flusher))
    } else {
        let subscriber = acm_trace::AcmSubscriber::exporting(Discard);
        let flusher = subscriber.flusher();
        (tracing::Dispatch::new(subscriber), Some(flusher))
    };
    // Drained every 40 roots (4,040 spans): under valgrind, which runs one thread at a time, the
    // collector thread would otherwise rarely run, the calling thread's ring (8192 spans)
    // would overflow into the shared buffers, and the counts would describe that rarer path.
    let drain = || {
        if let Some(flusher) = &flusher {
            flusher.flush(std::time::Duration::from_secs(30));
        }
        let _ = processor.force_flush();
    };
    tracing::dispatcher::with_default(&dispatch, || {
        for round in 1..=2000 {
            acm_trace::span!("pipeline.run").in_scope(|| {
                for i in 0..100 {
                    std::hint::black_box(tiny(i));
                }
            });
            if round % 40 == 0 {
                drain();
            }
        }
    });
}
