use acm_trace::acm_span;

#[acm_span]
fn bare() {}

#[acm_span(kind = client)]
fn options_only() {}

fn main() {
    bare();
    options_only();
}
