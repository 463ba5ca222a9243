use acm_trace::acm_span;

#[acm_span("fit.{detector")]
fn fit(detector: &str) {
    let _ = detector;
}

#[acm_span("fit.{}")]
fn empty(detector: &str) {
    let _ = detector;
}

fn main() {
    fit("a");
    empty("a");
}
