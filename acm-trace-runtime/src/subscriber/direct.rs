//! Spans that instrumented code opens on [`AcmSubscriber`] directly: the guard of an
//! `#[acm_span]` function knows its site and parent already, so building `tracing` attributes
//! and dispatching through the subscriber's vtable would only repeat what is known.

use tracing::Metadata;
use tracing::span::Id;

use super::stack;
use super::store::STORE;
use crate::AcmSubscriber;
use crate::span::{SpanRecord, place_span, to_span_kind};

/// An acm span opened by [`AcmSubscriber`] directly, without `tracing`'s span handle: the
/// guard of an instrumented function knows its site and parent already, so building
/// `tracing` attributes and dispatching through the subscriber's vtable would only repeat
/// what is known. It behaves as a `tracing` span of the same subscriber: it is entered on the
/// same per-thread stack, `Span::current()` inside it returns it, and it is closed through the
/// dispatcher it was opened with, which it keeps alive.
pub(crate) struct NativeSpan {
    dispatch: tracing::Dispatch,
    entered: stack::Entered,
}

impl AcmSubscriber {
    /// Opens a span of `site` as a child of this thread's current span. `dispatch` is the
    /// dispatcher this subscriber is installed in.
    pub(crate) fn open(
        &self,
        site: &'static crate::SpanSite,
        dispatch: &tracing::Dispatch,
    ) -> NativeSpan {
        let meta = site.metadata();
        let kind = to_span_kind(site.kind);
        let parent = self.current_ids();
        let (ids, parent_id) =
            place_span(&self.ids, self.sampler.as_ref(), parent, meta.name(), &kind);
        let id = STORE
            .insert_with(ids, meta, || {
                let mut record = SpanRecord::new(ids.trace_id, ids.span_id, parent_id, ids.sampled);
                if ids.sampled {
                    record.start(Some(site), meta, kind);
                }
                record
            })
            .unwrap_or(u64::MAX);
        NativeSpan {
            dispatch: dispatch.clone(),
            entered: stack::Entered {
                owner: self.instance,
                id,
                meta,
                ids,
            },
        }
    }
}

impl NativeSpan {
    pub(crate) fn enter(&self) {
        // A span the store had no room for is not entered, as `tracing` spans without a slot
        // are not: its children hang from the current span instead.
        if self.entered.id != u64::MAX {
            stack::push(self.entered);
        }
    }

    pub(crate) fn exit(&self) {
        stack::pop(self.entered.owner, self.entered.id);
    }

    /// Records `value` as the field `field` of the span's metadata.
    pub(crate) fn record(&self, field: &tracing::field::Field, value: &dyn tracing::Value) {
        self.record_with(|visit| value.record(field, visit));
    }

    /// Lets `f` record any number of values on the span, taking its record once.
    pub(crate) fn record_with(&self, f: impl FnOnce(&mut dyn tracing::field::Visit)) {
        STORE.with_record(
            self.entered.id,
            |record| {
                if record.sampled {
                    f(record);
                }
            },
            // A made-up id closed the span early through `tracing`'s API: it still reaches
            // the subscriber it was opened in.
            |record| {
                if let Some(subscriber) = self.dispatch.downcast_ref::<AcmSubscriber>() {
                    subscriber.closed(record);
                }
            },
        );
    }

    pub(crate) fn metadata(&self) -> &'static Metadata<'static> {
        self.entered.meta
    }

    /// The span as a `tracing::Span` handle, for code that wants one.
    pub(crate) fn to_span(&self) -> tracing::Span {
        // `tracing` makes handles to existing spans only for the current one.
        tracing::dispatcher::with_default(&self.dispatch, || {
            self.enter();
            let span = tracing::Span::current();
            self.exit();
            span
        })
    }
}

impl Drop for NativeSpan {
    fn drop(&mut self) {
        self.dispatch.try_close(Id::from_u64(self.entered.id));
    }
}

impl std::fmt::Debug for NativeSpan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NativeSpan")
            .field("id", &self.entered.id)
            .field("name", &self.entered.meta.name())
            .finish_non_exhaustive()
    }
}
