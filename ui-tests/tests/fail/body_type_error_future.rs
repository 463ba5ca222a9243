use acm_trace::acm_span;

// A future of the wrong output type: rustc reports it once, at the declared return type
// (E0271), as it does without the attribute.
#[acm_span("fit.future")]
fn future() -> impl std::future::Future<Output = u32> {
    async { "soon" }
}

fn main() {
    let _ = future();
}
