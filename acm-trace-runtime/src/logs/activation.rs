//! Entered spans as the current OpenTelemetry context, for log bridges that read it.

use std::cell::RefCell;

use opentelemetry::Context;
use opentelemetry::trace::TraceContextExt;
use tracing::span::Id;

use crate::span::SpanIds;

thread_local! {
    // Context guards are not `Send`, so they live here rather than in span extensions.
    static ACTIVE: RefCell<Vec<(Id, opentelemetry::ContextGuard)>> = const { RefCell::new(Vec::new()) };
}

pub(crate) fn enter(id: &Id, ids: SpanIds) {
    let guard = Context::current()
        .with_remote_span_context(ids.span_context())
        .attach();
    let _ = ACTIVE.try_with(|active| active.borrow_mut().push((id.clone(), guard)));
}

pub(crate) fn exit(id: &Id) {
    let _ = ACTIVE.try_with(|active| {
        let mut active = active.borrow_mut();
        // Spans exit in the reverse order they entered on one thread; anything else leaves
        // the stack alone rather than detach the wrong context.
        if active.last().is_some_and(|(top, _)| top == id) {
            active.pop();
        }
    });
}
