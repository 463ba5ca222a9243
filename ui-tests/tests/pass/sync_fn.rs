// Shape 1: a plain sync fn, with the options: kind, phase, attributes, track_resources.
#![deny(warnings)]

use acm_trace::{Kind, Phase, acm_span};

#[acm_span("fit.pca")]
fn add(a: u32, b: &str) -> u32 {
    a + b.len() as u32
}

#[acm_span("forecast.fit_degradation", kind = internal, phase = "fit")]
fn degrade(h: &[f64]) -> f64 {
    h.iter().copied().fold(0.0, f64::max)
}

#[acm_span("sql.bulk_insert", kind = auto, n_operations = ops.len(), label = %name, shape = ?ops)]
fn insert(ops: &[u8], name: &str) -> usize {
    ops.len() + name.len()
}

#[acm_span("pipeline.run", track_resources)]
fn run() {}

#[acm_span("persist.scores", kind = client, phase = "persist", track_resources, rows = 3_u64)]
fn persist() -> bool {
    true
}

fn site(function: &str) -> &'static acm_trace::SpanSite {
    acm_trace::catalog::sites()
        .find(|s| s.function == function)
        .unwrap_or_else(|| panic!("no site for `{function}`"))
}

fn main() {
    assert_eq!(add(1, "ab"), 3);
    assert!((degrade(&[0.5, 2.0]) - 2.0).abs() < f64::EPSILON);
    assert_eq!(insert(&[1, 2], "abc"), 5);
    run();
    assert!(persist());

    let s = site("add");
    assert_eq!((s.name, s.category, s.kind, s.phase), ("fit.pca", "fit", Kind::Internal, Phase::Fit));
    assert!(s.is_static && !s.track_resources);
    assert_eq!(s.file, file!());
    let s = site("degrade");
    assert_eq!((s.kind, s.phase), (Kind::Internal, Phase::Fit));
    assert_eq!(site("insert").kind, Kind::Client);
    assert_eq!(site("run").kind, Kind::Server);
    assert!(site("run").track_resources);
    assert_eq!(site("persist").phase, Phase::Persist);
    acm_trace::catalog::check().unwrap();
}
