//! Finished spans on their way to the span processor.
//!
//! Closing a span only moves its record into a buffer; a collector thread turns records into
//! `SpanData` and hands them to the processor. Buffers are sharded by thread so that pushes
//! rarely meet, and are sent to the collector in batches: when one fills, when the collector
//! wakes up (every `interval`), and on [`Collector::flush`].

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender, TrySendError};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use opentelemetry::InstrumentationScope;
use opentelemetry_sdk::trace::SpanProcessor;

use crate::layer::SpanRecord;

/// Spans a shard holds before it is sent on.
const BATCH: usize = 256;
const SHARDS: usize = 16;
/// Batches waiting for the collector; beyond this, spans are dropped (and counted) rather
/// than let memory grow or the program wait.
const QUEUED_BATCHES: usize = 256;

pub(super) struct FinishedSpan {
    pub(super) record: SpanRecord,
    pub(super) end_time: crate::clock::Timestamp,
}

enum Message {
    Spans(Vec<FinishedSpan>),
    Flush(SyncSender<()>),
}

struct Shards {
    shards: Box<[Mutex<Vec<FinishedSpan>>]>,
    dropped: AtomicU64,
}

impl Shards {
    fn take(&self, shard: &Mutex<Vec<FinishedSpan>>) -> Vec<FinishedSpan> {
        std::mem::take(&mut *shard.lock().unwrap_or_else(PoisonError::into_inner))
    }

    fn send(&self, sender: &SyncSender<Message>, spans: Vec<FinishedSpan>) {
        if spans.is_empty() {
            return;
        }
        let count = spans.len() as u64;
        match sender.try_send(Message::Spans(spans)) {
            Ok(()) => {}
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => {
                self.dropped.fetch_add(count, Ordering::Relaxed);
            }
        }
    }

    fn drain(&self, sender: &SyncSender<Message>) {
        for shard in &self.shards {
            self.send(sender, self.take(shard));
        }
    }
}

/// The buffers and the sending end. Dropping it sends what the buffers hold; the collector
/// thread hands that on and exits.
pub(super) struct Collector {
    shards: Arc<Shards>,
    sender: SyncSender<Message>,
}

impl Collector {
    pub(super) fn spawn(
        processor: Arc<dyn SpanProcessor>,
        scope: InstrumentationScope,
        interval: Duration,
    ) -> Collector {
        let shards = Arc::new(Shards {
            shards: (0..SHARDS).map(|_| Mutex::new(Vec::new())).collect(),
            dropped: AtomicU64::new(0),
        });
        let (sender, receiver) = mpsc::sync_channel(QUEUED_BATCHES);
        let worker = Worker {
            shards: shards.clone(),
            processor,
            scope,
        };
        // Without the thread the receiver is gone, and every span is counted as dropped.
        let _ = std::thread::Builder::new()
            .name("acm-trace-collector".into())
            .spawn(move || worker.run(&receiver, interval));
        Collector { shards, sender }
    }

    /// Keeps a finished span until its shard is sent to the collector.
    pub(super) fn push(&self, span: FinishedSpan) {
        let shard = &self.shards.shards[shard_index()];
        let full = {
            let mut spans = shard.lock().unwrap_or_else(PoisonError::into_inner);
            if spans.capacity() == 0 {
                spans.reserve_exact(BATCH);
            }
            spans.push(span);
            (spans.len() >= BATCH).then(|| std::mem::take(&mut *spans))
        };
        if let Some(spans) = full {
            self.shards.send(&self.sender, spans);
        }
    }

    /// Sends every buffered span to the processor and waits, at most `timeout`, until the
    /// collector has handed them all on. Returns whether it finished in time.
    pub(super) fn flush(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        self.shards.drain(&self.sender);
        let (ack, acked) = mpsc::sync_channel(1);
        let mut message = Message::Flush(ack);
        loop {
            match self.sender.try_send(message) {
                Ok(()) => break,
                Err(TrySendError::Disconnected(_)) => return false,
                Err(TrySendError::Full(back)) => {
                    if Instant::now() >= deadline {
                        return false;
                    }
                    message = back;
                    std::thread::sleep(Duration::from_millis(1));
                }
            }
        }
        acked
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .is_ok()
    }

    /// Spans dropped because the collector fell behind or was gone.
    pub(super) fn dropped(&self) -> u64 {
        self.shards.dropped.load(Ordering::Relaxed)
    }
}

impl Drop for Collector {
    fn drop(&mut self) {
        self.shards.drain(&self.sender);
    }
}

struct Worker {
    shards: Arc<Shards>,
    processor: Arc<dyn SpanProcessor>,
    scope: InstrumentationScope,
}

impl Worker {
    fn run(self, receiver: &Receiver<Message>, interval: Duration) {
        loop {
            match receiver.recv_timeout(interval) {
                Ok(Message::Spans(spans)) => self.export(spans),
                Ok(Message::Flush(ack)) => {
                    let _ = ack.try_send(());
                }
                Err(RecvTimeoutError::Timeout) => {
                    for shard in &self.shards.shards {
                        self.export(self.shards.take(shard));
                    }
                }
                Err(RecvTimeoutError::Disconnected) => return,
            }
        }
    }

    fn export(&self, spans: Vec<FinishedSpan>) {
        for span in spans {
            let data = span.record.into_span_data(span.end_time, &self.scope);
            self.processor.on_end(data);
        }
    }
}

fn shard_index() -> usize {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    thread_local! {
        static SHARD: usize = NEXT.fetch_add(1, Ordering::Relaxed) % SHARDS;
    }
    SHARD.try_with(|s| *s).unwrap_or(0)
}
