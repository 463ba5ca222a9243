//! What waits for the collector thread: each thread's ring of finished spans (its writing
//! end kept by the thread, the reading ends here), the buffers threads share when a ring is
//! full, and the inbox of full buffers, bounded by the queue size. Every span that ended is
//! in one of them, in hand on its way to the inbox, sent, or dropped, and counted as such.

use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{Sender, SyncSender};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::span::SpanRecord;

/// Spans a shard holds before it is sent on (fewer when the queue is smaller).
pub(super) const BATCH: usize = 256;
/// Spans a thread's ring holds (fewer when the queue is smaller): 8192 records, about 800 kB
/// of address space per thread that closes spans, taken with its first span; the pages are
/// only used as the ring fills. Half of it is what a thread may close before it wakes the
/// collector thread (a system call), and a full ring sends spans the slower shared way: a
/// thread that closes spans faster than the collector exports them needs the room.
pub(super) const RING: usize = 8192;
const SHARDS: usize = 16;
/// Spans sent to the collector and not yet handed on, at most, unless configured otherwise;
/// beyond this, spans are dropped (and counted) rather than let memory grow or the program
/// wait.
const DEFAULT_QUEUE: usize = 1 << 16;

pub(super) struct FinishedSpan {
    pub(super) record: SpanRecord,
    pub(super) end_time: crate::clock::Timestamp,
}

pub(super) enum Message {
    /// The inbox holds half the queue.
    Wake,
    Flush(SyncSender<()>),
}

pub(super) struct Queue {
    /// Tells this collector's rings from other collectors' in a thread's list.
    pub(super) id: u64,
    /// The reading ends of the threads' rings.
    pub(super) rings: Mutex<Vec<rtrb::Consumer<FinishedSpan>>>,
    pub(super) shards: Box<[Mutex<Vec<FinishedSpan>>]>,
    /// Full buffers waiting for the collector thread.
    pub(super) inbox: Mutex<Vec<Vec<FinishedSpan>>>,
    /// Whether a wake-up is on its way, so that one is sent per emptying of the inbox.
    pub(super) woken: AtomicBool,
    /// Spans sent to the collector thread, ever.
    pub(super) sent: AtomicU64,
    pub(super) dropped: AtomicU64,
    /// Spans taken from a ring or a shared buffer that wait for room in the queue.
    pub(super) in_hand: AtomicU64,
    /// Spans sent to the collector thread and not handed on yet.
    pub(super) queued: AtomicUsize,
    pub(super) limit: AtomicUsize,
}

impl Queue {
    pub(super) fn new() -> Queue {
        static IDS: AtomicU64 = AtomicU64::new(1);
        Queue {
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
        }
    }

    /// Takes what a shared buffer holds, counted as sent if `sent` (by the collector thread,
    /// which hands them on itself) and as in hand for [`send`](Self::send) otherwise: under
    /// the buffer's lock, so that a span is always in a buffer or counted.
    pub(super) fn take(&self, shard: &Mutex<Vec<FinishedSpan>>, sent: bool) -> Vec<FinishedSpan> {
        let mut shard = shard.lock().unwrap_or_else(PoisonError::into_inner);
        self.count_taken(shard.len(), sent);
        std::mem::take(&mut *shard)
    }

    pub(super) fn count_taken(&self, count: usize, sent: bool) {
        let counter = if sent { &self.sent } else { &self.in_hand };
        counter.fetch_add(count as u64, Ordering::Relaxed);
    }

    /// Sends `spans`, counted as in hand, to the collector, waiting for room in the queue
    /// until `deadline`; what finds no room by then is dropped and counted. A deadline in the
    /// past never waits.
    pub(super) fn send(
        &self,
        sender: &Sender<Message>,
        spans: Vec<FinishedSpan>,
        deadline: Instant,
    ) {
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

    /// Takes what the threads' rings hold, counted as sent (the collector thread hands them
    /// on itself), and forgets the rings of threads that exited once they are empty.
    pub(super) fn take_rings(&self) -> Vec<FinishedSpan> {
        let mut rings = self.rings.lock().unwrap_or_else(PoisonError::into_inner);
        let mut taken = Vec::new();
        for ring in rings.iter_mut() {
            let ready = ring.slots();
            taken.reserve(ready);
            taken.extend(std::iter::from_fn(|| ring.pop().ok()).take(ready));
        }
        rings.retain(|r| !(r.is_abandoned() && r.is_empty()));
        // Under the lock, so that a span is always in a ring or counted.
        self.count_taken(taken.len(), true);
        taken
    }

    /// Spans that ended: waiting in a ring or a shared buffer, in hand, sent to the collector
    /// thread, or dropped.
    pub(super) fn ended(&self) -> u64 {
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

    /// Sends what the shared buffers hold to the collector thread, as a flush or the
    /// subscriber's end does. (The rings are the collector thread's to empty: a flush asks it
    /// to, and what it cannot take is still counted where it waits.)
    pub(super) fn drain(&self, sender: &Sender<Message>, deadline: Instant) {
        for shard in &self.shards {
            self.send(sender, self.take(shard, false), deadline);
        }
    }
}

/// What became of a span pushed into this thread's ring.
pub(super) enum Pushed {
    /// It is in the ring.
    Kept,
    /// It is in the ring, which may be half full: the collector thread may need waking.
    HalfFull,
    /// The thread has no ring for this collector, or it is full, or the thread is exiting.
    Refused(FinishedSpan),
}

/// Pushes `span` into this thread's ring for the collector `queue_id`, if the thread has one
/// with room. Needs nothing of the collector but its id, so a span can be closed without
/// looking its subscriber up.
#[inline(always)]
pub(super) fn push_to_ring(queue_id: u64, span: FinishedSpan) -> Pushed {
    let mut span = Some(span);
    let half_full = LOCAL_RINGS.try_with(|rings| {
        let mut rings = rings.try_borrow_mut().ok()?;
        let ring = rings.iter_mut().find(|r| r.collector == queue_id)?;
        match ring.producer.push(span.take()?) {
            Ok(()) => Some(ring.producer.cached_slots() <= ring.half),
            Err(rtrb::PushError::Full(full)) => {
                span = Some(full);
                None
            }
        }
    });
    match span {
        Some(span) => Pushed::Refused(span),
        None if matches!(half_full, Ok(Some(true))) => Pushed::HalfFull,
        None => Pushed::Kept,
    }
}

/// The writing end of this thread's ring for one collector.
pub(super) struct LocalRing {
    pub(super) collector: u64,
    pub(super) producer: rtrb::Producer<FinishedSpan>,
    pub(super) half: usize,
}

thread_local! {
    pub(super) static LOCAL_RINGS: RefCell<Vec<LocalRing>> = const { RefCell::new(Vec::new()) };
}

pub(super) fn shard_index() -> usize {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    thread_local! {
        static SHARD: usize = NEXT.fetch_add(1, Ordering::Relaxed) % SHARDS;
    }
    SHARD.try_with(|s| *s).unwrap_or(0)
}
