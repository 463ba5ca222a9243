//! The runtime of acm-trace: what `#[acm_span]` expansions call, the run context, the span
//! catalog, and the export and correlation layers.
//!
//! Users depend on the `acm-trace` facade, which re-exports this crate's public API.

// Every `unsafe` block states the invariant it relies on.
#![deny(clippy::undocumented_unsafe_blocks)]

mod backend;
mod block;
pub mod catalog;
mod clock;
pub mod context;
pub mod export;
mod fields;
mod future;
mod guard;
mod layer;
mod logs;
mod outcome;
#[doc(hidden)]
pub mod private;
mod resources;
mod site;
mod span;
mod span_state;
mod subscriber;
mod telemetry;

pub use acm_trace_taxonomy::{Kind, Phase};
pub use block::BlockSpan;
pub use context::RunContext;
pub use future::Instrumented;
pub use guard::{Guard, PendingSpan};
pub use layer::AcmLayer;
pub use logs::NoFeedback;
pub use outcome::{MAX_ERROR_MESSAGE_LEN, Outcome, set_outcome};
pub use site::SpanSite;
pub use span::{MAX_SPAN_NAME_LEN, ORIGINAL_NAME_KEY, SpanIds, current_ids};
pub use subscriber::{AcmSubscriber, SpanFlusher};
pub use telemetry::{
    ColorChoice, DEFAULT_COLLECTOR_QUEUE, EnvSource, ExportDestination, FlushError, MAX_QUEUE_SIZE,
    ProcessEnv, Protocol, ShutdownReport, StartError, Telemetry, TelemetryBuilder, TelemetryLayer,
    init,
};
