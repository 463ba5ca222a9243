use acm_trace::acm_span;

#[acm_span("fit.pca model")]
fn space() {}

#[acm_span("fit/pca")]
fn slash() {}

#[acm_span("fit.pcá")]
fn accent() {}

fn main() {
    space();
    slash();
    accent();
}
