//! The one seam between instrumented code and the back ends: which of them records spans under
//! a dispatcher. Code that must know the back end asks here, once per span; nothing else in
//! the crate looks inside a dispatcher.

use tracing::Dispatch;

use crate::{AcmLayer, AcmSubscriber};

/// Who records spans under a dispatcher.
pub(crate) enum Backend<'a> {
    /// acm-trace's own subscriber: instrumented code opens spans on it directly.
    Subscriber(&'a AcmSubscriber),
    /// A `tracing-subscriber` registry with acm-trace's lean layer, which reads a site's static
    /// attributes and the run context itself.
    LeanLayer(Option<&'a tracing_subscriber::Registry>),
    /// Any other subscriber (tracing-opentelemetry, say): spans carry every attribute as a
    /// recorded field.
    Other,
    /// No subscriber at all: a callsite can keep an old interest after a scoped subscriber
    /// is gone.
    Nothing,
}

impl<'a> Backend<'a> {
    pub(crate) fn of(dispatch: &'a Dispatch) -> Self {
        if let Some(subscriber) = dispatch.downcast_ref::<AcmSubscriber>() {
            Backend::Subscriber(subscriber)
        } else if dispatch.is::<AcmLayer>() {
            Backend::LeanLayer(dispatch.downcast_ref::<tracing_subscriber::Registry>())
        } else if dispatch.is::<tracing_core::subscriber::NoSubscriber>() {
            Backend::Nothing
        } else {
            Backend::Other
        }
    }
}
