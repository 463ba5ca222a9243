use acm_trace::acm_span;

#[acm_span("pipeline.run", track_resources = true)]
fn run() {}

fn main() {
    run();
}
