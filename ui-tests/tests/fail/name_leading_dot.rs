use acm_trace::acm_span;

#[acm_span(".fit.pca")]
fn fit() {}

fn main() {
    fit();
}
