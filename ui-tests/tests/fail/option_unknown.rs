use acm_trace::acm_span;

#[acm_span("pipeline.run", track_resource)]
fn run() {}

#[acm_span("pipeline.run", verbose)]
fn run_verbose() {}

fn main() {
    run();
    run_verbose();
}
