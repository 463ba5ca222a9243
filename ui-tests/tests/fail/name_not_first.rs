use acm_trace::acm_span;

#[acm_span(kind = client, "sql.insert")]
fn insert() {}

fn main() {
    insert();
}
