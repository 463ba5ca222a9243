//! Finished spans on their way to the span processor or exporter.
//!
//! Closing a span only moves its record into a buffer; a collector thread turns records into
//! `SpanData` and hands them on. Each thread pushes into a ring of its own, which the
//! collector thread empties (and a flush, under the same lock): a push takes no lock and no
//! atomic read-modify-write. When a ring is full, spans go to buffers shared by threads
//! (sharded so that pushes rarely meet), and a full one moves to the collector's inbox, whose
//! size the queue bounds (all of which is in `queue.rs`). The collector empties
//! the rings, the inbox and the buffers on its own schedule (every `interval`), when a ring is
//! half full or the inbox holds half the queue, and on [`Collector::flush`]: waking a sleeping
//! thread costs the waker a system call, which per span would cost more than the span itself.
//! The collector hands spans to a span processor one by one, or gathers them into export
//! batches for an exporter ([`Batcher`]).

use std::sync::atomic::Ordering;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, PoisonError};
use std::time::{Duration, Instant};

use opentelemetry::InstrumentationScope;
use opentelemetry_sdk::trace::SpanProcessor;

use super::export::Batcher;
pub(super) use super::queue::FinishedSpan;
use super::queue::{
    BATCH, LOCAL_RINGS, LocalRing, Message, Pushed, Queue, RING, push_to_ring, shard_index,
};

/// The buffers and the sending end. Dropping it sends what the buffers hold; the collector
/// thread hands that on and exits.
pub(super) struct Collector {
    queue: Arc<Queue>,
    sender: Sender<Message>,
}

impl Collector {
    pub(super) fn spawn(sink: Sink, scope: InstrumentationScope, interval: Duration) -> Collector {
        let queue = Arc::new(Queue::new());
        let (sender, receiver) = mpsc::channel();
        let worker = Worker {
            queue: queue.clone(),
            sink,
            scope,
        };
        // Without the thread the receiver is gone, and every span is counted as dropped.
        let _ = std::thread::Builder::new()
            .name("acm-trace-collector".into())
            .spawn(move || worker.run(&receiver, interval));
        Collector { queue, sender }
    }

    /// Bounds the spans waiting for the collector thread (at least one).
    pub(super) fn set_queue_size(&self, spans: usize) {
        self.queue.limit.store(spans.max(1), Ordering::Relaxed);
    }

    /// The id that tells this collector's rings apart, which also names its subscriber.
    pub(super) fn id(&self) -> u64 {
        self.queue.id
    }

    /// Keeps a finished span until the collector thread takes it: in this thread's ring, or
    /// when that is full (or the thread is exiting), in a shared buffer.
    #[inline(always)]
    pub(super) fn push(&self, span: FinishedSpan) {
        self.pushed(push_to_ring(self.queue.id, span));
    }

    /// Finishes what [`push_to_ring`] could not do alone.
    #[inline]
    pub(super) fn pushed(&self, pushed: Pushed) {
        match pushed {
            Pushed::Kept => {}
            Pushed::HalfFull => self.wake_if_half_full(),
            Pushed::Refused(span) => self.push_slow(span),
        }
    }

    /// Wakes the collector thread to empty this thread's ring before it overflows, once per
    /// emptying, if the ring really is half full (what the pushing side knew of the
    /// collector's progress may be old).
    #[cold]
    fn wake_if_half_full(&self) {
        if self.queue.woken.load(Ordering::Relaxed) {
            return;
        }
        let half_full = LOCAL_RINGS
            .try_with(|rings| {
                let rings = rings.try_borrow().ok()?;
                let ring = rings.iter().find(|r| r.collector == self.queue.id)?;
                Some(ring.producer.slots() <= ring.half)
            })
            .ok()
            .flatten()
            .unwrap_or(false);
        if half_full && !self.queue.woken.swap(true, Ordering::AcqRel) {
            let _ = self.sender.send(Message::Wake);
        }
    }

    /// A span the thread's ring refused: the thread gets a ring if it has none, and the span
    /// goes there, or to a shared buffer.
    #[cold]
    fn push_slow(&self, span: FinishedSpan) {
        let has_ring = LOCAL_RINGS
            .try_with(|rings| {
                let Ok(mut rings) = rings.try_borrow_mut() else {
                    return false;
                };
                if !rings.iter().any(|r| r.collector == self.queue.id) {
                    self.add_ring(&mut rings);
                    return true;
                }
                false
            })
            .unwrap_or(false);
        if has_ring {
            // A new ring has room.
            if let Pushed::Refused(span) = push_to_ring(self.queue.id, span) {
                self.push_shared(span);
            }
        } else {
            self.push_shared(span);
        }
    }

    /// Gives this thread a ring for this collector, and forgets rings of collectors that are
    /// gone.
    #[cold]
    fn add_ring(&self, rings: &mut Vec<LocalRing>) {
        rings.retain(|r| !r.producer.is_abandoned());
        let capacity = RING.min(self.queue.limit.load(Ordering::Relaxed)).max(1);
        let (producer, consumer) = rtrb::RingBuffer::new(capacity);
        self.queue
            .rings
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(consumer);
        rings.push(LocalRing {
            collector: self.queue.id,
            producer,
            half: capacity / 2,
        });
    }

