use acm_trace::acm_span;

struct Detector;

// A syntax error in one method of an instrumented impl block: one error, and the other
// methods stay defined.
#[acm_span("score.{fn}")]
impl Detector {
    fn score(&self) -> u32 {
        let x = ;
        1
    }

    fn name(&self) -> &str {
        "detector"
    }
}

fn main() {
    let _ = Detector.score();
    let _ = Detector.name();
}
