//! The spans entered on this thread, innermost last: what `Span::current()` and the parent of
//! a new span are read from.

use std::cell::RefCell;

use tracing_core::Metadata;

use crate::SpanIds;

#[derive(Clone, Copy)]
pub(super) struct Entered {
    /// Which subscriber the span belongs to, since scoped subscribers share the thread.
    pub(super) owner: u64,
    /// The span's id in the store; for a span opened directly, 0 until `tracing`'s API asks
    /// for a handle to it (see [`promote`]).
    pub(super) id: u64,
    /// Whether the span was opened directly ([`NativeSpan`](super::NativeSpan)).
    pub(super) direct: bool,
    /// What tells the span's entries apart: its store id, or for a span opened directly,
    /// which has none at first, its span id.
    pub(super) key: u64,
    pub(super) meta: &'static Metadata<'static>,
    pub(super) ids: SpanIds,
}

impl Entered {
    #[inline]
    fn is(&self, owner: u64, direct: bool, key: u64) -> bool {
        self.key == key && self.owner == owner && self.direct == direct
    }
}

thread_local! {
    static STACK: RefCell<Vec<Entered>> = const { RefCell::new(Vec::new()) };
}

pub(super) fn push(entered: Entered) {
    let _ = STACK.try_with(|stack| stack.borrow_mut().push(entered));
}

/// Removes the innermost entry of the span `key` names (its store id, or its span id if
/// `direct`) and returns its store id (0 if it has none, or no entry was found); spans usually
/// exit in reverse order, so it is almost always the last one.
pub(super) fn pop(owner: u64, direct: bool, key: u64) -> u64 {
    STACK
        .try_with(|stack| {
            let mut stack = stack.borrow_mut();
            if stack.last().is_some_and(|last| last.is(owner, direct, key)) {
                return stack.pop().map_or(0, |e| e.id);
            }
            match stack.iter().rposition(|e| e.is(owner, direct, key)) {
                Some(at) => stack.remove(at).id,
                None => 0,
            }
        })
        .unwrap_or(0)
}

/// The innermost span of `owner` entered on this thread.
pub(super) fn current(owner: u64) -> Option<Entered> {
    STACK
        .try_with(|stack| {
            stack
                .borrow()
                .iter()
                .rev()
                .find(|e| e.owner == owner)
                .copied()
        })
        .ok()
        .flatten()
}

/// Notes on every entry of the directly opened span `span_id` of `owner` that it now has the
/// store id `id`, so that later lookups of the current span reuse it.
pub(super) fn promote(owner: u64, span_id: u64, id: u64) {
    let _ = STACK.try_with(|stack| {
        for entry in stack.borrow_mut().iter_mut() {
            if entry.is(owner, true, span_id) {
                entry.id = id;
            }
        }
    });
}
