use acm_trace::acm_span;

#[acm_span("fit.fitPCA")]
fn fit() {}

fn main() {
    fit();
}
