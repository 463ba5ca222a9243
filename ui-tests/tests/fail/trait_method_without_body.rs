use acm_trace::acm_span;

trait Score {
    #[acm_span("score.detector")]
    fn score(&self) -> f64;
}

fn main() {}
