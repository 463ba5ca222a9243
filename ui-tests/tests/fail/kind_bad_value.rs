use acm_trace::acm_span;

#[acm_span("sql.insert", kind = clint)]
fn insert() {}

#[acm_span("sql.insert", kind = database)]
fn insert_db() {}

#[acm_span("sql.insert", kind = "client")]
fn insert_str() {}

fn main() {
    insert();
    insert_db();
    insert_str();
}
