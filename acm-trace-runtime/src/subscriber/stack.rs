//! The spans entered on this thread, innermost last: what `Span::current()` and the parent of
//! a new span are read from.

use std::cell::RefCell;

use tracing_core::Metadata;

use crate::SpanIds;

#[derive(Clone, Copy)]
pub(super) struct Entered {
    /// Which subscriber the span belongs to, since scoped subscribers share the thread.
    pub(super) owner: u64,
    pub(super) id: u64,
    pub(super) meta: &'static Metadata<'static>,
    pub(super) ids: SpanIds,
}

thread_local! {
    static STACK: RefCell<Vec<Entered>> = const { RefCell::new(Vec::new()) };
}

pub(super) fn push(entered: Entered) {
    let _ = STACK.try_with(|stack| stack.borrow_mut().push(entered));
}

/// Removes the innermost entry of span `id`; spans usually exit in reverse order, so it is
/// almost always the last one.
pub(super) fn pop(owner: u64, id: u64) {
    let _ = STACK.try_with(|stack| {
        let mut stack = stack.borrow_mut();
        if stack.last().is_some_and(|e| e.owner == owner && e.id == id) {
            stack.pop();
        } else if let Some(at) = stack.iter().rposition(|e| e.owner == owner && e.id == id) {
            stack.remove(at);
        }
    });
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
