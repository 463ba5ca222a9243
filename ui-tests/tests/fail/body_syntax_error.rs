use acm_trace::acm_span;

#[acm_span("fit.pca")]
fn fit(rows: u32) -> u32 {
    let x = ;
    rows
}

fn main() {
    let _ = fit(1);
}
