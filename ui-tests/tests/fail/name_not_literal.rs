use acm_trace::acm_span;

const NAME: &str = "fit.pca";

#[acm_span(NAME)]
fn from_const() {}

#[acm_span(concat!("fit", ".pca"))]
fn from_macro() {}

fn main() {
    let _ = NAME;
    from_const();
    from_macro();
}
