//! `tracing`'s public API used against `AcmSubscriber` as a hostile program may: span ids
//! copied to another thread and used there while their owner closes the span, and made-up ids.
//! Nothing may corrupt memory, and every span is exported exactly once.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use opentelemetry_sdk::trace::InMemorySpanExporter;
use tracing::field::Value;
use tracing::span::{Id, Record};

const SPANS: u64 = 20_000;

#[test]
fn ids_used_on_other_threads_while_their_spans_close() {
    let exporter = InMemorySpanExporter::default();
    let subscriber = acm_trace_runtime::AcmSubscriber::exporting(exporter.clone());
    let flusher = subscriber.flusher();
    let dispatch = tracing::Dispatch::new(subscriber);
    let current = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let meta: Arc<OnceLock<&'static tracing::Metadata<'static>>> = Arc::default();
    let hostile = {
        let (dispatch, current, stop, meta) = (
            dispatch.clone(),
            current.clone(),
            stop.clone(),
            meta.clone(),
        );
        std::thread::spawn(move || {
            let mut n = 0u64;
            while !stop.load(Relaxed) {
                let id = current.load(Relaxed);
                let Some(meta) = meta.get() else { continue };
                if id == 0 {
                    continue;
                }
                let field = meta.fields().field("f").expect("declared field");
                let text = "x".repeat(64);
                let values = [(&field, Some(&text.as_str() as &dyn Value))];
                let values = meta.fields().value_set(&values);
                // The owner's span, maybe closing right now.
                dispatch.record(&Id::from_u64(id), &Record::new(&values));
                // A handle taken and given back: balanced, it may still be the last one.
                let clone = dispatch.clone_span(&Id::from_u64(id));
                dispatch.try_close(clone);
                // Made-up ids: other generations and other slots of the same arena.
                for made_up in [id ^ (1 << 33), id + 1, id.wrapping_sub(1), u64::MAX, n | 1] {
                    if made_up != 0 {
                        dispatch.record(&Id::from_u64(made_up), &Record::new(&values));
                        let _ = dispatch.current_span();
                    }
                }
                n = n.wrapping_add(0x9e37_79b9_7f4a_7c15);
            }
        })
    };
    tracing::dispatcher::with_default(&dispatch, || {
        for n in 0..SPANS {
            let span = tracing::info_span!("race.span", f = tracing::field::Empty);
            let _ = meta.set(span.metadata().expect("enabled"));
            current.store(span.id().expect("enabled").into_u64(), Relaxed);
            for _ in 0..(n % 7) {
                std::hint::spin_loop();
            }
            drop(span);
        }
    });
    stop.store(true, Relaxed);
    hostile.join().expect("the hostile thread finished");
    assert!(flusher.flush(Duration::from_secs(30)), "flushed in time");
    let spans = exporter.get_finished_spans().expect("exported spans");
    let ids: HashSet<_> = spans.iter().map(|s| s.span_context.span_id()).collect();
    assert_eq!(spans.len() as u64, SPANS, "every span exported once");
    assert_eq!(ids.len() as u64, SPANS, "no span exported twice");
    assert_eq!(flusher.dropped(), 0);
}
