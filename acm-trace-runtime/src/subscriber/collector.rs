//! Finished spans on their way to the span processor or exporter.
//!
//! Closing a span only moves its record into a buffer; a collector thread turns records into
//! `SpanData` and hands them on. Each thread pushes into a ring of its own, which only the
//! collector thread reads: a push takes no lock and no atomic read-modify-write. When a ring
//! is full, spans go to buffers shared by threads (sharded so that pushes rarely meet), and a
//! full one moves to the collector's inbox, whose size the queue bounds. The collector empties
//! the rings, the inbox and the buffers on its own schedule (every `interval`), when a ring is
//! half full or the inbox holds half the queue, and on [`Collector::flush`]: waking a sleeping
//! thread costs the waker a system call, which per span would cost more than the span itself.
//! The collector hands spans to a span processor one by one, or gathers them into export
//! batches for an exporter ([`Batcher`]).

use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender, SyncSender};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use opentelemetry::InstrumentationScope;
use opentelemetry_sdk::trace::SpanProcessor;

use super::export::Batcher;
use crate::span::SpanRecord;

/// Spans a shard holds before it is sent on (fewer when the queue is smaller).
const BATCH: usize = 256;
/// Spans a thread's ring holds (fewer when the queue is smaller): 8192 records, about 800 kB
/// of address space per thread that closes spans, taken with its first span; the pages are
/// only used as the ring fills. Half of it is what a thread may close before it wakes the
/// collector thread (a system call), and a full ring sends spans the slower shared way: a
/// thread that closes spans faster than the collector exports them needs the room.
const RING: usize = 8192;
const SHARDS: usize = 16;
/// Spans sent to the collector and not yet handed on, at most, unless configured otherwise;
/// beyond this, spans are dropped (and counted) rather than let memory grow or the program
/// wait.
pub(super) const DEFAULT_QUEUE: usize = 1 << 16;

pub(super) struct FinishedSpan {
    pub(super) record: SpanRecord,
    pub(super) end_time: crate::clock::Timestamp,
}

enum Message {
    /// The inbox holds half the queue.
    Wake,
    Flush(SyncSender<()>),
}

struct Shards {
    /// Tells this collector's rings from other collectors' in a thread's list.
    id: u64,
    /// The reading ends of the threads' rings.
    rings: Mutex<Vec<rtrb::Consumer<FinishedSpan>>>,
    shards: Box<[Mutex<Vec<FinishedSpan>>]>,
    /// Full buffers waiting for the collector thread.
    inbox: Mutex<Vec<Vec<FinishedSpan>>>,
    /// Whether a wake-up is on its way, so that one is sent per emptying of the inbox.
    woken: AtomicBool,
    /// Spans sent to the collector thread, ever.
    sent: AtomicU64,
    dropped: AtomicU64,
    /// Spans taken from a ring or a shared buffer that wait for room in the queue.
    in_hand: AtomicU64,
    /// Spans sent to the collector thread and not handed on yet.
    queued: AtomicUsize,
    limit: AtomicUsize,
}

impl Shards {
    /// Takes what a shared buffer holds, counted as sent if `sent` (by the collector thread,
    /// which hands them on itself) and as in hand for [`send`](Self::send) otherwise: under
    /// the buffer's lock, so that a span is always in a buffer or counted.
    fn take(&self, shard: &Mutex<Vec<FinishedSpan>>, sent: bool) -> Vec<FinishedSpan> {
        let mut shard = shard.lock().unwrap_or_else(PoisonError::into_inner);
        self.count_taken(shard.len(), sent);
        std::mem::take(&mut *shard)
    }

    fn count_taken(&self, count: usize, sent: bool) {
        let counter = if sent { &self.sent } else { &self.in_hand };
        counter.fetch_add(count as u64, Ordering::Relaxed);
    }

    /// Sends `spans`, counted as in hand, to the collector, waiting for room in the queue
    /// until `deadline`; what finds no room by then is dropped and counted. A deadline in the
    /// past never waits.
    fn send(&self, sender: &Sender<Message>, spans: Vec<FinishedSpan>, deadline: Instant) {
        if spans.is_empty() {
            return;
        }
        let count = spans.len();
        let queued = loop {
            let queued = self.queued.fetch_add(count, Ordering::AcqRel) + count;
            if queued <= self.limit.load(Ordering::Relaxed) {
                break queued;
            }
            self.queued.fetch_sub(count, Ordering::AcqRel);
            if Instant::now() >= deadline {
                let dropped_before = self.dropped.fetch_add(count as u64, Ordering::Relaxed);
                self.in_hand.fetch_sub(count as u64, Ordering::Relaxed);
                if dropped_before == 0 {
                    // Once per collector: dropping is allowed under overload, silently is not.
                    eprintln!(
                        "acm-trace: the span queue is full ({} spans waiting for export); \
                         spans are being dropped and counted in the shutdown report \
                         (raise OTEL_BSP_MAX_QUEUE_SIZE or AcmSubscriber::with_queue_size, \
                         or export faster)",
                        self.limit.load(Ordering::Relaxed)
                    );
                }
                return;
            }
            std::thread::sleep(Duration::from_millis(1));
        };
        self.inbox
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(spans);
        self.sent.fetch_add(count as u64, Ordering::Relaxed);
        self.in_hand.fetch_sub(count as u64, Ordering::Relaxed);
        let half = self.limit.load(Ordering::Relaxed) / 2;
        if queued > half && !self.woken.swap(true, Ordering::AcqRel) {
            let _ = sender.send(Message::Wake);
        }
    }

