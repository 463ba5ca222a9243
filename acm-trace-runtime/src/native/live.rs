//! A span between its opening and its last handle's drop.

use std::sync::Mutex;
use std::sync::atomic::AtomicUsize;

use tracing_core::Metadata;

use crate::SpanIds;
use crate::layer::SpanRecord;

pub(super) struct LiveSpan {
    pub(super) ids: SpanIds,
    pub(super) meta: &'static Metadata<'static>,
    /// Handles to the span (`tracing::Span` clones); the span ends when the last one drops.
    pub(super) refs: AtomicUsize,
    /// Locked only to record values after the span opened, which instrumented functions do
    /// only when they fail.
    pub(super) record: Mutex<SpanRecord>,
}
