use acm_trace::acm_span;

#[acm_span("sql.insert", kind = client, kind = server)]
fn insert() {}

#[acm_span("sql.insert", rows = 1, rows = 2)]
fn insert_rows() {}

#[acm_span("sql.insert", track_resources, track_resources)]
fn insert_tracked() {}

fn main() {
    insert();
    insert_rows();
    insert_tracked();
}
