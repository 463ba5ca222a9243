//! A loom model of the span arena's slot lifecycle (`src/subscriber/slot.rs`, included as is):
//! every interleaving of open, handle clone, close, reuse, and lookups with foreign and stale
//! ids, checked for data races on the value, for values moved out exactly once, and for stale
//! ids never reaching a later span.

/// What `slot.rs` is written against, here loom's.
mod sync {
    pub(crate) use loom::cell::UnsafeCell;
    pub(crate) use loom::sync::atomic::{AtomicU64, Ordering, fence};
}

#[allow(dead_code)]
#[path = "../src/subscriber/slot.rs"]
mod slot;

use loom::sync::Arc;
use loom::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use loom::thread;
use slot::{Closed, Released, Slot};

/// A span's value: drops are counted, so a double move or a leak shows.
struct Value {
    span: u64,
    drops: Arc<AtomicUsize>,
}

impl Drop for Value {
    fn drop(&mut self) {
        self.drops.fetch_add(1, Ordering::Relaxed);
    }
}

/// The header holds the span's number, as the arena's holds its ids.
type TestSlot = Slot<AtomicU64, Value>;

/// Opens span `span` in a slot the calling thread owns.
fn open(slot: &TestSlot, span: u64, drops: &Arc<AtomicUsize>) -> u32 {
    let drops = drops.clone();
    // SAFETY: every model opens a slot only while it is free and from the one thread that
    // owns it, as the arena's free lists ensure.
    unsafe {
        slot.open(
            |header| header.store(span, Ordering::Relaxed),
            || Value { span, drops },
        )
    }
}

/// A new slot holding span 1, and the count of its values dropped.
fn opened() -> (Arc<AtomicUsize>, Arc<TestSlot>, u32) {
    let drops = Arc::new(AtomicUsize::new(0));
    let slot = Arc::new(TestSlot::new(AtomicU64::new(0)));
    let generation = open(&slot, 1, &drops);
    (drops, slot, generation)
}

/// 1 if a borrowing handle turned out to be the last and closed the span, else 0.
fn closes_borrowed(closed: Option<Closed<Value>>) -> usize {
    closed.map_or(0, |closed| {
        drop(closed.value);
        1
    })
}

fn closes(released: Released<Value>) -> usize {
    match released {
        Released::Closed(closed) => {
            drop(closed.value);
            1
        }
        Released::Kept | Released::NotOpen => 0,
    }
}

/// The owner closes its span while another thread records on it through a copied id (the
/// reproduction of `Dispatch::record` racing a close): no race on the value, and exactly one
/// of them closes it.
#[test]
fn recording_through_a_copied_id_races_the_close() {
    loom::model(|| {
        let (drops, slot, generation) = opened();
        let recorder = {
            let slot = slot.clone();
            thread::spawn(move || match slot.with(generation, |value| value.span) {
                Some((span, closed)) => {
                    assert_eq!(span, 1);
                    closes_borrowed(closed)
                }
                None => 0,
            })
        };
        let closed_by_owner = closes(slot.release(generation));
        let closed_by_recorder = recorder.join().unwrap();
        assert_eq!(closed_by_owner + closed_by_recorder, 1);
        assert_eq!(drops.load(Ordering::Relaxed), 1);
    });
}

/// Two handles given back on two threads: the span closes once.
#[test]
fn cloned_handles_close_once() {
    loom::model(|| {
        let (drops, slot, generation) = opened();
        assert!(slot.acquire(generation));
        let other = {
            let slot = slot.clone();
            thread::spawn(move || closes(slot.release(generation)))
        };
        let here = closes(slot.release(generation));
        assert_eq!(here + other.join().unwrap(), 1);
        assert_eq!(drops.load(Ordering::Relaxed), 1);
    });
}

/// A hostile thread gives back a handle it never took (a made-up `try_close`) while the owner
/// gives back its own: the span closes once and the surplus release is ignored.
#[test]
fn a_foreign_close_is_counted_once() {
    loom::model(|| {
        let (drops, slot, generation) = opened();
        let foreign = {
            let slot = slot.clone();
            thread::spawn(move || closes(slot.release(generation)))
        };
        let owner = closes(slot.release(generation));
        assert_eq!(owner + foreign.join().unwrap(), 1);
        assert_eq!(drops.load(Ordering::Relaxed), 1);
    });
}

/// The owner closes a span and opens the next one in the same slot while another thread uses
/// the old id: it reads the old span's header or nothing, and never takes a handle to, records
/// on, or closes the new span.
#[test]
fn a_stale_id_never_reaches_the_next_span() {
    loom::model(|| {
        let (drops, slot, old) = opened();
        let stale = {
            let slot = slot.clone();
            thread::spawn(move || {
                if let Some(span) = slot.read_header(old, |h| h.load(Ordering::Relaxed)) {
                    assert_eq!(span, 1, "a stale id read the next span's header");
                }
                match slot.with(old, |value| value.span) {
                    Some((span, closed)) => {
                        assert_eq!(span, 1, "a stale id reached the next span's value");
                        closes_borrowed(closed)
                    }
                    None => 0,
                }
            })
        };
        let closed_here = closes(slot.release(old));
        let mut new = None;
        if closed_here == 1 {
            // The owner closed it: the slot is free again, and reused at once.
            let generation = open(&slot, 2, &drops);
            assert_ne!(generation, old);
            new = Some(generation);
        }
        let closed_there = stale.join().unwrap();
        assert_eq!(closed_here + closed_there, 1, "the old span closed once");
        if let Some(generation) = new {
            assert!(!slot.acquire(old), "the stale id takes no handle");
            assert_eq!(closes(slot.release(old)), 0, "nor closes anything");
            assert_eq!(closes(slot.release(generation)), 1);
        }
        let opened = if new.is_some() { 2 } else { 1 };
        assert_eq!(drops.load(Ordering::Relaxed), opened);
    });
}
