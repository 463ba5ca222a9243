// Shape 40: `dead_code` still sees an unused instrumented fn, so `#[expect(dead_code)]` is
// fulfilled (an unfulfilled expectation would be a warning, denied here).
#![deny(warnings)]

use acm_trace::acm_span;

#[expect(dead_code)]
#[acm_span("fit.unused")]
fn unused() -> u32 {
    1
}

#[acm_span("fit.unused_too")]
#[expect(dead_code)]
fn unused_too(a: u32) -> u32 {
    a
}

struct S;

impl S {
    #[expect(dead_code)]
    #[acm_span("fit.unused_method")]
    fn unused_method(&self) {}
}

#[acm_span("fit.used")]
fn used(#[expect(unused_variables)] a: u32) {}

fn main() {
    let _ = S;
    used(1);
}
