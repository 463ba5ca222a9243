use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use pin_project_lite::pin_project;

use crate::PendingSpan;
use crate::span_state::SpanState;

pin_project! {
    /// A future that runs inside its span: the span is entered on every poll, ends when the
    /// future completes, and says `acm.outcome = "cancelled"` if the future is dropped first.
    ///
    /// Built by `#[acm_span]` on `async fn` and on functions returning futures, and by
    /// `span!(..).instrument(fut)`.
    #[must_use = "futures do nothing unless polled"]
    pub struct Instrumented<F, P> {
        #[pin]
        future: F,
        span: PendingSpan,
        probe: Option<P>,
    }

    impl<F, P> PinnedDrop for Instrumented<F, P> {
        fn drop(this: Pin<&mut Self>) {
            let this = this.project();
            if let Some(state) = &mut this.span.state {
                state.end(true);
            }
        }
    }
}

/// Inspects a future's output to record the span's outcome.
#[doc(hidden)]
pub trait Probe<O> {
    fn inspect(self, output: &O, span: &mut PendingSpan);
}

impl<O, P: FnOnce(&O, &mut PendingSpan)> Probe<O> for P {
    #[inline]
    fn inspect(self, output: &O, span: &mut PendingSpan) {
        self(output, span);
    }
}

/// No inspection: a completed future is a success.
#[doc(hidden)]
pub struct NoProbe;

impl<O> Probe<O> for NoProbe {
    #[inline]
    fn inspect(self, _: &O, _: &mut PendingSpan) {}
}

impl<F: Future, P: Probe<F::Output>> Instrumented<F, P> {
    /// Wraps `future` so it runs inside `span`.
    pub fn new(span: PendingSpan, future: F, probe: P) -> Self {
        Instrumented {
            future,
            span,
            probe: Some(probe),
        }
    }
}

/// Exits the span even when the inner poll panics.
struct Entered<'a>(&'a mut SpanState);

impl Drop for Entered<'_> {
    fn drop(&mut self) {
        self.0.exit();
    }
}

impl<F: Future, P: Probe<F::Output>> Future for Instrumented<F, P> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let poll = match &mut this.span.state {
            Some(state) => {
                state.enter();
                let _entered = Entered(state);
                this.future.poll(cx)
            }
            None => this.future.poll(cx),
        };
        let Poll::Ready(output) = poll else {
            return Poll::Pending;
        };
        if this.span.state.is_some() {
            if let Some(probe) = this.probe.take() {
                probe.inspect(&output, this.span);
            }
            // End the span now rather than when the caller drops the finished future.
            if let Some(mut state) = this.span.state.take() {
                state.end(false);
            }
        }
        Poll::Ready(output)
    }
}

impl PendingSpan {
    /// Records what the future's output says.
    #[doc(hidden)]
    #[inline]
    pub fn finish(&mut self, finding: crate::outcome::Finding<'_>) {
        if let Some(state) = &mut self.state {
            state.finish(&finding);
        }
    }
}