    /// Takes what the threads' rings hold, counted as [`take`](Self::take) counts, and
    /// forgets the rings of threads that exited once they are empty.
    fn take_rings(&self, sent: bool) -> Vec<FinishedSpan> {
        let mut rings = self.rings.lock().unwrap_or_else(PoisonError::into_inner);
        let mut taken = Vec::new();
        for ring in rings.iter_mut() {
            let ready = ring.slots();
            taken.reserve(ready);
            taken.extend(std::iter::from_fn(|| ring.pop().ok()).take(ready));
        }
        rings.retain(|r| !(r.is_abandoned() && r.is_empty()));
        self.count_taken(taken.len(), sent);
        taken
    }

    /// Spans that ended: waiting in a ring or a shared buffer, in hand, sent to the collector
    /// thread, or dropped.
    fn ended(&self) -> u64 {
        // Every lock a span moves under is held, so that none is counted twice or missed.
        let rings = self.rings.lock().unwrap_or_else(PoisonError::into_inner);
        let buffers: Vec<_> = self
            .shards
            .iter()
            .map(|shard| shard.lock().unwrap_or_else(PoisonError::into_inner))
            .collect();
        let in_rings: usize = rings.iter().map(rtrb::Consumer::slots).sum();
        let in_buffers: usize = buffers.iter().map(|buffer| buffer.len()).sum();
        let counted = self.sent.load(Ordering::Acquire)
            + self.dropped.load(Ordering::Acquire)
            + self.in_hand.load(Ordering::Acquire);
        drop(buffers);
        drop(rings);
        counted + (in_rings + in_buffers) as u64
    }

    /// Sends everything the rings and the shared buffers hold to the collector, as a flush
    /// or the subscriber's end does, so that each span is counted as sent or dropped even
    /// when the collector thread is stuck in an export.
    fn drain(&self, sender: &Sender<Message>, deadline: Instant) {
        let mut from_rings = self.take_rings(false);
        let batch = BATCH.min(self.limit.load(Ordering::Relaxed)).max(1);
        while !from_rings.is_empty() {
            let rest = from_rings.split_off(from_rings.len().saturating_sub(batch));
            self.send(sender, rest, deadline);
        }
        for shard in &self.shards {
            self.send(sender, self.take(shard, false), deadline);
        }
    }
}

/// The buffers and the sending end. Dropping it sends what the buffers hold; the collector
/// thread hands that on and exits.
pub(super) struct Collector {
    shards: Arc<Shards>,
    sender: Sender<Message>,
}

impl Collector {
    pub(super) fn spawn(sink: Sink, scope: InstrumentationScope, interval: Duration) -> Collector {
        static IDS: AtomicU64 = AtomicU64::new(1);
        let shards = Arc::new(Shards {
            id: IDS.fetch_add(1, Ordering::Relaxed),
            rings: Mutex::new(Vec::new()),
            shards: (0..SHARDS).map(|_| Mutex::new(Vec::new())).collect(),
            inbox: Mutex::new(Vec::new()),
            woken: AtomicBool::new(false),
            sent: AtomicU64::new(0),
            dropped: AtomicU64::new(0),
            in_hand: AtomicU64::new(0),
            queued: AtomicUsize::new(0),
            limit: AtomicUsize::new(DEFAULT_QUEUE),
        });
        let (sender, receiver) = mpsc::channel();
        let worker = Worker {
            shards: shards.clone(),
            sink,
            scope,
        };
        // Without the thread the receiver is gone, and every span is counted as dropped.
        let _ = std::thread::Builder::new()
            .name("acm-trace-collector".into())
            .spawn(move || worker.run(&receiver, interval));
        Collector { shards, sender }
    }

    /// Bounds the spans waiting for the collector thread (at least one).
    pub(super) fn set_queue_size(&self, spans: usize) {
        self.shards.limit.store(spans.max(1), Ordering::Relaxed);
    }

    /// Keeps a finished span until the collector thread takes it: in this thread's ring, or
    /// when that is full (or the thread is exiting), in a shared buffer.
    #[inline(always)]
    pub(super) fn push(&self, span: FinishedSpan) {
        let mut span = Some(span);
        let _ = LOCAL_RINGS.try_with(|rings| {
            let Ok(mut rings) = rings.try_borrow_mut() else {
                return;
            };
            let ring = match rings.iter().position(|r| r.collector == self.shards.id) {
                Some(at) => &mut rings[at],
                None => self.add_ring(&mut rings),
            };
            if let Some(taken) = span.take()
                && let Err(rtrb::PushError::Full(full)) = ring.producer.push(taken)
            {
                span = Some(full);
            }
            // Half full: the collector thread is woken to empty it before it overflows.
            if ring.producer.cached_slots() <= ring.half
                && !self.shards.woken.load(Ordering::Relaxed)
                && ring.producer.slots() <= ring.half
                && !self.shards.woken.swap(true, Ordering::AcqRel)
            {
                let _ = self.sender.send(Message::Wake);
            }
        });
        if let Some(span) = span {
            self.push_shared(span);
        }
    }

