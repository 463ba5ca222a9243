use acm_trace::acm_span;

#[acm_span("score.{fn}")]
trait Score {
    fn score(&self) -> f64 {
        1.0
    }
}

fn main() {}
