use std::fmt;

use tracing::Span;
use tracing_core::field::{Field, Value};
use tracing_core::{Level, LevelFilter};

use crate::fields;
use crate::outcome::{self, Finding, Outcome};
use crate::{SpanSite, context};

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

/// The span itself: a `tracing` span, or one [`AcmSubscriber`](crate::AcmSubscriber) opened
/// directly.
enum Handle {
    Tracing(Span),
    Native(crate::subscriber::NativeSpan),
}

/// The open span of a site, and what is known so far about how it ends.
pub(crate) struct SpanState {
    span: Handle,
    recorded: bool,
    /// acm-trace's subscriber and lean layer take a span without a recorded outcome as a
    /// success, which saves a record call on every span.
    lean: bool,
    explicit: Option<Outcome>,
    /// Boxed: only `track_resources` sites have one, and every guard is moved around.
    resources: Option<Box<crate::resources::ResourceStart>>,
}

fn open_span(site: &'static SpanSite, name: Option<&dyn Value>, attrs: &[&dyn Value]) -> SpanState {
    let (span, lean) = tracing::dispatcher::get_default(|dispatch| {
        if let Some(subscriber) = dispatch.downcast_ref::<crate::AcmSubscriber>() {
            let span = subscriber.open(site, dispatch);
            if name.is_some() || !attrs.is_empty() {
                record_given(&span, site, name, attrs);
            }
            return (Handle::Native(span), true);
        }
        // acm-trace's lean layer reads the site's static attributes and the run context
        // itself; other layers (tracing-opentelemetry) need them as recorded fields.
        let lean = dispatch.is::<crate::AcmLayer>();
        // A callsite can keep an old interest after a scoped subscriber is gone.
        if !lean && dispatch.is::<tracing_core::subscriber::NoSubscriber>() {
            return (Handle::Tracing(Span::none()), false);
        }
        (
            Handle::Tracing(new_span(site, name, attrs, dispatch, lean)),
            lean,
        )
    });
    if matches!(&span, Handle::Tracing(span) if span.is_none()) {
        return SpanState {
            span,
            recorded: true,
            lean,
            explicit: None,
            resources: None,
        };
    }
    let resources = site
        .track_resources
        .then(|| Box::new(crate::resources::ResourceStart::now()));
    SpanState {
        span,
        recorded: false,
        lean,
        explicit: None,
        resources,
    }
}

/// Records a dynamic name and the caller's attributes on a span opened directly.
fn record_given(
    span: &crate::subscriber::NativeSpan,
    site: &'static SpanSite,
    name: Option<&dyn Value>,
    attrs: &[&dyn Value],
) {
    let fields = site.metadata().fields();
    // One visit of the span's record for all of them.
    span.record_with(|visit| {
        if let Some(name) = name
            && let Some(field) = fields.iter().nth(fields::OTEL_NAME)
        {
            name.record(&field, visit);
        }
        for (field, attr) in fields.iter().skip(fields::STANDARD.len()).zip(attrs) {
            attr.record(&field, visit);
        }
    });
}

fn new_span(
    site: &'static SpanSite,
    name: Option<&dyn Value>,
    attrs: &[&dyn Value],
    dispatch: &tracing::Dispatch,
    lean: bool,
) -> Span {
    let meta = site.metadata();
    let set = meta.fields();
    if lean && name.is_none() && attrs.is_empty() {
        return Span::new_with(meta, &set.value_set(&[]), dispatch);
    }
    let mut iter = set.iter();
    let Some(first) = iter.next() else {
        return Span::none();
    };
    // Unused slots repeat the first key with no value, which records nothing.
    let keys: [Field; 32] = std::array::from_fn(|i| {
        if i == 0 {
            first.clone()
        } else {
            iter.next().unwrap_or_else(|| first.clone())
        }
    });
    let mut values: [Option<&dyn Value>; 32] = [None; 32];
    values[fields::OTEL_NAME] = name;
    for (slot, attr) in values[fields::STANDARD.len()..].iter_mut().zip(attrs) {
        *slot = Some(*attr);
    }
    if lean {
        let pairs: [(&Field, Option<&dyn Value>); 32] =
            std::array::from_fn(|i| (&keys[i], values[i]));
        return Span::new_with(meta, &set.value_set(&pairs), dispatch);
    }
    let ctx = context::current();
    // Signed, because unsigned integers reach OpenTelemetry as strings through
    // tracing-opentelemetry.
    let batch = ctx
        .as_ref()
        .map(|c| (i64::from(c.batch_num), i64::from(c.batch_total)));
    let kind = site.kind.as_str();
    let phase = site.phase.as_str();
    values[fields::OTEL_KIND] = Some(&kind as &dyn Value);
    values[fields::CATEGORY] = Some(&site.category as &dyn Value);
    values[fields::PHASE] = Some(&phase as &dyn Value);
    if !site.function.is_empty() {
        values[fields::FUNCTION] = Some(&site.function as &dyn Value);
    }
    if let Some(ctx) = &ctx {
        values[fields::EQUIPMENT] = Some(&ctx.equipment as &dyn Value);
        values[fields::EQUIP_ID] = Some(&ctx.equip_id as &dyn Value);
        values[fields::RUN_ID] = Some(&ctx.run_id as &dyn Value);
        values[fields::SERVICE] = Some(&ctx.service as &dyn Value);
    }
    if let Some((num, total)) = &batch {
        values[fields::BATCH_NUM] = Some(num as &dyn Value);
        values[fields::BATCH_TOTAL] = Some(total as &dyn Value);
    }
    let pairs: [(&Field, Option<&dyn Value>); 32] = std::array::from_fn(|i| (&keys[i], values[i]));
    Span::new_with(meta, &set.value_set(&pairs), dispatch)
}

