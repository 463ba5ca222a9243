use acm_trace::acm_span;

#[acm_span("fit.all")]
mod detectors {
    pub fn fit() {}
}

fn main() {
    detectors::fit();
}
