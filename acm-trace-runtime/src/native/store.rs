//! Where open spans live: one process-wide arena of slots, addressed by index and generation.
//!
//! A span id is `generation << 32 | (index + 1)`. Slots are allocated in chunks that are never
//! freed, so any id, even one from another subscriber, points at memory that exists; a slot's
//! generation is odd while it holds a span and changes when the span is closed, so a stale
//! id is refused. A span's ids and metadata are atomics read under the generation (as in a
//! sequence lock), which makes looking up an id of unknown origin, an explicit parent, safe.
//! Only its record sits in an `UnsafeCell`, reached with ids of spans the caller holds, which
//! is all `tracing` ever passes for recording, cloning and closing.
//!
//! Free slots are kept per thread, so opening and closing a span takes no lock; a thread
//! returns its surplus, and all of them when it exits, to a shared list.

use std::cell::{RefCell, UnsafeCell};
use std::mem::MaybeUninit;
use std::sync::atomic::{
    AtomicBool, AtomicPtr, AtomicU32, AtomicU64, AtomicUsize, Ordering, fence,
};
use std::sync::{LazyLock, Mutex, PoisonError};

use opentelemetry::trace::{SpanId, TraceId};
use tracing_core::Metadata;

use crate::SpanIds;
use crate::layer::SpanRecord;

const CHUNK: usize = 1024;
const MAX_CHUNKS: usize = 16 * 1024;
/// Free slots a thread keeps; beyond this it hands half to the shared list.
const LOCAL_MAX: usize = 512;
/// Free slots a thread takes from the shared list at once.
const REFILL: usize = 64;

struct Slot {
    /// Odd while the slot holds a span.
    generation: AtomicU32,
    /// Handles to the span (`tracing::Span` clones); the span ends when the last one drops.
    refs: AtomicUsize,
    trace_id: [AtomicU64; 2],
    span_id: AtomicU64,
    sampled: AtomicBool,
    meta: AtomicPtr<Metadata<'static>>,
    /// Initialised while the generation is odd.
    record: UnsafeCell<MaybeUninit<Mutex<SpanRecord>>>,
}

// SAFETY: `record` is written only by the thread that took the slot off a free list, and read
// only while the span is open by holders of its handles, through the mutex; the rest are
// atomics.
unsafe impl Sync for Slot {}

impl Slot {
    fn empty() -> Self {
        Slot {
            generation: AtomicU32::new(0),
            refs: AtomicUsize::new(0),
            trace_id: [AtomicU64::new(0), AtomicU64::new(0)],
            span_id: AtomicU64::new(0),
            sampled: AtomicBool::new(false),
            meta: AtomicPtr::new(std::ptr::null_mut()),
            record: UnsafeCell::new(MaybeUninit::uninit()),
        }
    }
}

pub(super) struct Store {
    chunks: Box<[AtomicPtr<Slot>]>,
    /// Slots never used yet start here.
    fresh: AtomicUsize,
    free: Mutex<Vec<u32>>,
}

pub(super) static STORE: LazyLock<Store> = LazyLock::new(|| Store {
    chunks: (0..MAX_CHUNKS)
        .map(|_| AtomicPtr::new(std::ptr::null_mut()))
        .collect(),
    fresh: AtomicUsize::new(0),
    free: Mutex::new(Vec::new()),
});

/// This thread's free slots; given back to the shared list when the thread exits.
struct LocalFree(Vec<u32>);

impl Drop for LocalFree {
    fn drop(&mut self) {
        STORE.give_back(std::mem::take(&mut self.0));
    }
}

thread_local! {
    static LOCAL: RefCell<LocalFree> = const { RefCell::new(LocalFree(Vec::new())) };
}

/// The index and generation an id names, if it can name a slot at all.
fn split(id: u64) -> Option<(usize, u32)> {
    let index = usize::try_from((id & u64::from(u32::MAX)).checked_sub(1)?).ok()?;
    let generation = u32::try_from(id >> 32).ok()?;
    Some((index, generation))
}

