use acm_trace::acm_span;

#[acm_span("fit.pca_{x}")]
fn fit(x: &str) {
    let _ = x;
}

fn main() {
    fit("a");
}
