// Shape 40: an unused instrumented fn is still reported by `dead_code`, at the user's fn.
#![deny(dead_code)]

use acm_trace::acm_span;

#[acm_span("fit.unused")]
fn unused() -> u32 {
    1
}

#[acm_span("fit.unused_async")]
async fn unused_async() -> Result<(), String> {
    Ok(())
}

#[acm_span("fit.unused_future")]
fn unused_future() -> impl std::future::Future<Output = ()> {
    async {}
}

struct S;

impl S {
    #[acm_span("fit.unused_method")]
    fn unused_method(&self) {}
}

fn main() {
    let _ = S;
}
