use acm_trace::acm_span;

#[acm_span("")]
fn fit() {}

fn main() {
    fit();
}
