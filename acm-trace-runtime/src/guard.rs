use std::fmt;

use tracing::Span;
use tracing_core::field::Value;
use tracing_core::{Level, LevelFilter};

use crate::SpanSite;
use crate::outcome::Finding;
use crate::span_state::{SpanState, open_span};

/// Whether spans of `site` would be recorded now: one relaxed load when nothing listens.
#[doc(hidden)]
#[inline]
pub fn enabled(site: &'static SpanSite) -> bool {
    if Level::INFO > tracing::level_filters::STATIC_MAX_LEVEL
        || Level::INFO > LevelFilter::current()
    {
        return false;
    }
    let interest = site.callsite().interest();
    !interest.is_never()
        && (interest.is_always()
            || tracing::dispatcher::get_default(|d| d.enabled(site.metadata())))
}

/// The span of a synchronous call: entered when opened, exited and closed when dropped.
///
/// Created by `#[acm_span]` expansions and `span!(..).entered()`. A guard cannot leave the
/// thread that entered it: the span sits on that thread's stack of entered spans until the
/// guard is dropped there, as with `tracing`'s `EnteredSpan`. Across an `.await`, instrument
/// the future instead (`span!(..).instrument(fut)`, or `#[acm_span]` on the `async fn`).
///
/// ```compile_fail
/// let guard = acm_trace_runtime::Guard::disabled();
/// std::thread::spawn(move || drop(guard));
/// ```
#[must_use = "the span ends when the guard is dropped: bind it with `let _guard = ...` \
              (`let _ = ...` drops it at once)"]
pub struct Guard {
    // Dropped by hand so a disabled guard's drop is one inlined check, not a call to drop
    // glue on every instrumented call.
    state: std::mem::ManuallyDrop<Option<SpanState>>,
    /// The entered span is on this thread's stack, so the guard is `!Send` (and `!Sync`).
    /// An empty array rather than `PhantomData`: same size (none), and the compiler's error
    /// for a moved guard then names no library type the user never wrote.
    _entered_here: [*const (); 0],
}

impl Guard {
    /// A guard that records nothing.
    #[doc(hidden)]
    #[inline]
    pub fn disabled() -> Guard {
        Guard {
            state: std::mem::ManuallyDrop::new(None),
            _entered_here: [],
        }
    }

    /// Opens and enters a span of `site` if anything listens.
    #[doc(hidden)]
    #[inline]
    pub fn enter(site: &'static SpanSite) -> Guard {
        // Two paths: a guard opened in place would keep the disabled one in memory too.
        if enabled(site) {
            Guard::enter_with(site, None, &[])
        } else {
            Guard::disabled()
        }
    }

    /// Opens and enters a span with a dynamic name and the caller's attributes. The caller has
    /// checked [`enabled`] so that attribute expressions are only evaluated when needed.
    #[doc(hidden)]
    pub fn enter_with(
        site: &'static SpanSite,
        name: Option<&dyn Value>,
        attrs: &[&dyn Value],
    ) -> Guard {
        let mut guard = Guard::disabled();
        open_span(&mut guard.state, site, name, attrs);
        if let Some(state) = &*guard.state {
            state.enter();
        }
        guard
    }

    /// Records what the function's return value says.
    #[doc(hidden)]
    #[inline]
    pub fn finish(&mut self, finding: Finding<'_>) {
        if let Some(state) = &mut *self.state {
            state.finish(&finding);
        }
    }

    /// Leaves the span without closing it, to hand it to the future the function returns.
    #[doc(hidden)]
    pub fn exit(mut self) -> PendingSpan {
        let state = self.state.take().map(|mut s| {
            s.exit();
            s
        });
        PendingSpan { state }
    }

    /// The `tracing` span, or a disabled span.
    pub fn span(&self) -> Span {
        self.state.as_ref().map_or_else(Span::none, SpanState::span)
    }
}

impl Drop for Guard {
    #[inline]
    fn drop(&mut self) {
        if self.state.is_some() {
            // SAFETY: `drop` runs once, and `state` is not used after it.
            unsafe { close(&mut self.state) };
        }
    }
}

/// Ends the span and drops the state in place.
///
/// # Safety
///
/// `state` must not be used afterwards.
#[cold]
#[inline(never)]
unsafe fn close(state: &mut std::mem::ManuallyDrop<Option<SpanState>>) {
    if let Some(state) = &mut **state {
        state.exit();
        state.end(false);
    }
    // SAFETY: the caller does not use `state` again.
    unsafe { std::mem::ManuallyDrop::drop(state) };
}

impl fmt::Debug for Guard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Guard")
            .field("span", &self.state.as_ref().map(SpanState::span))
            .finish()
    }
}

/// An open span that is not entered: what a future carries until it is polled.
#[must_use]
pub struct PendingSpan {
    pub(crate) state: Option<SpanState>,
}

impl PendingSpan {
    /// A span that records nothing.
    #[doc(hidden)]
    #[inline]
    pub fn disabled() -> PendingSpan {
        PendingSpan { state: None }
    }

    /// Opens a span of `site` if anything listens, without entering it.
    #[doc(hidden)]
    #[inline]
    pub fn open(site: &'static SpanSite) -> PendingSpan {
        if enabled(site) {
            PendingSpan::open_with(site, None, &[])
        } else {
            PendingSpan::disabled()
        }
    }

    /// Opens a span with a dynamic name and the caller's attributes.
    #[doc(hidden)]
    pub fn open_with(
        site: &'static SpanSite,
        name: Option<&dyn Value>,
        attrs: &[&dyn Value],
    ) -> PendingSpan {
        let mut pending = PendingSpan::disabled();
        open_span(&mut pending.state, site, name, attrs);
        pending
    }

    /// The `tracing` span, or a disabled span.
    pub fn span(&self) -> Span {
        self.state.as_ref().map_or_else(Span::none, SpanState::span)
    }

    /// Enters the span until the returned guard is dropped.
    pub fn enter(mut self) -> Guard {
        let state = self.state.take();
        if let Some(state) = &state {
            state.enter();
        }
        Guard {
            state: std::mem::ManuallyDrop::new(state),
            _entered_here: [],
        }
    }
}

impl Drop for PendingSpan {
    fn drop(&mut self) {
        if let Some(state) = &mut self.state {
            state.end(false);
        }
    }
}

impl fmt::Debug for PendingSpan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PendingSpan")
            .field("span", &self.state.as_ref().map(SpanState::span))
            .finish()
    }
}
