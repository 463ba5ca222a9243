use std::future::Future;

use crate::future::NoProbe;
use crate::{Guard, Instrumented, PendingSpan};

/// A span for a block of code, made by `acm_trace::span!`, whose name is checked at compile
/// time like `#[acm_span]`'s. Use it with [`in_scope`](Self::in_scope),
/// [`entered`](Self::entered) or [`instrument`](Self::instrument); the examples are on
/// `acm_trace::span!`.
#[must_use = "a span does nothing until it is entered, used in a scope, or given a future"]
#[derive(Debug)]
pub struct BlockSpan {
    span: PendingSpan,
}

impl BlockSpan {
    #[doc(hidden)]
    pub fn new(span: PendingSpan) -> Self {
        BlockSpan { span }
    }

    #[doc(hidden)]
    pub fn disabled() -> Self {
        BlockSpan {
            span: PendingSpan::disabled(),
        }
    }

    /// Runs `f` inside the span and ends the span. A panic in `f` marks the span failed
    /// before it unwinds on.
    pub fn in_scope<R>(self, f: impl FnOnce() -> R) -> R {
        let _guard = self.entered();
        f()
    }

    /// Enters the span until the returned guard is dropped.
    pub fn entered(self) -> Guard {
        self.span.enter()
    }

    /// Runs `future` inside the span: entered on every poll, ended when it completes, marked
    /// cancelled if it is dropped first.
    pub fn instrument<F: Future>(self, future: F) -> Instrumented<F, NoProbe> {
        Instrumented::new(self.span, future, NoProbe)
    }

    /// The underlying `tracing` span.
    pub fn span(&self) -> tracing::Span {
        self.span.span()
    }
}