    /// Keeps a finished span in a shared buffer until it is sent to the collector.
    #[cold]
    fn push_shared(&self, span: FinishedSpan) {
        let shard = &self.queue.shards[shard_index()];
        let batch = BATCH.min(self.queue.limit.load(Ordering::Relaxed));
        let full = {
            let mut spans = shard.lock().unwrap_or_else(PoisonError::into_inner);
            if spans.capacity() == 0 {
                spans.reserve_exact(batch);
            }
            spans.push(span);
            (spans.len() >= batch).then(|| {
                self.queue.count_taken(spans.len(), false);
                std::mem::take(&mut *spans)
            })
        };
        if let Some(spans) = full {
            // The instrumented program never waits for the collector.
            self.queue.send(&self.sender, spans, Instant::now());
        }
    }

    /// Sends every buffered span to the collector thread and waits, at most `timeout`, until
    /// it has handed them all on (and, to an exporter, exported them). Returns whether it
    /// finished in time.
    pub(super) fn flush(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        self.queue.drain(&self.sender, deadline);
        let (ack, acked) = mpsc::sync_channel(1);
        if self.sender.send(Message::Flush(ack)).is_err() {
            return false;
        }
        acked
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .is_ok()
    }

    /// Spans dropped because the collector fell behind or was gone.
    pub(super) fn dropped(&self) -> u64 {
        self.queue.dropped.load(Ordering::Relaxed)
    }

    /// Spans that ended: waiting in a thread's ring or a shared buffer, sent to the collector
    /// thread, or dropped.
    pub(super) fn ended(&self) -> u64 {
        self.queue.ended()
    }
}

/// How long dropping the subscriber may wait for room in the collector's queue.
const DROP_WAIT: Duration = Duration::from_secs(1);

impl Drop for Collector {
    fn drop(&mut self) {
        self.queue.drain(&self.sender, Instant::now() + DROP_WAIT);
    }
}

/// Where the collector hands finished spans.
pub(super) enum Sink {
    /// One by one, to a span processor.
    Processor(Arc<dyn SpanProcessor>),
    /// In export batches, to an exporter.
    Exporter(Batcher),
}

/// How long the collector may take to shut down an exporter it owns.
const EXPORTER_SHUTDOWN: Duration = Duration::from_secs(5);

impl Sink {
    fn take(&mut self, span: opentelemetry_sdk::trace::SpanData) {
        match self {
            Sink::Processor(processor) => processor.on_end(span),
            Sink::Exporter(batcher) => batcher.push(span),
        }
    }

    fn flush(&mut self) {
        if let Sink::Exporter(batcher) = self {
            batcher.export_pending();
        }
    }

    fn tick(&mut self) {
        if let Sink::Exporter(batcher) = self {
            batcher.tick();
        }
    }

    fn finish(&mut self) {
        if let Sink::Exporter(batcher) = self {
            batcher.finish(EXPORTER_SHUTDOWN);
        }
    }
}

struct Worker {
    queue: Arc<Queue>,
    sink: Sink,
    scope: InstrumentationScope,
}

impl Worker {
    fn run(mut self, receiver: &Receiver<Message>, interval: Duration) {
        // Calibrates the span clock and anchors it here, off the program's own threads.
        let _ = crate::clock::Timestamp::now().to_system_time();
        let mut next_sweep = Instant::now() + interval;
        loop {
            let message =
                receiver.recv_timeout(next_sweep.saturating_duration_since(Instant::now()));
            self.empty_inbox();
            self.empty_rings();
            match message {
                Ok(Message::Wake) | Err(RecvTimeoutError::Timeout) => {}
                Ok(Message::Flush(ack)) => {
                    self.sink.flush();
                    let _ = ack.try_send(());
                }
                Err(RecvTimeoutError::Disconnected) => {
                    self.sink.finish();
                    return;
                }
            }
            if Instant::now() >= next_sweep {
                self.sweep();
                next_sweep = Instant::now() + interval;
            }
        }
    }

    /// Hands on what the threads' buffers hold, full or not, and exports a batch whose delay
    /// has passed.
    fn sweep(&mut self) {
        let swept: Vec<Vec<FinishedSpan>> = self
            .queue
            .shards
            .iter()
            .map(|shard| self.queue.take(shard, true))
            .collect();
        for spans in swept {
            self.export(spans);
        }
        self.sink.tick();
    }

    /// Hands on what the threads' rings hold.
    fn empty_rings(&mut self) {
        let taken = self.queue.take_rings();
        self.export(taken);
    }

    fn empty_inbox(&mut self) {
        self.queue.woken.store(false, Ordering::Release);
        let batches = std::mem::take(
            &mut *self
                .queue
                .inbox
                .lock()
                .unwrap_or_else(PoisonError::into_inner),
        );
        for spans in batches {
            self.export_queued(spans);
        }
    }

