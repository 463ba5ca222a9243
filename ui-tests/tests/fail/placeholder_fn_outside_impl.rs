use acm_trace::acm_span;

#[acm_span("fit.{fn}")]
fn fit() {}

fn main() {
    fit();
}
