//! One slot of the span arena: its lifecycle, and the only code that touches its value.
//!
//! A slot's `state` packs its generation (high 32 bits) and its count of handles (low 32
//! bits) into one atomic, so that a handle is only ever taken or given back on the very span
//! an id names: every change of the count is a compare-and-swap that also checks the
//! generation. The generation is odd while the slot holds a span; the swap that gives back
//! the last handle also moves it to the next even one, closing the span, so from then on no
//! id of it can take a handle and the closer alone reads the value out.
//!
//! A generation is never reused: a slot whose generation would wrap is retired instead of
//! freed ([`Closed::reusable`]), so a stale id can never name a later span.
//!
//! The header (`H`, atomics written when the span opens) can be read with any id, at any time,
//! without taking a handle: the generation is checked before and after the read, as in a
//! sequence lock.
//!
//! Written against [`super::sync`] so that the loom model in this crate's tests checks this
//! very file.

use std::mem::MaybeUninit;

use super::sync::{AtomicU64, Ordering, UnsafeCell, fence};

/// Handles at which the count saturates: a span with this many handles is never closed.
const SATURATED: u32 = u32::MAX;

fn pack(generation: u32, handles: u32) -> u64 {
    (u64::from(generation) << 32) | u64::from(handles)
}

fn unpack(state: u64) -> (u32, u32) {
    ((state >> 32) as u32, state as u32)
}

pub(crate) struct Slot<H, T> {
    state: AtomicU64,
    header: H,
    value: UnsafeCell<MaybeUninit<T>>,
}

// SAFETY: the value is written only by the thread that owns the free slot (the contract of
// `open`), read through `&T` only while the reader holds a counted handle taken by a
// compare-and-swap on the current generation, and moved out only by the thread whose swap
// gave back the last handle; `T: Send + Sync` covers both sharing and moving it across
// threads. The header is `Sync` itself.
unsafe impl<H: Sync, T: Send + Sync> Sync for Slot<H, T> {}

/// What giving back a handle did.
pub(crate) enum Released<T> {
    /// The id names no open span (stale, foreign, or already closed): nothing changed.
    NotOpen,
    /// Other handles remain.
    Kept,
    /// That was the last handle: the span is closed and this is its value.
    Closed(Closed<T>),
}

pub(crate) struct Closed<T> {
    pub(crate) value: T,
    /// Whether the slot may hold another span; false once its generations are used up.
    pub(crate) reusable: bool,
}

impl<H, T> Slot<H, T> {
    pub(crate) fn new(header: H) -> Self {
        Slot {
            state: AtomicU64::new(pack(0, 0)),
            header,
            value: UnsafeCell::new(MaybeUninit::uninit()),
        }
    }

    /// A free slot whose next span gets `generation + 1`; for tests of generation exhaustion.
    #[cfg(test)]
    pub(crate) fn with_generation(header: H, generation: u32) -> Self {
        assert!(
            generation.is_multiple_of(2),
            "a free slot's generation is even"
        );
        Slot {
            state: AtomicU64::new(pack(generation, 0)),
            header,
            value: UnsafeCell::new(MaybeUninit::uninit()),
        }
    }

    /// Opens a span in this free slot with one handle, and returns its generation.
    /// `header` writes the header's atomics (relaxed stores suffice) before the span is
    /// published.
    ///
    /// # Safety
    ///
    /// The caller owns the slot: it is free (never opened, or closed and reported
    /// [`reusable`](Closed::reusable)), and no other thread opens it until it is closed again.
    /// The arena's free lists guarantee this: an index is on at most one list, and only the
    /// thread that closed a span puts it back.
    #[inline(always)]
    pub(crate) unsafe fn open(&self, header: impl FnOnce(&H), value: impl FnOnce() -> T) -> u32 {
        let (free, _) = unpack(self.state.load(Ordering::Relaxed));
        // SAFETY: the caller owns the free slot, so nothing else reads or writes the value
        // until the state below publishes it.
        self.value
            .with_mut(|cell| unsafe { (*cell).write(value()) });
        // A reader that sees any header store below also sees the close that ended the
        // previous generation, so it cannot take the new header for the old span's.
        fence(Ordering::Release);
        header(&self.header);
        let generation = free.wrapping_add(1);
        self.state.store(pack(generation, 1), Ordering::Release);
        generation
    }