/// A span as seen through its id: what can be read safely whatever the id's origin.
#[derive(Clone, Copy)]
pub(super) struct Header {
    pub(super) ids: SpanIds,
    pub(super) meta: &'static Metadata<'static>,
}

impl Store {
    fn slot(&self, index: usize) -> Option<&Slot> {
        let chunk = self.chunks.get(index / CHUNK)?.load(Ordering::Acquire);
        if chunk.is_null() {
            return None;
        }
        // SAFETY: chunks are `CHUNK` slots long and never freed.
        Some(unsafe { &*chunk.add(index % CHUNK) })
    }

    fn chunk_for(&self, index: usize) -> Option<()> {
        let entry = self.chunks.get(index / CHUNK)?;
        if !entry.load(Ordering::Acquire).is_null() {
            return Some(());
        }
        let chunk: Box<[Slot]> = (0..CHUNK).map(|_| Slot::empty()).collect();
        let chunk = Box::into_raw(chunk).cast::<Slot>();
        if entry
            .compare_exchange(
                std::ptr::null_mut(),
                chunk,
                Ordering::AcqRel,
                Ordering::Acquire,
            )
            .is_err()
        {
            // Another thread installed this chunk first.
            // SAFETY: `chunk` came from `Box::into_raw` of a `CHUNK`-long slice just above and
            // was never shared.
            drop(unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(chunk, CHUNK)) });
        }
        Some(())
    }

    fn take_free(&self) -> Option<u32> {
        let local = LOCAL.try_with(|local| {
            let mut local = local.borrow_mut();
            if local.0.is_empty() {
                let mut free = self.free.lock().unwrap_or_else(PoisonError::into_inner);
                let keep = free.len().saturating_sub(REFILL);
                local.0.extend(free.drain(keep..));
            }
            local.0.pop()
        });
        let index = match local {
            Ok(index) => index,
            Err(_) => self
                .free
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .pop(),
        };
        if index.is_some() {
            return index;
        }
        let index = self.fresh.fetch_add(1, Ordering::Relaxed);
        if index >= CHUNK * MAX_CHUNKS {
            return None;
        }
        self.chunk_for(index)?;
        u32::try_from(index).ok()
    }

    fn put_free(&self, index: u32) {
        let surplus = LOCAL.try_with(|local| {
            let mut local = local.borrow_mut();
            local.0.push(index);
            (local.0.len() > LOCAL_MAX).then(|| local.0.split_off(LOCAL_MAX / 2))
        });
        match surplus {
            Ok(Some(surplus)) => self.give_back(surplus),
            Ok(None) => {}
            Err(_) => self.give_back(vec![index]),
        }
    }

    fn give_back(&self, indices: Vec<u32>) {
        if !indices.is_empty() {
            self.free
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .extend(indices);
        }
    }

    /// Keeps an open span with one handle; `None` when 16 million spans are open.
    pub(super) fn insert(
        &self,
        ids: SpanIds,
        meta: &'static Metadata<'static>,
        record: SpanRecord,
    ) -> Option<u64> {
        self.insert_with(ids, meta, || record)
    }

    /// As [`insert`](Self::insert), with the record made by `record` where it is kept rather
    /// than made elsewhere and copied there.
    #[inline(always)]
    pub(super) fn insert_with(
        &self,
        ids: SpanIds,
        meta: &'static Metadata<'static>,
        record: impl FnOnce() -> SpanRecord,
    ) -> Option<u64> {
        let index = self.take_free()?;
        let slot = self.slot(index as usize)?;
        // SAFETY: the index came off a free list, so this thread alone uses the slot until
        // the new generation is published.
        unsafe { (*slot.record.get()).write(Mutex::new(record())) };
        // Readers that see any of the values below also see that the old generation ended.
        fence(Ordering::Release);
        let trace = u128::from_be_bytes(ids.trace_id.to_bytes());
        slot.trace_id[0].store((trace >> 64) as u64, Ordering::Relaxed);
        slot.trace_id[1].store(trace as u64, Ordering::Relaxed);
        slot.span_id.store(
            u64::from_be_bytes(ids.span_id.to_bytes()),
            Ordering::Relaxed,
        );
        slot.sampled.store(ids.sampled, Ordering::Relaxed);
        slot.meta
            .store(std::ptr::from_ref(meta).cast_mut(), Ordering::Relaxed);
        slot.refs.store(1, Ordering::Relaxed);
        let generation = slot.generation.load(Ordering::Relaxed).wrapping_add(1);
        slot.generation.store(generation, Ordering::Release);
        Some((u64::from(generation) << 32) | (u64::from(index) + 1))
    }

    /// The ids and metadata of span `id` if it is open; any id is safe to ask about.
    pub(super) fn header(&self, id: u64) -> Option<Header> {
        let (index, generation) = split(id)?;
        let slot = self.slot(index)?;
        if generation % 2 == 0 || slot.generation.load(Ordering::Acquire) != generation {
            return None;
        }
        let trace = (u128::from(slot.trace_id[0].load(Ordering::Relaxed)) << 64)
            | u128::from(slot.trace_id[1].load(Ordering::Relaxed));
        let span_id = slot.span_id.load(Ordering::Relaxed);
        let sampled = slot.sampled.load(Ordering::Relaxed);
        let meta = slot.meta.load(Ordering::Relaxed);
        fence(Ordering::Acquire);
        if slot.generation.load(Ordering::Relaxed) != generation || meta.is_null() {
            return None;
        }
        Some(Header {
            ids: SpanIds {
                trace_id: TraceId::from(trace),
                span_id: SpanId::from(span_id),
                sampled,
            },
            // SAFETY: only `&'static Metadata` is ever stored.
            meta: unsafe { &*meta },
        })
    }

    /// The open slot of span `id`, which the caller holds a handle to.
    fn open_slot(&self, id: u64) -> Option<&Slot> {
        let (index, generation) = split(id)?;
        let slot = self.slot(index)?;
        (generation % 2 == 1 && slot.generation.load(Ordering::Acquire) == generation)
            .then_some(slot)
    }

    /// Runs `f` on the record of span `id`, which the caller holds a handle to.
    pub(super) fn with_record(&self, id: u64, f: impl FnOnce(&mut SpanRecord)) {
        if let Some(slot) = self.open_slot(id) {
            // SAFETY: the span is open (its generation is current) and stays open while the
            // caller holds its handle, so the record is initialised.
            let record = unsafe { (*slot.record.get()).assume_init_ref() };
            f(&mut record.lock().unwrap_or_else(PoisonError::into_inner));
        }
    }

    /// One more handle to span `id`.
    pub(super) fn retain(&self, id: u64) {
        if let Some(slot) = self.open_slot(id) {
            slot.refs.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// One handle fewer. When it was the last, the span is closed and its record returned
    /// (`Some(None)` when nothing was recorded because the span is not sampled).
    #[cfg(test)]
    pub(super) fn release(&self, id: u64) -> Option<Option<SpanRecord>> {
        let mut closed = None;
        self.release_with(id, |record| closed = Some(record))?
            .then_some(closed)
    }

    /// One handle fewer. When it was the last, the span is closed and `f` is given its record
    /// if it is sampled; returns whether the span closed. Handing the record to `f` in place,
    /// rather than returning it, lets it move from the slot straight to where `f` puts it.
    #[inline(always)]
    pub(super) fn release_with(&self, id: u64, f: impl FnOnce(SpanRecord)) -> Option<bool> {
        let (index, generation) = split(id)?;
        let slot = self.open_slot(id)?;
        if slot.refs.fetch_sub(1, Ordering::Release) != 1 {
            return Some(false);
        }
        fence(Ordering::Acquire);
        let sampled = slot.sampled.load(Ordering::Relaxed);
        // SAFETY: the last handle is gone, so nothing else reads the record, and it is
        // initialised because the generation is still the one it was written under.
        let record = unsafe { (*slot.record.get()).assume_init_read() };
        slot.generation
            .store(generation.wrapping_add(1), Ordering::Release);
        self.put_free(u32::try_from(index).ok()?);
        if sampled {
            f(record.into_inner().unwrap_or_else(PoisonError::into_inner));
        }
        Some(true)
    }
}

#[cfg(test)]
mod tests {
    use opentelemetry::trace::{SpanId, TraceId};

    use super::STORE;
    use crate::SpanIds;
    use crate::layer::SpanRecord;

    static META: tracing_core::Metadata<'static> = tracing_core::metadata! {
        name: "store.test",
        target: "store",
        level: tracing_core::Level::INFO,
        fields: &[],
        callsite: &CALLSITE,
        kind: tracing_core::metadata::Kind::SPAN,
    };
    struct Callsite;
    impl tracing_core::Callsite for Callsite {
        fn set_interest(&self, _: tracing_core::subscriber::Interest) {}
        fn metadata(&self) -> &tracing_core::Metadata<'_> {
            &META
        }
    }
    static CALLSITE: Callsite = Callsite;

    fn open(n: u64) -> u64 {
        let ids = SpanIds {
            trace_id: TraceId::from(u128::from(n) << 64 | 7),
            span_id: SpanId::from(n + 1),
            sampled: true,
        };
        let record = SpanRecord::new(ids.trace_id, ids.span_id, SpanId::INVALID, true);
        STORE.insert(ids, &META, record).expect("room for a span")
    }

    /// A closed span's id no longer names anything, even once its slot holds another span.
    #[test]
    fn stale_and_foreign_ids_are_refused() {
        let id = open(1);
        let header = STORE.header(id).expect("open span");
        assert_eq!(header.ids.span_id, SpanId::from(2));
        assert_eq!(header.ids.trace_id, TraceId::from(1u128 << 64 | 7));
        assert!(STORE.release(id).expect("last handle").is_some());
        let reused = open(2);
        assert!(STORE.header(id).is_none(), "stale id");
        STORE.retain(id);
        assert!(STORE.release(id).is_none(), "a stale id closes nothing");
        assert!(STORE.header(reused).is_some());
        for foreign in [1, 2, 3, u64::MAX, 1 << 40, (1 << 33) | 5] {
            let _ = STORE.header(foreign);
        }
        assert!(STORE.release(reused).expect("last handle").is_some());
    }

    /// Handles count: the span closes with the last one.
    #[test]
    fn the_last_handle_closes() {
        let id = open(3);
        STORE.retain(id);
        assert!(STORE.release(id).is_none());
        assert!(STORE.header(id).is_some());
        assert!(STORE.release(id).is_some());
        assert!(STORE.header(id).is_none());
    }

    /// Spans opened on some threads and closed on others, while a reader keeps looking up
    /// ids of every age: each id reads its own span's ids or nothing.
    #[test]
    fn threads_open_close_and_look_up_concurrently() {
        let (sender, receiver) = std::sync::mpsc::channel::<(u64, u64)>();
        let seen = std::sync::Mutex::new(Vec::<(u64, u64)>::new());
        std::thread::scope(|s| {
            for t in 0..3u64 {
                let sender = sender.clone();
                s.spawn(move || {
                    for i in 0..20_000u64 {
                        let n = t * 1_000_000 + i;
                        sender.send((open(n), n)).expect("closer alive");
                    }
                });
            }
            drop(sender);
            s.spawn(|| {
                for (id, n) in receiver {
                    let header = STORE.header(id).expect("still open");
                    assert_eq!(header.ids.span_id, SpanId::from(n + 1));
                    seen.lock().unwrap().push((id, n));
                    assert!(STORE.release(id).expect("last handle").is_some());
                }
            });
            s.spawn(|| {
                for _ in 0..200 {
                    let old: Vec<(u64, u64)> = seen
                        .lock()
                        .unwrap()
                        .iter()
                        .rev()
                        .take(50)
                        .copied()
                        .collect();
                    for (id, n) in old {
                        if let Some(header) = STORE.header(id) {
                            assert_eq!(
                                header.ids.span_id,
                                SpanId::from(n + 1),
                                "a stale id read another span"
                            );
                        }
                    }
                }
            });
        });
    }
}
