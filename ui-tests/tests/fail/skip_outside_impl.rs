use acm_trace::acm_span;

#[acm_span(skip)]
fn hot() {}

fn main() {
    hot();
}
