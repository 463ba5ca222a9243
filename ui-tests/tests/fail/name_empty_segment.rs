use acm_trace::acm_span;

// The function stays defined, inner attributes in place: one error, no cascade.
#[acm_span("fit..pca")]
fn fit() {
    #![allow(unused_variables)]
    let unused = 1;
}

fn main() {
    fit();
}
