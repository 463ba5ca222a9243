// `#[tracing::instrument]` habits: outcomes are recorded without `err` or `ret`, the parent is
// the current span, and there are no links.
use acm_trace::acm_span;

#[acm_span("load.data", err)]
fn err() -> Result<u32, String> {
    Ok(1)
}

#[acm_span("load.data", err(Debug), ret(Display))]
fn err_ret_formats() -> Result<u32, String> {
    Ok(1)
}

#[acm_span("load.data", ret)]
fn ret() -> u32 {
    1
}

#[acm_span("load.data", parent = None)]
fn root() {}

#[acm_span("load.data", follows_from = [1_u64])]
fn linked() {}

fn main() {
    let _ = err();
    let _ = err_ret_formats();
    ret();
    root();
    linked();
}
