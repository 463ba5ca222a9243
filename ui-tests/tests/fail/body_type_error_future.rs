use acm_trace::acm_span;

// A future of the wrong output type: rustc reports it at the declared return type (E0271),
// and twice more at the attribute, about the closure that reads the output's outcome, which
// is typed with the declared output.
#[acm_span("fit.future")]
fn future() -> impl std::future::Future<Output = u32> {
    async { "soon" }
}

fn main() {
    let _ = future();
}
