// Two spans for one function would nest silently: one attribute per function.
use acm_trace::acm_span;

#[acm_span("fit.pca")]
#[acm_span("fit.pca_again")]
fn twice() {}

fn main() {
    twice();
}
