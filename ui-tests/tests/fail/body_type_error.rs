// A type error inside an instrumented body is reported at the user's expression, on every
// path the expansion takes: the function's return position, a closure for a value that may be
// a `Result`, an async block, and `#[track_caller]`.
use acm_trace::acm_span;

#[acm_span("fit.pca")]
fn fit(rows: u32) -> u32 {
    if rows == 0 {
        return "none";
    }
    rows
}

// A type of this file, not of std: rustc's note on where the constructor is defined then quotes
// this file, whereas a std type's note would depend on whether the toolchain has `rust-src`.
struct Rows(u32);

#[acm_span("fit.result")]
fn fit_result(rows: u32) -> Result<Rows, String> {
    Ok(Rows(rows.to_string()))
}

#[acm_span("fit.later")]
async fn later() -> u32 {
    "late"
}

#[acm_span("fit.unit")]
fn unit() {
    1
}

#[acm_span("fit.later_tail")]
async fn later_no_tail(rows: u32) -> u32 {
    let _doubled = rows * 2;
}

#[acm_span("fit.caller")]
#[track_caller]
fn caller() -> u32 {
    "here"
}

fn main() {
    let _ = later_no_tail(1);
    let _ = caller();
    let _ = fit(1);
    let _ = fit_result(1);
    let _ = later();
    unit();
}