    fn export(&mut self, spans: Vec<FinishedSpan>) {
        for span in spans {
            let data = span.record.into_span_data(span.end_time, &self.scope);
            self.sink.take(data);
        }
    }

    fn export_queued(&mut self, spans: Vec<FinishedSpan>) {
        let count = spans.len();
        self.export(spans);
        self.queue.queued.fetch_sub(count, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use crate::span::test_metadata::META;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::{Arc, Condvar, Mutex};
    use std::time::Duration;

    use opentelemetry::InstrumentationScope;
    use opentelemetry::trace::{SpanId, TraceId};
    use opentelemetry_sdk::error::OTelSdkResult;
    use opentelemetry_sdk::trace::{SpanData, SpanProcessor};

    use super::{Collector, FinishedSpan, Sink};
    use crate::clock::Timestamp;
    use crate::span::SpanRecord;

    /// Counts spans, and holds the collector in its first `on_end` until opened.
    #[derive(Debug, Default)]
    struct Gate {
        open: Mutex<bool>,
        opened: Condvar,
        ended: AtomicU64,
    }

    impl Gate {
        fn open(&self) {
            *self.open.lock().unwrap() = true;
            self.opened.notify_all();
        }
    }

    impl SpanProcessor for Gate {
        fn on_start(&self, _: &mut opentelemetry_sdk::trace::Span, _: &opentelemetry::Context) {}

        fn on_end(&self, _: SpanData) {
            let open = self.open.lock().unwrap();
            drop(self.opened.wait_while(open, |open| !*open).unwrap());
            self.ended.fetch_add(1, Ordering::Relaxed);
        }

        fn force_flush(&self) -> OTelSdkResult {
            Ok(())
        }

        fn shutdown_with_timeout(&self, _: Duration) -> OTelSdkResult {
            Ok(())
        }
    }

    fn span(n: u64) -> FinishedSpan {
        FinishedSpan {
            record: SpanRecord::new(
                &META,
                TraceId::from(u128::from(n) + 1),
                SpanId::from(n + 1),
                SpanId::INVALID,
                true,
            ),
            end_time: Timestamp::now(),
        }
    }

    /// A collector whose processor holds it in its first span until the gate opens, with a
    /// queue of `queue` spans.
    fn stuck_collector(queue: usize) -> (Arc<Gate>, Collector) {
        let gate = Arc::new(Gate::default());
        let collector = Collector::spawn(
            Sink::Processor(gate.clone()),
            InstrumentationScope::builder("test").build(),
            Duration::from_secs(3600),
        );
        collector.set_queue_size(queue);
        (gate, collector)
    }

    /// A collector stuck behind its processor drops what does not fit and says so; every
    /// span is either handed on or counted as dropped, and pushing never waits.
    #[test]
    fn a_stuck_collector_drops_and_counts_without_blocking() {
        let (gate, collector) = stuck_collector(1000);
        let pushed = 5000;
        for n in 0..pushed {
            collector.push(span(n));
        }
        assert!(
            collector.dropped() > 0,
            "the queue holds less than was pushed"
        );
        gate.open();
        assert!(collector.flush(Duration::from_secs(30)), "flushed in time");
        assert_eq!(
            gate.ended.load(Ordering::Relaxed) + collector.dropped(),
            pushed
        );
    }

    /// With the collector thread stuck in an export, every span is counted while it waits:
    /// in a thread's ring (threads that exited included), a shared buffer, the queue, or as
    /// dropped; none is left uncounted.
    #[test]
    fn a_flush_counts_what_the_rings_hold_while_the_collector_is_stuck() {
        let (gate, collector) = stuck_collector(1000);
        std::thread::scope(|s| {
            for t in 0..3 {
                let collector = &collector;
                s.spawn(move || {
                    for n in 0..2000 {
                        collector.push(span(t * 10_000 + n));
                    }
                });
            }
        });
        assert!(
            !collector.flush(Duration::from_millis(200)),
            "the collector is stuck"
        );
        assert_eq!(collector.ended(), 6000, "every span sent or dropped");
        gate.open();
        assert!(collector.flush(Duration::from_secs(30)), "flushed in time");
        assert_eq!(
            gate.ended.load(Ordering::Relaxed) + collector.dropped(),
            6000
        );
    }

    /// Spans still in the buffers are handed on by a flush, in time, none dropped.
    #[test]
    fn flush_hands_on_partial_buffers() {
        let gate = Arc::new(Gate::default());
        gate.open();
        let collector = Collector::spawn(
            Sink::Processor(gate.clone()),
            InstrumentationScope::builder("test").build(),
            Duration::from_secs(3600),
        );
        for n in 0..10 {
            collector.push(span(n));
        }
        assert!(collector.flush(Duration::from_secs(30)));
        assert_eq!(gate.ended.load(Ordering::Relaxed), 10);
        assert_eq!(collector.dropped(), 0);
    }
}
