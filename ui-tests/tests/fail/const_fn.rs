use acm_trace::acm_span;

#[acm_span("compute.zero")]
const fn zero() -> u32 {
    0
}

fn main() {
    let _ = zero();
}