    /// Gives this thread a ring for this collector, and forgets rings of collectors that are
    /// gone.
    #[cold]
    fn add_ring<'a>(&self, rings: &'a mut Vec<LocalRing>) -> &'a mut LocalRing {
        rings.retain(|r| !r.producer.is_abandoned());
        let capacity = RING.min(self.shards.limit.load(Ordering::Relaxed)).max(1);
        let (producer, consumer) = rtrb::RingBuffer::new(capacity);
        self.shards
            .rings
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(consumer);
        rings.push(LocalRing {
            collector: self.shards.id,
            producer,
            half: capacity / 2,
        });
        let last = rings.len() - 1;
        &mut rings[last]
    }

    /// Keeps a finished span in a shared buffer until it is sent to the collector.
    #[cold]
    fn push_shared(&self, span: FinishedSpan) {
        let shard = &self.shards.shards[shard_index()];
        let batch = BATCH.min(self.shards.limit.load(Ordering::Relaxed));
        let full = {
            let mut spans = shard.lock().unwrap_or_else(PoisonError::into_inner);
            if spans.capacity() == 0 {
                spans.reserve_exact(batch);
            }
            spans.push(span);
            (spans.len() >= batch).then(|| {
                self.shards.count_taken(spans.len(), false);
                std::mem::take(&mut *spans)
            })
        };
        if let Some(spans) = full {
            // The instrumented program never waits for the collector.
            self.shards.send(&self.sender, spans, Instant::now());
        }
    }

    /// Sends every buffered span to the collector thread and waits, at most `timeout`, until
    /// it has handed them all on (and, to an exporter, exported them). Returns whether it
    /// finished in time.
    pub(super) fn flush(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        self.shards.drain(&self.sender, deadline);
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
        self.shards.dropped.load(Ordering::Relaxed)
    }

    /// Spans that ended: waiting in a thread's ring or a shared buffer, sent to the collector
    /// thread, or dropped.
    pub(super) fn ended(&self) -> u64 {
        self.shards.ended()
    }
}

/// How long dropping the subscriber may wait for room in the collector's queue.
const DROP_WAIT: Duration = Duration::from_secs(1);

impl Drop for Collector {
    fn drop(&mut self) {
        self.shards.drain(&self.sender, Instant::now() + DROP_WAIT);
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
    shards: Arc<Shards>,
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
            .shards
            .shards
            .iter()
            .map(|shard| self.shards.take(shard, true))
            .collect();
        for spans in swept {
            self.export(spans);
        }
        self.sink.tick();
    }

    /// Hands on what the threads' rings hold.
    fn empty_rings(&mut self) {
        let taken = self.shards.take_rings(true);
        self.export(taken);
    }

    fn empty_inbox(&mut self) {
        self.shards.woken.store(false, Ordering::Release);
        let batches = std::mem::take(
            &mut *self
                .shards
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
        self.shards.queued.fetch_sub(count, Ordering::AcqRel);
    }
}

/// The writing end of this thread's ring for one collector.
struct LocalRing {
    collector: u64,
    producer: rtrb::Producer<FinishedSpan>,
    half: usize,
}

thread_local! {
    static LOCAL_RINGS: RefCell<Vec<LocalRing>> = const { RefCell::new(Vec::new()) };
}

fn shard_index() -> usize {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    thread_local! {
        static SHARD: usize = NEXT.fetch_add(1, Ordering::Relaxed) % SHARDS;
    }
    SHARD.try_with(|s| *s).unwrap_or(0)
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

    /// A collector stuck behind its processor drops what does not fit and says so; every
    /// span is either handed on or counted as dropped, and pushing never waits.
    #[test]
    fn a_stuck_collector_drops_and_counts_without_blocking() {
        let gate = Arc::new(Gate::default());
        let collector = Collector::spawn(
            Sink::Processor(gate.clone()),
            InstrumentationScope::builder("test").build(),
            Duration::from_secs(3600),
        );
        collector.set_queue_size(1000);
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

    /// With the collector thread stuck in an export, a flush still takes every span out of
    /// the threads' rings (threads that exited included): each is counted as sent or
    /// dropped, none is left uncounted.
    #[test]
    fn a_flush_counts_what_the_rings_hold_while_the_collector_is_stuck() {
        let gate = Arc::new(Gate::default());
        let collector = Collector::spawn(
            Sink::Processor(gate.clone()),
            InstrumentationScope::builder("test").build(),
            Duration::from_secs(3600),
        );
        collector.set_queue_size(1000);
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
