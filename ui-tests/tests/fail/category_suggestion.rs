use acm_trace::acm_span;

#[acm_span("fuse.scores")]
fn fuse() {}

#[acm_span("load_data")]
fn load() {}

#[acm_span("thresold.adaptive")]
fn threshold() {}

fn main() {
    fuse();
    load();
    threshold();
}
