//! Logs: `tracing` events carried to a log bridge with the ids of the span they happen in,
//! and kept apart from what the exporters themselves log.
//!
//! - `EventSink`: what [`AcmSubscriber`](crate::AcmSubscriber) hands events to, with the
//!   current span made the OpenTelemetry context so the log record carries its ids;
//! - `activation.rs`: the same for the lean layer, which makes entered spans the current
//!   context;
//! - `filter.rs`: [`NoFeedback`], which keeps the exporters' own crates out of the data.

pub(crate) mod activation;
mod filter;

use opentelemetry::trace::TraceContextExt as _;
use tracing::{Event, Metadata, Subscriber};
use tracing_subscriber::filter::LevelFilter;

pub use filter::NoFeedback;

use crate::SpanIds;

/// Where a subscriber's events go: a log layer on a registry of its own.
pub(crate) struct EventSink {
    subscriber: Box<dyn Subscriber + Send + Sync>,
    filter: NoFeedback,
}

impl EventSink {
    /// Events up to `level` to `layer`, those of the exporter crates left out.
    pub(crate) fn new<L>(layer: L, level: LevelFilter) -> Self
    where
        L: tracing_subscriber::Layer<tracing_subscriber::Registry> + Send + Sync + 'static,
    {
        use tracing_subscriber::layer::SubscriberExt as _;
        EventSink {
            subscriber: Box::new(tracing_subscriber::registry().with(layer)),
            filter: NoFeedback::new(level),
        }
    }

    pub(crate) fn filter(&self) -> NoFeedback {
        self.filter
    }

    pub(crate) fn wants(&self, meta: &Metadata<'_>) -> bool {
        self.filter.allows(meta)
    }

    /// Hands `event` on, inside the span `current` as the OpenTelemetry context.
    pub(crate) fn forward(&self, event: &Event<'_>, current: Option<SpanIds>) {
        let _active = current.map(|ids| {
            opentelemetry::Context::current()
                .with_remote_span_context(ids.span_context())
                .attach()
        });
        self.subscriber.event(event);
    }
}
