use acm_trace::acm_span;

#[acm_span("{stage}.pca")]
fn run(stage: &str) {
    let _ = stage;
}

fn main() {
    run("fit");
}