impl SpanState {
    fn record(&self, index: usize, value: &dyn Value) {
        match &self.span {
            Handle::Tracing(span) => {
                if let Some(meta) = span.metadata()
                    && let Some(field) = meta.fields().iter().nth(index)
                {
                    span.record(&field, value);
                }
            }
            Handle::Native(span) => {
                if let Some(field) = span.metadata().fields().iter().nth(index) {
                    span.record(&field, value);
                }
            }
        }
    }

    pub(crate) fn enter(&self) {
        match &self.span {
            Handle::Tracing(span) => {
                span.with_subscriber(|(id, dispatch)| dispatch.enter(id));
            }
            Handle::Native(span) => span.enter(),
        }
        outcome::push_slot();
    }

    pub(crate) fn exit(&mut self) {
        if let Some(explicit) = outcome::pop_slot() {
            self.explicit = Some(explicit);
        }
        match &self.span {
            Handle::Tracing(span) => {
                span.with_subscriber(|(id, dispatch)| dispatch.exit(id));
            }
            Handle::Native(span) => span.exit(),
        }
    }

    /// Records the outcome the return value implies; an explicit `set_outcome` still wins.
    pub(crate) fn finish(&mut self, finding: &Finding<'_>) {
        if self.recorded {
            return;
        }
        self.recorded = true;
        match finding {
            Finding::Success => self.record_outcome(Outcome::Success),
            Finding::Error { type_name, .. } => {
                self.record_outcome(Outcome::Fail);
                self.record(fields::ERROR_TYPE, type_name);
                self.record(fields::STATUS_CODE, &"error");
                let description = crate::outcome::description(finding);
                self.record(fields::STATUS_DESCRIPTION, &description.as_str());
            }
        }
    }

    fn record_outcome(&self, outcome: Outcome) {
        let outcome = self.explicit.unwrap_or(outcome);
        if !(self.lean && outcome == Outcome::Success) {
            self.record(fields::OUTCOME, &outcome.as_str());
        }
    }

    /// Ends the span: records what nothing recorded yet. `cancelled` is true for a future
    /// dropped before it completed.
    pub(crate) fn end(&mut self, cancelled: bool) {
        if !self.recorded {
            self.recorded = true;
            if std::thread::panicking() {
                self.record_outcome(Outcome::Fail);
                self.record(fields::ERROR_TYPE, &"panic");
                self.record(fields::STATUS_CODE, &"error");
                self.record(fields::STATUS_DESCRIPTION, &"panicked");
            } else if cancelled {
                self.record_outcome(Outcome::Cancelled);
            } else {
                self.record_outcome(Outcome::Success);
            }
        }
        if let Some(start) = self.resources.take() {
            start.record_end(|index, value| self.record(index, value));
        }
    }

    /// The span as a `tracing` span handle.
    pub(crate) fn span(&self) -> Span {
        match &self.span {
            Handle::Tracing(span) => span.clone(),
            Handle::Native(span) => span.to_span(),
        }
    }
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
        let state = open_span(site, name, attrs);
        state.enter();
        Guard {
            state: std::mem::ManuallyDrop::new(Some(state)),
            _entered_here: [],
        }
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
            // SAFETY: `state` is never used again after this.
            close(unsafe { std::mem::ManuallyDrop::take(&mut self.state) });
        }
    }
}

#[cold]
#[inline(never)]
fn close(state: Option<SpanState>) {
    if let Some(mut state) = state {
        state.exit();
        state.end(false);
    }
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
        PendingSpan {
            state: Some(open_span(site, name, attrs)),
        }
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
