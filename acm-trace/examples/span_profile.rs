//! 200 000 acm spans through the lean layer into a batch processor with a discarding exporter:
//! a fixed workload for instruction counts of the enabled path.
//!
//! ```sh
//! CARGO_PROFILE_RELEASE_DEBUG=true cargo build --release -p acm-trace --example span_profile
//! valgrind --tool=callgrind target/release/examples/span_profile
//! ```

use std::sync::Arc;

use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{BatchConfigBuilder, BatchSpanProcessor, SpanData, SpanExporter};
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
    let layer = acm_trace::AcmLayer::new(Arc::new(processor));
    let dispatch = tracing::Dispatch::new(tracing_subscriber::registry().with(layer));
    tracing::dispatcher::with_default(&dispatch, || {
        for _ in 0..2000 {
            acm_trace::span!("pipeline.run").in_scope(|| {
                for i in 0..100 {
                    std::hint::black_box(tiny(i));
                }
            });
        }
    });
}
