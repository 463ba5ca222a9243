use acm_trace::acm_span;

#[acm_span("banana.split")]
fn split() {}

fn main() {
    split();
}
