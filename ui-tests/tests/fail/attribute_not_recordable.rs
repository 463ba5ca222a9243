// An attribute value that cannot be recorded is reported at the user's expression, not at the
// attribute; `key = %expr` or `key = ?expr` records it through `Display` or `Debug`.
use acm_trace::acm_span;

struct Model;

#[acm_span("fit.pca", model = Model)]
fn fit() {}

fn main() {
    fit();
}
