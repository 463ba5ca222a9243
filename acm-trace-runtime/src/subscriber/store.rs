//! Where open spans live: one process-wide arena of slots, addressed by index and generation.
//!
//! A span id is `generation << 32 | (index + 1)`. Slots are allocated in chunks that are never
//! freed, so any id, even a made-up one, points at memory that exists or at nothing. Each
//! slot's lifecycle (`slot.rs`) checks the id's generation in the same atomic step that takes
//! or gives back a handle, so any id, from any thread, at any time, is either the open span it
//! names or ignored: recording on a span another thread is closing holds it open until the
//! record is written, and a stale id never touches a later span of the same slot.
//!
//! Free slots are kept per thread, so opening and closing a span takes no lock; a thread
//! returns its surplus, and all of them when it exits, to a shared list.

use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU64, AtomicUsize, Ordering};
use std::sync::{LazyLock, Mutex, PoisonError};

use opentelemetry::trace::{SpanId, TraceId};
use tracing_core::Metadata;

use super::slot::{Closed, Released};
use crate::SpanIds;
use crate::span::SpanRecord;

const CHUNK: usize = 1024;
const MAX_CHUNKS: usize = 16 * 1024;
/// Free slots a thread keeps; beyond this it hands half to the shared list.
const LOCAL_MAX: usize = 512;
/// Free slots a thread takes from the shared list at once.
const REFILL: usize = 64;

/// What any id may read of a span: its ids and metadata, as atomics.
struct Header {
    trace_id: [AtomicU64; 2],
    span_id: AtomicU64,
    sampled: AtomicBool,
    meta: AtomicPtr<Metadata<'static>>,
}

type Slot = super::slot::Slot<Header, Mutex<SpanRecord>>;

fn empty_slot() -> Slot {
    Slot::new(Header {
        trace_id: [AtomicU64::new(0), AtomicU64::new(0)],
        span_id: AtomicU64::new(0),
        sampled: AtomicBool::new(false),
        meta: AtomicPtr::new(std::ptr::null_mut()),
    })
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
pub(super) struct SpanHeader {
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
        let chunk: Box<[Slot]> = (0..CHUNK).map(|_| empty_slot()).collect();
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
        let write_header = |header: &Header| {
            let trace = u128::from_be_bytes(ids.trace_id.to_bytes());
            header.trace_id[0].store((trace >> 64) as u64, Ordering::Relaxed);
            header.trace_id[1].store(trace as u64, Ordering::Relaxed);
            header.span_id.store(
                u64::from_be_bytes(ids.span_id.to_bytes()),
                Ordering::Relaxed,
            );
            header.sampled.store(ids.sampled, Ordering::Relaxed);
            header
                .meta
                .store(std::ptr::from_ref(meta).cast_mut(), Ordering::Relaxed);
        };
        // SAFETY: the index came off a free list (or was never used), and only the thread
        // that closes a span puts its index back, once, so this thread owns the free slot.
        let generation = unsafe { slot.open(write_header, || Mutex::new(record())) };
        Some((u64::from(generation) << 32) | (u64::from(index) + 1))
    }

    /// The ids and metadata of span `id` if it is open; any id is safe to ask about.
    pub(super) fn header(&self, id: u64) -> Option<SpanHeader> {
        let (index, generation) = split(id)?;
        let slot = self.slot(index)?;
        let (trace, span_id, sampled, meta) = slot.read_header(generation, |header| {
            let trace = (u128::from(header.trace_id[0].load(Ordering::Relaxed)) << 64)
                | u128::from(header.trace_id[1].load(Ordering::Relaxed));
            let span_id = header.span_id.load(Ordering::Relaxed);
            let sampled = header.sampled.load(Ordering::Relaxed);
            let meta = header.meta.load(Ordering::Relaxed);
            (trace, span_id, sampled, meta)
        })?;
        if meta.is_null() {
            return None;
        }
        Some(SpanHeader {
            ids: SpanIds {
                trace_id: TraceId::from(trace),
                span_id: SpanId::from(span_id),
                sampled,
            },
            // SAFETY: only `&'static Metadata` is ever stored, and the pointer is not null.
            meta: unsafe { &*meta },
        })
    }

    /// Runs `f` on the record of span `id` if it is open, whoever holds it. If the span's
    /// last handle was given back meanwhile, the span closes here and `close` gets its record
    /// (when it is sampled), as from [`release_with`](Self::release_with).
    pub(super) fn with_record(
        &self,
        id: u64,
        f: impl FnOnce(&mut SpanRecord),
        close: impl FnOnce(SpanRecord),
    ) {
        let Some((index, generation)) = split(id) else {
            return;
        };
        let Some(slot) = self.slot(index) else { return };
        let Some(((), closed)) = slot.with(generation, |record| {
            f(&mut record.lock().unwrap_or_else(PoisonError::into_inner));
        }) else {
            return;
        };
        if let Some(closed) = closed {
            self.finish(index, closed, close);
        }
    }

    /// One more handle to span `id`, if it is open.
    pub(super) fn retain(&self, id: u64) {
        if let Some((index, generation)) = split(id)
            && let Some(slot) = self.slot(index)
        {
            slot.acquire(generation);
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

    /// One handle fewer to span `id`; `None` if it names no open span. When it was the last,
    /// the span is closed and `f` is given its record if it is sampled; returns whether the
    /// span closed. Handing the record to `f` in place, rather than returning it, lets it
    /// move from the slot straight to where `f` puts it.
    #[inline(always)]
    pub(super) fn release_with(&self, id: u64, f: impl FnOnce(SpanRecord)) -> Option<bool> {
        let (index, generation) = split(id)?;
        let slot = self.slot(index)?;
        match slot.release(generation) {
            Released::NotOpen => None,
            Released::Kept => Some(false),
            Released::Closed(closed) => {
                self.finish(index, closed, f);
                Some(true)
            }
        }
    }

    /// Frees the slot of a closed span and hands its record on.
    #[inline(always)]
    fn finish(&self, index: usize, closed: Closed<Mutex<SpanRecord>>, f: impl FnOnce(SpanRecord)) {
        let record = closed
            .value
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner);
        if closed.reusable
            && let Ok(index) = u32::try_from(index)
        {
            self.put_free(index);
        }
        if record.sampled {
            f(record);
        }
    }
}

#[cfg(test)]
mod tests {
    use opentelemetry::trace::{SpanId, TraceId};

    use super::STORE;
    use crate::SpanIds;
    use crate::span::SpanRecord;
    use crate::span::test_metadata::META;

    fn open(n: u64) -> u64 {
        let ids = SpanIds {
            trace_id: TraceId::from(u128::from(n) << 64 | 7),
            span_id: SpanId::from(n + 1),
            sampled: true,
        };
        let record = SpanRecord::new(&META, ids.trace_id, ids.span_id, SpanId::INVALID, true);
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
        let mut recorded = false;
        STORE.with_record(id, |_| recorded = true, |_| panic!("closed a stale span"));
        assert!(!recorded, "a stale id reaches no record");
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
