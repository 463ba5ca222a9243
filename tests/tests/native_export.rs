//! `AcmSubscriber::exporting`: the collector thread gathers closed spans into export batches
//! and calls the exporter itself. Batches respect their size, a partial batch waits for the
//! scheduled delay or a flush, every span is exported once, and the subscriber shuts its
//! exporter down when it is dropped, after the last export.

use std::collections::HashSet;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use acm_trace_runtime::AcmSubscriber;
use opentelemetry::trace::SpanId;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{SpanData, SpanExporter};
use tracing::{Dispatch, info_span};

/// Long enough for the collector on a loaded machine, short enough to fail visibly.
const PATIENCE: Duration = Duration::from_secs(5);

#[derive(Debug, Default)]
struct Log {
    batches: Vec<Vec<SpanId>>,
    /// Spans exported when `shutdown` was called, if it was.
    shut_down_after: Option<usize>,
}

impl Log {
    fn exported(&self) -> usize {
        self.batches.iter().map(Vec::len).sum()
    }
}

/// Records every batch it is given and when it was shut down.
#[derive(Debug, Clone, Default)]
struct Recorder(Arc<Mutex<Log>>);

impl Recorder {
    fn log(&self) -> std::sync::MutexGuard<'_, Log> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Polls until `done` holds or `PATIENCE` passes; returns whether it held.
    fn wait(&self, done: impl Fn(&Log) -> bool) -> bool {
        let deadline = Instant::now() + PATIENCE;
        while Instant::now() < deadline {
            if done(&self.log()) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        done(&self.log())
    }
}

impl SpanExporter for Recorder {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        let ids = batch.iter().map(|s| s.span_context.span_id()).collect();
        self.log().batches.push(ids);
        Ok(())
    }

    fn shutdown_with_timeout(&self, _timeout: Duration) -> OTelSdkResult {
        let mut log = self.log();
        log.shut_down_after = Some(log.exported());
        Ok(())
    }
}

/// Spans from several threads, flushed: every batch within the size, every span once.
#[test]
fn batches_keep_their_size_and_hold_every_span_once() {
    let recorder = Recorder::default();
    let subscriber = AcmSubscriber::exporting_with(recorder.clone(), 64, Duration::from_secs(3600));
    let flusher = subscriber.flusher();
    let dispatch = Dispatch::new(subscriber);
    let threads: Vec<_> = (0..3)
        .map(|t| {
            let dispatch = dispatch.clone();
            std::thread::spawn(move || {
                tracing::dispatcher::with_default(&dispatch, || {
                    info_span!("models.fit", t).in_scope(|| {
                        for chunk in 0..333 {
                            info_span!("fit.chunk", chunk).in_scope(|| {});
                        }
                    });
                });
            })
        })
        .collect();
    for thread in threads {
        thread.join().expect("span threads finish");
    }
    assert!(flusher.flush(PATIENCE), "flushed within {PATIENCE:?}");

    let log = recorder.log();
    let sizes: Vec<usize> = log.batches.iter().map(Vec::len).collect();
    assert!(sizes.iter().all(|&n| n <= 64), "batch sizes {sizes:?}");
    let ids: Vec<SpanId> = log.batches.iter().flatten().copied().collect();
    assert_eq!(ids.len(), 1002, "3 roots and 999 chunks");
    assert_eq!(
        ids.iter().collect::<HashSet<_>>().len(),
        ids.len(),
        "no span exported twice"
    );
    assert_eq!(flusher.ended(), 1002);
    assert_eq!(flusher.dropped(), 0);
}

/// Full batches go out on their own; the rest waits for the scheduled delay, which here is
/// an hour, so only a flush sends it.
#[test]
fn a_partial_batch_waits_for_the_delay_or_a_flush() {
    let recorder = Recorder::default();
    let subscriber = AcmSubscriber::exporting_with(recorder.clone(), 10, Duration::from_secs(3600));
    let flusher = subscriber.flusher();
    let _default = tracing::subscriber::set_default(subscriber);
    for chunk in 0..25 {
        info_span!("fit.chunk", chunk).in_scope(|| {});
    }
    assert!(
        recorder.wait(|log| log.exported() >= 20),
        "two full batches exported without a flush: {:?}",
        recorder.log().batches
    );
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(recorder.log().exported(), 20, "the partial batch waits");

    assert!(flusher.flush(PATIENCE));
    let log = recorder.log();
    assert_eq!(log.exported(), 25, "the flush sent the partial batch");
    assert_eq!(log.batches.last().map(Vec::len), Some(5));
}

/// With a short delay, a partial batch goes out without a flush.
#[test]
fn a_partial_batch_goes_out_after_the_delay() {
    let recorder = Recorder::default();
    let subscriber =
        AcmSubscriber::exporting_with(recorder.clone(), 512, Duration::from_millis(50));
    let _default = tracing::subscriber::set_default(subscriber);
    for chunk in 0..3 {
        info_span!("fit.chunk", chunk).in_scope(|| {});
    }
    assert!(
        recorder.wait(|log| log.exported() == 3),
        "exported within {PATIENCE:?}: {:?}",
        recorder.log().batches
    );
}

/// Dropping the subscriber exports what it still held, then shuts the exporter down.
#[test]
fn dropping_the_subscriber_exports_then_shuts_the_exporter_down() {
    let recorder = Recorder::default();
    let subscriber =
        AcmSubscriber::exporting_with(recorder.clone(), 512, Duration::from_secs(3600));
    tracing::subscriber::with_default(subscriber, || {
        info_span!("models.fit").in_scope(|| {
            for chunk in 0..10 {
                info_span!("fit.chunk", chunk).in_scope(|| {});
            }
        });
    });
    assert!(
        recorder.wait(|log| log.shut_down_after.is_some()),
        "the exporter was shut down within {PATIENCE:?}"
    );
    let log = recorder.log();
    assert_eq!(log.exported(), 11);
    assert_eq!(
        log.shut_down_after,
        Some(11),
        "shut down after the last export"
    );
}
