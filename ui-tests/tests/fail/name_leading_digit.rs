use acm_trace::acm_span;

#[acm_span("fit.2pca")]
fn fit() {}

fn main() {
    fit();
}
