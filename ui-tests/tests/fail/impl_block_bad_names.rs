use acm_trace::acm_span;

struct Detector;

#[acm_span("score.{fn}")]
impl Detector {
    fn score(&self) -> u32 {
        1
    }

    #[allow(non_snake_case)]
    fn scoreAll(&self) -> u32 {
        2
    }
}

struct Other;

// An invalid template is reported once, not once per method.
#[acm_span("score.{fn}", kind = clint)]
impl Other {
    fn a(&self) {}
    fn b(&self) {}
}

#[acm_span("score.{fn}.a.b")]
impl Other {
    fn c(&self) {}
}

fn main() {
    let _ = Detector.score() + Detector.scoreAll();
    Other.a();
    Other.b();
    Other.c();
}
