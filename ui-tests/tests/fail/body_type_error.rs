use acm_trace::acm_span;

#[acm_span("fit.pca")]
fn fit(rows: u32) -> u32 {
    if rows == 0 {
        return "none";
    }
    rows
}

#[acm_span("fit.result")]
fn fit_result(rows: u32) -> Result<u32, String> {
    Ok(rows.to_string())
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
