use acm_trace::acm_span;

#[acm_span("data.guardrails.data_quality.missing")]
fn check() {}

fn main() {
    check();
}
