// `#[tracing::instrument]` habits: arguments are never recorded unless named, so there is
// nothing to skip, and fields are plain options.
use acm_trace::acm_span;

#[acm_span("fit.pca", skip(x))]
fn skip_some(x: &[f64], rows: usize) -> usize {
    x.len() + rows
}

#[acm_span("fit.pca", skip_all)]
fn skip_all(x: &[f64]) -> usize {
    x.len()
}

#[acm_span("fit.pca", fields(n_rows = x.len(), %label))]
fn fields(x: &[f64], label: &str) -> usize {
    x.len() + label.len()
}

#[acm_span("fit.pca", n.rows = x.len(), model.kind.name = %label)]
fn dotted(x: &[f64], label: &str) -> usize {
    x.len() + label.len()
}

fn main() {
    skip_some(&[], 1);
    skip_all(&[]);
    fields(&[], "");
    dotted(&[], "");
}
