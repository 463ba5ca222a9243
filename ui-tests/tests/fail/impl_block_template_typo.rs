// A template placeholder that names no method's argument is reported once, at the template.
use acm_trace::acm_span;

struct Detector;

#[acm_span("score.{method}")]
impl Detector {
    fn ar1(&self) -> u32 {
        1
    }

    fn pca(&self) -> u32 {
        2
    }
}

struct Model;

// A method name that makes no valid segment is fixed on the method.
#[acm_span("fit.{fn}")]
impl Model {
    #[allow(non_snake_case)]
    fn fitPCA(&self) -> u32 {
        1
    }
}

fn main() {
    let _ = Detector.ar1() + Detector.pca() + Model.fitPCA();
}
