//! The atomics and cell the arena's slots are written against: the standard ones here, and
//! loom's in the loom model (`tests/loom_slot.rs` includes `slot.rs` with its own `sync`).

pub(crate) use std::sync::atomic::{AtomicU64, Ordering, fence};

/// `std::cell::UnsafeCell` with loom's closure-based access, so that `slot.rs` reads the same
/// under both.
pub(crate) struct UnsafeCell<T>(std::cell::UnsafeCell<T>);

impl<T> UnsafeCell<T> {
    pub(crate) const fn new(value: T) -> Self {
        UnsafeCell(std::cell::UnsafeCell::new(value))
    }

    #[inline(always)]
    pub(crate) fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
        f(self.0.get())
    }

    #[inline(always)]
    pub(crate) fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
        f(self.0.get())
    }
}
