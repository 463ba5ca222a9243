// `#[tracing::instrument]` habits: the name is the first argument, and acm spans have no
// level or target of their own.
use acm_trace::acm_span;

#[acm_span(name = "fit.pca")]
fn named() {}

#[acm_span(name = "Fit.PCA")]
fn named_badly() {}

#[acm_span("fit.pca", level = "debug")]
fn level() {}

#[acm_span("fit.pca", level = tracing::Level::DEBUG, target = "models")]
fn level_and_target() {}

fn main() {
    named();
    named_badly();
    level();
    level_and_target();
}
