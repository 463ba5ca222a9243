// Shape 41: an unused argument is still reported by `unused_variables`, at the argument.
#![deny(unused_variables)]

use acm_trace::acm_span;

#[acm_span("fit.pca")]
fn fit(rows: u32, unused: &str) -> u32 {
    rows
}

#[acm_span("fit.later")]
async fn later(unused_too: u32) {}

#[acm_span("fit.fut")]
fn fut(unused_fut: u32) -> impl std::future::Future<Output = ()> {
    async {}
}

fn main() {
    let _ = fit(1, "");
    let _ = later(1);
    let _ = fut(1);
}
