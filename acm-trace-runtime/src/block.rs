use std::fmt::Display;
use std::future::Future;

use crate::future::NoProbe;
use crate::outcome::{ErrorText, Finding};
use crate::{Guard, Instrumented, PendingSpan};

fn finding<T, E: Display>(result: &Result<T, E>) -> Finding<'_> {
    match result {
        Ok(_) => Finding::Success,
        Err(e) => Finding::Error {
            type_name: std::any::type_name::<E>(),
            text: ErrorText::Display(e),
        },
    }
}

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

    /// Runs `f` inside the span and ends the span with outcome `success`. A panic in `f`
    /// marks the span failed before it unwinds on. For a closure that returns a `Result`, use
    /// [`in_scope_result`](Self::in_scope_result) so an `Err` fails the span.
    pub fn in_scope<R>(self, f: impl FnOnce() -> R) -> R {
        let _guard = self.entered();
        f()
    }

    /// Runs a fallible `f` inside the span: an `Err` sets outcome `fail`, status ERROR with the
    /// error's `Display` text, and `acm.error_type`, like a `#[acm_span]` function's `Result`.
    pub fn in_scope_result<T, E: Display>(self, f: impl FnOnce() -> Result<T, E>) -> Result<T, E> {
        let mut guard = self.entered();
        let result = f();
        guard.finish(finding(&result));
        result
    }

    /// Enters the span until the returned guard is dropped.
    ///
    /// Bind the guard to a named variable: `let _guard = span!(..).entered();` keeps the span
    /// open to the end of the scope. `span!(..).entered();` on its own is warned about, and
    /// `let _ = span!(..).entered();` drops the guard at once, as `let _ =` drops anything, so
    /// the span ends before the code it was meant to cover.
    ///
    /// ```
    /// let _guard = acm_trace_runtime::BlockSpan::disabled().entered();
    /// // ... the code the span covers ...
    /// ```
    pub fn entered(self) -> Guard {
        self.span.enter()
    }

    /// Runs `future` inside the span: entered on every poll, ended when it completes, marked
    /// cancelled if it is dropped first.
    pub fn instrument<F: Future>(self, future: F) -> Instrumented<F, NoProbe> {
        Instrumented::new(self.span, future, NoProbe)
    }

    /// Like [`instrument`](Self::instrument) for a future whose output is a `Result`: an `Err`
    /// fails the span.
    pub fn instrument_result<F, T, E>(
        self,
        future: F,
    ) -> Instrumented<F, impl FnOnce(&Result<T, E>, &mut PendingSpan)>
    where
        F: Future<Output = Result<T, E>>,
        E: Display,
    {
        Instrumented::new(
            self.span,
            future,
            |out: &Result<T, E>, span: &mut PendingSpan| {
                span.finish(finding(out));
            },
        )
    }

    /// The underlying `tracing` span.
    pub fn span(&self) -> tracing::Span {
        self.span.span()
    }
}
