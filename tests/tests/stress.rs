//! `AcmSubscriber` under everything safe code can do to it at once, through the public API:
//! threads opening nested spans with `#[acm_span]`-style guards and `tracing` spans, spans
//! moved to and closed on other threads, instrumented futures dropped mid-poll, made-up ids
//! recorded on and closed from another thread, and flushes racing the subscriber's drop.
//! Every span opened is exported exactly once.

use std::collections::HashSet;
use std::future::Future;
use std::pin::pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, mpsc};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use acm_trace::span;
use acm_trace_runtime::AcmSubscriber;
use opentelemetry_sdk::trace::InMemorySpanExporter;
use tracing::Dispatch;
use tracing::span::{Id, Record};

const THREADS: u64 = 4;
const ROUNDS: u64 = 400;
/// Spans each round opens: three nested guards, one `tracing` span closed elsewhere, one
/// future dropped after its first poll, one future polled to the end.
const PER_ROUND: u64 = 6;

/// A future that is pending on its first poll and ready on the second.
struct YieldOnce(bool);

impl Future for YieldOnce {
    type Output = ();
    fn poll(mut self: std::pin::Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            Poll::Ready(())
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

fn poll_once(fut: impl Future<Output = ()>) -> Poll<()> {
    let mut fut = pin!(fut);
    fut.as_mut().poll(&mut Context::from_waker(Waker::noop()))
}

fn poll_to_end(fut: impl Future<Output = ()>) {
    let mut fut = pin!(fut);
    let mut cx = Context::from_waker(Waker::noop());
    while fut.as_mut().poll(&mut cx).is_pending() {}
}

/// One thread's work: nested spans, a span sent to the closer thread, two futures.
fn work(thread: u64, closer: &mpsc::Sender<tracing::Span>, last_id: &AtomicU64) {
    for round in 0..ROUNDS {
        span!("compute.stress_outer").in_scope(|| {
            let _middle = span!("compute.stress_middle").entered();
            span!("compute.stress_inner").in_scope(|| {
                let moved = tracing::info_span!("stress.moved", round, thread);
                if let Some(id) = moved.id() {
                    last_id.store(id.into_u64(), Relaxed);
                }
                closer.send(moved).expect("the closer thread runs");
            });
        });
        let dropped = span!("compute.stress_cancelled").instrument(YieldOnce(false));
        assert!(poll_once(dropped).is_pending());
        poll_to_end(span!("compute.stress_future").instrument(YieldOnce(false)));
    }
}

/// Records on, clones and closes ids it never owned, until told to stop.
fn hostile(dispatch: &Dispatch, last_id: &AtomicU64, stop: &AtomicBool) {
    let meta = tracing::info_span!("stress.hostile_probe", f = tracing::field::Empty);
    let Some(meta) = meta.metadata() else { return };
    let field = meta.fields().field("f").expect("declared");
    let mut n = 1u64;
    while !stop.load(Relaxed) {
        let id = last_id.load(Relaxed);
        let values = [(&field, Some(&"x" as &dyn tracing::Value))];
        let values = meta.fields().value_set(&values);
        for made_up in [id, id ^ (1 << 32), id.wrapping_add(1), n] {
            if made_up != 0 {
                dispatch.record(&Id::from_u64(made_up), &Record::new(&values));
            }
        }
        // Balanced: a handle taken and given back leaves the count as it was.
        if id != 0 {
            let clone = dispatch.clone_span(&Id::from_u64(id));
            dispatch.try_close(clone);
        }
        n = n.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        std::thread::yield_now();
    }
}

#[test]
fn every_span_is_exported_exactly_once_under_hostile_use() {
    let exporter = InMemorySpanExporter::default();
    let subscriber = AcmSubscriber::exporting_with(exporter.clone(), 512, Duration::from_millis(5));
    let flusher = subscriber.flusher();
    let dispatch = Dispatch::new(subscriber);
    let last_id = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let (closer, moved) = mpsc::channel::<tracing::Span>();

    std::thread::scope(|s| {
        // Closes spans that other threads opened.
        s.spawn(move || {
            for span in moved {
                drop(span);
            }
        });
        let hostile_thread = {
            let (dispatch, last_id, stop) = (dispatch.clone(), last_id.clone(), stop.clone());
            s.spawn(move || hostile(&dispatch, &last_id, &stop))
        };
        let flushing = {
            let (flusher, stop) = (flusher.clone(), stop.clone());
            s.spawn(move || {
                while !stop.load(Relaxed) {
                    flusher.flush(Duration::from_secs(5));
                }
            })
        };
        let workers: Vec<_> = (0..THREADS)
            .map(|thread| {
                let (dispatch, closer, last_id) =
                    (dispatch.clone(), closer.clone(), last_id.clone());
                s.spawn(move || {
                    tracing::dispatcher::with_default(&dispatch, || {
                        work(thread, &closer, &last_id);
                    });
                })
            })
            .collect();
        drop(closer);
        for worker in workers {
            worker.join().expect("a worker panicked");
        }
        stop.store(true, Relaxed);
        hostile_thread.join().expect("the hostile thread panicked");
        flushing.join().expect("the flushing thread panicked");
    });
    // The subscriber's last handle goes while a flush may still run on another thread.
    let racing = {
        let flusher = flusher.clone();
        std::thread::spawn(move || flusher.flush(Duration::from_secs(10)))
    };
    drop(dispatch);
    let _ = racing.join().expect("the racing flush panicked");
    assert!(flusher.flush(Duration::from_secs(30)), "flushed in time");

    let spans = exporter.get_finished_spans().expect("exported spans");
    let opened = THREADS * ROUNDS * PER_ROUND;
    let unique: HashSet<_> = spans.iter().map(|s| s.span_context.span_id()).collect();
    let stress: Vec<_> = spans
        .iter()
        .filter(|s| s.name != "stress.hostile_probe")
        .collect();
    assert_eq!(flusher.dropped(), 0, "nothing dropped");
    assert_eq!(unique.len(), spans.len(), "no span exported twice");
    assert_eq!(stress.len() as u64, opened, "every span exported");
    let cancelled = stress
        .iter()
        .filter(|s| s.name == "compute.stress_cancelled")
        .filter(|s| {
            s.attributes
                .iter()
                .any(|kv| kv.key.as_str() == "acm.outcome" && kv.value.as_str() == "cancelled")
        })
        .count() as u64;
    assert_eq!(
        cancelled,
        THREADS * ROUNDS,
        "futures dropped mid-poll end cancelled"
    );
}
