use acm_trace::acm_span;

#[acm_span("sql.insert", knd = client)]
fn insert() {}

#[acm_span("sql.insert", phse = "persist")]
fn insert_phase() {}

fn main() {
    insert();
    insert_phase();
}
