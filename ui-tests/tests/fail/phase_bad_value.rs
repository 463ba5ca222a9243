use acm_trace::acm_span;

#[acm_span("fit.pca", phase = "fitting")]
fn fit() {}

#[acm_span("fit.pca", phase = fit)]
fn fit_ident() {}

fn main() {
    fit();
    fit_ident();
}
