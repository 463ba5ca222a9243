//! The slot lifecycle on one thread; `tests/loom_slot.rs` checks it across threads.
use super::slot::{Closed, Released, Slot};

fn closed<T>(released: Released<T>) -> Option<Closed<T>> {
    match released {
        Released::Closed(closed) => Some(closed),
        _ => None,
    }
}

#[test]
fn generations_advance_and_stale_ones_are_refused() {
    let slot: Slot<(), String> = Slot::new(());
    // SAFETY: the slot is new and owned by this test.
    let first = unsafe { slot.open(|_| {}, || "a".to_owned()) };
    assert_eq!(first, 1);
    assert!(slot.acquire(first));
    assert!(matches!(slot.release(first), Released::Kept));
    let a = closed(slot.release(first)).expect("last handle");
    assert_eq!(a.value, "a");
    assert!(a.reusable);
    assert!(!slot.acquire(first), "closed");
    assert!(matches!(slot.release(first), Released::NotOpen));
    // SAFETY: closed and reusable, owned by this test.
    let second = unsafe { slot.open(|_| {}, || "b".to_owned()) };
    assert_eq!(second, 3);
    assert!(!slot.acquire(first), "a stale id takes no handle");
    assert!(matches!(slot.release(first), Released::NotOpen));
    assert!(slot.with(first, |_| ()).is_none());
    for even in [0, 2, 4] {
        assert!(!slot.acquire(even));
        assert!(slot.read_header(even, |()| ()).is_none());
    }
    let (len, closed_by_with) = slot.with(second, String::len).expect("open");
    assert_eq!(len, 1);
    assert!(closed_by_with.is_none(), "the owner's handle remains");
    assert_eq!(closed(slot.release(second)).expect("last").value, "b");
}

/// The last generation of a slot retires it, so ids never repeat.
#[test]
fn a_slot_retires_before_its_generation_wraps() {
    let slot: Slot<(), u8> = Slot::with_generation((), u32::MAX - 1);
    // SAFETY: the slot is new and owned by this test.
    let last = unsafe { slot.open(|_| {}, || 7) };
    assert_eq!(last, u32::MAX);
    let closed = closed(slot.release(last)).expect("last handle");
    assert!(
        !closed.reusable,
        "the next generation would repeat generation 1"
    );
    assert!(!slot.acquire(1) && !slot.acquire(u32::MAX));
}

/// A handle taken through `with` may be the last one: it then closes the span.
#[test]
fn a_borrowing_handle_can_close_the_span() {
    let slot: Slot<(), Vec<u8>> = Slot::new(());
    // SAFETY: the slot is new and owned by this test.
    let generation = unsafe { slot.open(|_| {}, || vec![1, 2]) };
    let (len, closed) = slot
        .with(generation, |v| {
            // The owner gives back its handle while this one is held.
            assert!(matches!(slot.release(generation), Released::Kept));
            v.len()
        })
        .expect("open");
    assert_eq!(len, 2);
    assert_eq!(closed.expect("closed by the borrower").value, vec![1, 2]);
}

/// Values are dropped exactly once whoever closes them.
#[test]
fn values_are_moved_out_once() {
    let slot: Slot<(), std::sync::Arc<()>> = Slot::new(());
    let value = std::sync::Arc::new(());
    for _ in 0..3 {
        let v = value.clone();
        // SAFETY: free and owned by this test.
        let generation = unsafe { slot.open(|_| {}, move || v) };
        assert!(slot.acquire(generation));
        assert!(matches!(slot.release(generation), Released::Kept));
        drop(closed(slot.release(generation)).expect("last"));
    }
    assert_eq!(std::sync::Arc::strong_count(&value), 1);
}
