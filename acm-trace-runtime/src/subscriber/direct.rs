//! Spans that instrumented code opens on [`AcmSubscriber`] directly: the guard of an
//! `#[acm_span]` function knows its site and parent already, and it never leaves its thread
//! while the span is entered, so the span needs neither `tracing`'s span handle nor a slot in
//! the shared store. Its record lives in the guard; closing it moves the record into the
//! collector's buffer.

use std::sync::atomic::{AtomicU64, Ordering};

use opentelemetry::trace::SpanId;
use tracing::Metadata;
use tracing::span::Id;
use tracing_core::span::Current;

use super::collector::FinishedSpan;
use super::queue::{Pushed, push_to_ring};
use super::stack;
use super::store::STORE;
use crate::AcmSubscriber;
use crate::backend::Backend;
use crate::clock::Timestamp;
use crate::span::{SpanRecord, open_record};

/// An acm span opened by [`AcmSubscriber`] directly. It behaves as a `tracing` span of the
/// same subscriber: it is entered on the same per-thread stack, its children and events find
/// it there, and `Span::current()` inside it returns a handle to it. Such a handle is the only
/// thing that needs the span in the shared store: the first one asked for puts a stand-in
/// there ([`AcmSubscriber::current_direct`]) that collects what handles record. When this
/// value is dropped, the span's record replaces the stand-in, taking what it collected, and
/// the span ends with the last handle, as any span of the store does.
pub(crate) struct NativeSpan {
    /// The dispatcher the span was opened in, kept alive until the span is handed to it.
    dispatch: tracing::Dispatch,
    owner: u64,
    /// What tells its entries on the thread's stack apart (its span id).
    key: u64,
    /// Moved out when the span is dropped.
    record: std::mem::ManuallyDrop<SpanRecord>,
    /// The stand-in's store id once a `tracing` handle was asked for, 0 before. Atomic so the
    /// span stays `Sync`, as a future carrying it may need to be; only the thread where the
    /// span is entered touches it.
    stand_in: AtomicU64,
}

impl AcmSubscriber {
    /// Opens a span of `site` as a child of this thread's current span. `dispatch` is the
    /// dispatcher this subscriber is installed in.
    #[inline(always)]
    pub(crate) fn open(
        &self,
        site: &'static crate::SpanSite,
        dispatch: &tracing::Dispatch,
    ) -> NativeSpan {
        let parent = self.current_ids();
        let record = open_record(
            &self.ids,
            self.sampler.as_ref(),
            parent,
            site.metadata(),
            Some(site),
        );
        NativeSpan {
            dispatch: dispatch.clone(),
            owner: self.instance,
            key: span_key(record.ids().span_id),
            record: std::mem::ManuallyDrop::new(record),
            stand_in: AtomicU64::new(0),
        }
    }

    /// The current span for `tracing`'s API when it is `entered`, a span opened directly:
    /// its stand-in in the store, put there the first time.
    pub(super) fn current_direct(&self, entered: stack::Entered) -> Current {
        let mut id = entered.id;
        if id == 0 {
            let site = crate::catalog::site_of(entered.meta);
            let stand_in = SpanRecord::stand_in(entered.ids, site, entered.meta);
            let Some(stored) = STORE.insert(entered.ids, entered.meta, stand_in) else {
                return Current::none();
            };
            id = stored;
            stack::promote(self.instance, entered.key, id);
        }
        Current::new(Id::from_u64(id), entered.meta)
    }
}

fn span_key(span_id: SpanId) -> u64 {
    u64::from_be_bytes(span_id.to_bytes())
}

impl NativeSpan {
    pub(crate) fn enter(&self) {
        stack::push(stack::Entered {
            owner: self.owner,
            id: self.stand_in.load(Ordering::Relaxed),
            direct: true,
            key: self.key,
            meta: self.metadata(),
            ids: self.record.ids(),
        });
    }

    pub(crate) fn exit(&self) {
        let stand_in = stack::pop(self.owner, true, self.key);
        if stand_in != 0 {
            self.stand_in.store(stand_in, Ordering::Relaxed);
        }
    }

    /// Records `value` as the field `field` of the span's metadata.
    pub(crate) fn record(&mut self, field: &tracing::field::Field, value: &dyn tracing::Value) {
        self.record_with(|visit| value.record(field, visit));
    }

    /// Lets `f` record any number of values on the span.
    pub(crate) fn record_with(&mut self, f: impl FnOnce(&mut dyn tracing::field::Visit)) {
        if self.record.sampled {
            f(&mut *self.record);
        }
    }

    pub(crate) fn metadata(&self) -> &'static Metadata<'static> {
        self.record.metadata()
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
        // SAFETY: `drop` runs once, and nothing reads `self.record` after this.
        let mut record = unsafe { std::mem::ManuallyDrop::take(&mut self.record) };
        let stand_in = *self.stand_in.get_mut();
        if stand_in != 0 {
            // The span becomes its stand-in, with what was recorded through `tracing` handles,
            // and ends as a span of the store does: with the last handle.
            STORE.with_record(
                stand_in,
                |stored| {
                    record.absorb(stored);
                    std::mem::swap(stored, &mut record);
                },
                |_| {},
            );
            self.dispatch.try_close(Id::from_u64(stand_in));
            return;
        }
        if !record.sampled {
            return;
        }
        // Straight into this thread's ring (the owner is the collector's id too); the
        // subscriber is only looked up when the ring needs help.
        let span = FinishedSpan {
            record,
            end_time: Timestamp::now(),
        };
        match push_to_ring(self.owner, span) {
            Pushed::Kept => {}
            pushed => {
                if let Backend::Subscriber(subscriber) = Backend::of(&self.dispatch) {
                    subscriber.collector.pushed(pushed);
                }
            }
        }
    }
}

impl std::fmt::Debug for NativeSpan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NativeSpan")
            .field("span_id", &self.record.ids().span_id)
            .field("name", &self.metadata().name())
            .finish_non_exhaustive()
    }
}
