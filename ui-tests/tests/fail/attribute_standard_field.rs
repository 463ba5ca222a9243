use acm_trace::acm_span;

#[acm_span("sql.insert", outcome = 1)]
fn insert() {}

#[acm_span("sql.insert", run_id = "r1")]
fn insert_run() {}

fn main() {
    insert();
    insert_run();
}
