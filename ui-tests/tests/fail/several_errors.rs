use acm_trace::acm_span;

// One build reports every mistake: the name, the option typo, the kind and the attribute.
#[acm_span("Fuse.scores", knd = client, kind = clint, outcome = 1)]
fn fuse() {}

#[acm_span("fit.{detectr}.x.y", track_resource)]
fn fit(detector: &str) {
    let _ = detector;
}

fn main() {
    fuse();
    fit("pca");
}
