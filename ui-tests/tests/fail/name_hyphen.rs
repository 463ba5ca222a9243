use acm_trace::acm_span;

#[acm_span("features.data-quality")]
fn quality() {}

fn main() {
    quality();
}
