use acm_trace::acm_span;

#[acm_span("models.pca")]
struct Pca {
    k: usize,
}

fn main() {
    let _ = Pca { k: 1 }.k;
}
