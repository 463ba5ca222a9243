//! What `#[acm_span]` and `span!` expansions call. Not a public API: it changes with the
//! macros, which refer to it as `::acm_trace::__private`.

pub use crate::__acm_site as site;
pub use crate::block::BlockSpan;
pub use crate::catalog::SITES;
pub use crate::future::{Instrumented, NoProbe, Probe as FutureProbe};
pub use crate::guard::{Guard, PendingSpan, enabled};
pub use crate::outcome::{ErrorText, Finding, probe};
pub use crate::resources::ResourceStart;
pub use crate::site::{DYNAMIC_NAME, SpanSite, TRACK_RESOURCES};
pub use crate::{Kind, Phase};
pub use acm_trace_taxonomy::STANDARD_FIELDS;
pub use core::option::Option::{None, Some};
pub use core::{file, line, module_path};
pub use linkme;
pub use std::boxed::Box;
pub use std::format_args;
pub use tracing::field::{debug, display};
pub use tracing_core::field::Value;

/// Calls the function body, wrapped in a closure by the expansion.
#[inline(always)]
pub fn call_once<R>(body: impl FnOnce() -> R) -> R {
    body()
}

/// Runs `future` inside `span`; `probe` reads the outcome from the output. The probe's
/// argument type comes from the future, not from the declared return type, so a future of
/// the wrong output is reported once, at the return type, and never as a probe mismatch.
#[inline]
pub fn instrument_probed<F, P>(span: PendingSpan, future: F, probe: P) -> Instrumented<F, P>
where
    F: std::future::Future,
    P: FnOnce(&F::Output, &mut PendingSpan),
{
    Instrumented::new(span, future, probe)
}

/// Runs `future` inside `span`, recording the outcome its output implies.
#[inline]
pub fn instrument<F, P>(span: PendingSpan, future: F, probe: P) -> Instrumented<F, P>
where
    F: std::future::Future,
    P: crate::future::Probe<F::Output>,
{
    Instrumented::new(span, future, probe)
}
