// Shape 21: the attribute on a whole impl block: `{fn}` names each method, `skip` opts a
// method out, and a method's own attribute wins.
#![deny(warnings)]

use acm_trace::{Kind, acm_span};

struct Detector {
    k: u32,
}

#[acm_span("score.{fn}", kind = consumer)]
impl Detector {
    const LIMIT: u32 = 10;

    fn new(k: u32) -> Self {
        Detector { k }
    }

    fn score(&self, x: u32) -> u32 {
        (x * self.k).min(Self::LIMIT)
    }

    fn r#type(&self) -> &'static str {
        "detector"
    }

    /// `{fn}` drops the underscore, which only silences lints: `score.internal`.
    fn _internal(&self) -> u32 {
        self.k
    }

    async fn later(&self) -> u32 {
        self.k
    }

    #[acm_span(skip)]
    fn hot(&self) -> u32 {
        self.k
    }

    #[acm_span("fit.detector", n = self.k)]
    fn fit(&mut self) -> Result<(), String> {
        if self.k == 0 {
            return Err("k = 0".to_owned());
        }
        Ok(())
    }

    /// `const fn` cannot open a span: skip it explicitly.
    #[acm_span(skip)]
    const fn limit() -> u32 {
        Self::LIMIT
    }
}

trait Named {
    fn name(&self) -> String;
    fn title(&self) -> String {
        self.name().to_uppercase()
    }
}

#[acm_span("outputs.named.{fn}")]
impl Named for Detector {
    fn name(&self) -> String {
        format!("d{}", self.k)
    }
}

fn main() {
    let mut d = Detector::new(3);
    assert_eq!(d.score(2), 6);
    assert_eq!(d.score(5), 10);
    assert_eq!(d.r#type(), "detector");
    assert_eq!(d._internal(), 3);
    assert_eq!(d.hot(), 3);
    assert_eq!(d.fit(), Ok(()));
    assert_eq!(Detector::new(0).fit(), Err("k = 0".to_owned()));
    assert_eq!(Detector::limit(), 10);
    assert_eq!(d.title(), "D3");
    let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    assert_eq!(rt.block_on(d.later()), 3);

    let sites: Vec<_> = acm_trace::catalog::sites().collect();
    let find = |name: &str| sites.iter().find(|s| s.name == name).copied();
    for name in [
        "score.new",
        "score.score",
        "score.type",
        "score.internal",
        "score.later",
        "outputs.named.name",
    ] {
        assert!(find(name).is_some(), "{name} missing");
    }
    assert_eq!(find("score.score").unwrap().kind, Kind::Consumer);
    assert_eq!(find("fit.detector").unwrap().kind, Kind::Internal);
    assert!(find("score.hot").is_none());
    assert!(find("score.limit").is_none());
    assert_eq!(Consts::one() + ZERO, 1);
    assert!(find("calibrate.one").is_some());
    assert!(find("calibrate.zero").is_none());
}

struct Consts;

// A `const fn` in an instrumented impl block is left as it is.
#[acm_span("calibrate.{fn}")]
impl Consts {
    const fn zero() -> u32 {
        0
    }

    fn one() -> u32 {
        Self::zero() + 1
    }
}

const ZERO: u32 = Consts::zero();
