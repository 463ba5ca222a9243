// A placeholder naming nothing in scope is reported inside the name, and the fix rustc offers
// replaces the identifier only.
use acm_trace::acm_span;

#[acm_span("fit.{DETECTOR}")]
fn fit(detector: &str) -> usize {
    detector.len()
}

fn main() {
    fit("pca");
}
