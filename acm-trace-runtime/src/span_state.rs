//! The open span of an instrumented call or block, whichever back end records it: the one
//! place where a span is opened for instrumented code (`open_span` asks the seam,
//! [`Backend::of`], once which back end it is), and what is recorded on it as it ends.

use tracing::Span;
use tracing_core::field::{Field, Value};

use crate::backend::Backend;
use crate::fields::{self, StandardField};
use crate::outcome::{self, Finding, Outcome};
use crate::{SpanSite, context};

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

/// Opens a span of `site` into `slot`, which is empty. Written in place: a span state is
/// larger than what the compiler copies without a call, and it would otherwise be moved
/// several times on its way into the guard.
#[inline(always)]
pub(crate) fn open_span(
    slot: &mut Option<SpanState>,
    site: &'static SpanSite,
    name: Option<&dyn Value>,
    attrs: &[&dyn Value],
) {
    tracing::dispatcher::get_default(|dispatch| {
        let lean = match Backend::of(dispatch) {
            Backend::Subscriber(subscriber) => {
                let state = slot.insert(SpanState {
                    span: Handle::Native(subscriber.open(site, dispatch)),
                    recorded: false,
                    lean: true,
                    explicit: None,
                    resources: None,
                });
                if (name.is_some() || !attrs.is_empty())
                    && let Handle::Native(span) = &mut state.span
                {
                    record_given(span, site, name, attrs);
                }
                return;
            }
            Backend::LeanLayer(_) => true,
            Backend::Other => false,
            Backend::Nothing => return,
        };
        let span = new_span(site, name, attrs, dispatch, lean);
        if span.is_none() {
            return;
        }
        *slot = Some(SpanState {
            span: Handle::Tracing(span),
            recorded: false,
            lean,
            explicit: None,
            resources: None,
        });
    });
    if site.track_resources
        && let Some(state) = slot
    {
        state.resources = Some(Box::new(crate::resources::ResourceStart::now()));
    }
}

/// Records a dynamic name and the caller's attributes on a span opened directly.
fn record_given(
    span: &mut crate::subscriber::NativeSpan,
    site: &'static SpanSite,
    name: Option<&dyn Value>,
    attrs: &[&dyn Value],
) {
    let fields = site.metadata().fields();
    // One visit of the span's record for all of them.
    span.record_with(|visit| {
        if let Some(name) = name
            && let Some(field) = fields.iter().nth(StandardField::OtelName.index())
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
    values[StandardField::OtelName.index()] = name;
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
    values[StandardField::OtelKind.index()] = Some(&kind as &dyn Value);
    values[StandardField::Category.index()] = Some(&site.category as &dyn Value);
    values[StandardField::Phase.index()] = Some(&phase as &dyn Value);
    if !site.function.is_empty() {
        values[StandardField::Function.index()] = Some(&site.function as &dyn Value);
    }
    if let Some(ctx) = &ctx {
        values[StandardField::Equipment.index()] = Some(&ctx.equipment as &dyn Value);
        values[StandardField::EquipId.index()] = Some(&ctx.equip_id as &dyn Value);
        values[StandardField::RunId.index()] = Some(&ctx.run_id as &dyn Value);
        values[StandardField::Service.index()] = Some(&ctx.service as &dyn Value);
    }
    if let Some((num, total)) = &batch {
        values[StandardField::BatchNum.index()] = Some(num as &dyn Value);
        values[StandardField::BatchTotal.index()] = Some(total as &dyn Value);
    }
    let pairs: [(&Field, Option<&dyn Value>); 32] = std::array::from_fn(|i| (&keys[i], values[i]));
    Span::new_with(meta, &set.value_set(&pairs), dispatch)
}

impl SpanState {
    fn record(&mut self, index: usize, value: &dyn Value) {
        match &mut self.span {
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
                self.record(StandardField::ErrorType.index(), type_name);
                self.record(StandardField::StatusCode.index(), &"error");
                let description = crate::outcome::description(finding);
                self.record(
                    StandardField::StatusDescription.index(),
                    &description.as_str(),
                );
            }
        }
    }

    fn record_outcome(&mut self, outcome: Outcome) {
        let outcome = self.explicit.unwrap_or(outcome);
        if !(self.lean && outcome == Outcome::Success) {
            self.record(StandardField::Outcome.index(), &outcome.as_str());
        }
    }

    /// Ends the span: records what nothing recorded yet. `cancelled` is true for a future
    /// dropped before it completed.
    pub(crate) fn end(&mut self, cancelled: bool) {
        if !self.recorded {
            self.recorded = true;
            if std::thread::panicking() {
                self.record_outcome(Outcome::Fail);
                self.record(StandardField::ErrorType.index(), &"panic");
                self.record(StandardField::StatusCode.index(), &"error");
                self.record(StandardField::StatusDescription.index(), &"panicked");
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
