use acm_trace::acm_span;

#[acm_span("fit.{detectr}")]
fn fit(detector: &str) {
    let _ = detector;
}

#[acm_span("fit.{model}")]
fn fit_all(rows: u32, cols: u32) {
    let _ = (rows, cols);
}

#[acm_span("fit.{model}")]
fn fit_none() {}

fn main() {
    fit("pca");
    fit_all(1, 2);
    fit_none();
}