    /// Reads the header of span `generation` if it is open; any generation may be asked.
    /// `read` must only load the header's atomics: what it returns is discarded if the span
    /// closed meanwhile.
    #[inline]
    pub(crate) fn read_header<R>(&self, generation: u32, read: impl FnOnce(&H) -> R) -> Option<R> {
        if generation.is_multiple_of(2) {
            return None;
        }
        let (current, _) = unpack(self.state.load(Ordering::Acquire));
        if current != generation {
            return None;
        }
        let read = read(&self.header);
        fence(Ordering::Acquire);
        let (after, _) = unpack(self.state.load(Ordering::Relaxed));
        (after == generation).then_some(read)
    }

    /// Takes one more handle to span `generation`; false if it is not open.
    #[inline]
    pub(crate) fn acquire(&self, generation: u32) -> bool {
        let mut state = self.state.load(Ordering::Acquire);
        loop {
            let (current, handles) = unpack(state);
            if generation.is_multiple_of(2) || current != generation || handles == 0 {
                return false;
            }
            if handles == SATURATED {
                return true;
            }
            match self.state.compare_exchange_weak(
                state,
                pack(generation, handles + 1),
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => return true,
                Err(now) => state = now,
            }
        }
    }

    /// Gives back one handle to span `generation`; the last one closes the span.
    #[inline(always)]
    pub(crate) fn release(&self, generation: u32) -> Released<T> {
        let mut state = self.state.load(Ordering::Acquire);
        loop {
            let (current, handles) = unpack(state);
            if generation.is_multiple_of(2) || current != generation || handles == 0 {
                return Released::NotOpen;
            }
            if handles == SATURATED {
                return Released::Kept;
            }
            let next = if handles == 1 {
                pack(generation.wrapping_add(1), 0)
            } else {
                pack(generation, handles - 1)
            };
            match self
                .state
                .compare_exchange_weak(state, next, Ordering::AcqRel, Ordering::Acquire)
            {
                Ok(_) if handles == 1 => break,
                Ok(_) => return Released::Kept,
                Err(now) => state = now,
            }
        }
        // SAFETY: this thread's swap closed the span: the value was initialised when the
        // generation opened, no handle is left (so no `&T` is live), none can be taken (the
        // generation moved on), and the slot is not reopened before it is freed below by the
        // caller, so this thread alone moves the value out, once.
        let value = self
            .value
            .with_mut(|cell| unsafe { (*cell).assume_init_read() });
        Released::Closed(Closed {
            value,
            // The next generation, `generation + 2`, would wrap past zero and repeat ids.
            reusable: generation != u32::MAX,
        })
    }

    /// Runs `f` on the value of span `generation` while holding a handle, if the span is open.
    /// Returns `f`'s result and, if that handle turned out to be the last (the span's owners
    /// closed it meanwhile), the closed span, which the caller must finish as any close.
    #[inline]
    pub(crate) fn with<R>(
        &self,
        generation: u32,
        f: impl FnOnce(&T) -> R,
    ) -> Option<(R, Option<Closed<T>>)> {
        if !self.acquire(generation) {
            return None;
        }
        // SAFETY: the handle taken above keeps the span open, so the value is initialised and
        // is not moved out until that handle is given back below.
        let result = self
            .value
            .with(|cell| f(unsafe { (*cell).assume_init_ref() }));
        let closed = match self.release(generation) {
            Released::Closed(closed) => Some(closed),
            Released::Kept | Released::NotOpen => None,
        };
        Some((result, closed))
    }
}

impl<H, T> Drop for Slot<H, T> {
    fn drop(&mut self) {
        let (generation, _) = unpack(self.state.load(Ordering::Acquire));
        if generation % 2 == 1 {
            // SAFETY: an odd generation means the value was written and not moved out, and
            // `&mut self` means no handle can be used any more.
            self.value
                .with_mut(|cell| unsafe { (*cell).assume_init_drop() });
        }
    }
}
