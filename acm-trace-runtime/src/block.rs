use std::future::Future;

use crate::future::NoProbe;
use crate::{Guard, Instrumented, PendingSpan};

/// A span for a block of code, made by `acm_trace::span!`; the name is checked at compile
/// time like `#[acm_span]`'s.
///
/// ```
/// use acm_trace::span;
///
/// let rows = vec![1, 2, 3];
/// let n = span!("sql.bulk_insert", n_operations = rows.len()).in_scope(|| rows.len());
/// assert_eq!(n, 3);
///
/// let _guard = span!("persist.scores").entered(); // ends when `_guard` is dropped
/// ```
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
