use crate::{Kind, Phase};

/// A known span category: the first segment of every span name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Category {
    /// The segment as written in span names.
    pub name: &'static str,
    /// The span kind of every span in this category unless `kind = …` overrides it.
    pub kind: Kind,
    /// The default `acm.phase` of spans in this category.
    pub phase: Phase,
}

const fn c(name: &'static str, kind: Kind, phase: Phase) -> Category {
    Category { name, kind, phase }
}

/// The built-in categories of an ACM-shaped pipeline, grouped by kind: I/O is CLIENT,
/// computation INTERNAL, entry points and control flow SERVER, data production PRODUCER and
/// the stages that consume earlier results CONSUMER. Each has the default phase of the
/// pipeline stage it belongs to.
pub const CATEGORIES: [Category; 31] = [
    // CLIENT (blue): I/O
    c("load", Kind::Client, Phase::Load),
    c("sql", Kind::Client, Phase::Persist),
    c("persist", Kind::Client, Phase::Persist),
    c("write", Kind::Client, Phase::Persist),
    c("read", Kind::Client, Phase::Load),
    c("fetch", Kind::Client, Phase::Load),
    c("config", Kind::Client, Phase::Startup),
    // INTERNAL (green): computation
    c("fit", Kind::Internal, Phase::Fit),
    c("score", Kind::Internal, Phase::Score),
    c("compute", Kind::Internal, Phase::Features),
    c("calibrate", Kind::Internal, Phase::Fit),
    c("regimes", Kind::Internal, Phase::Fit),
    c("drift", Kind::Internal, Phase::Score),
    c("hash", Kind::Internal, Phase::Features),
    c("normalize", Kind::Internal, Phase::Features),
    c("impute", Kind::Internal, Phase::Features),
    // SERVER (purple): entry points and control flow
    c("startup", Kind::Server, Phase::Startup),
    c("outputs", Kind::Server, Phase::Analytics),
    c("finalize", Kind::Server, Phase::Finalize),
    c("shutdown", Kind::Server, Phase::Finalize),
    c("pipeline", Kind::Server, Phase::Pipeline),
    c("models", Kind::Server, Phase::Fit),
    // PRODUCER (orange): data generation and preparation
    c("features", Kind::Producer, Phase::Features),
    c("baseline", Kind::Producer, Phase::Load),
    c("data", Kind::Producer, Phase::Load),
    c("forecast", Kind::Producer, Phase::Forecast),
    c("analytics", Kind::Producer, Phase::Analytics),
    // CONSUMER (yellow): consumers of earlier stages
    c("fusion", Kind::Consumer, Phase::Fusion),
    c("thresholds", Kind::Consumer, Phase::Fusion),
    c("episodes", Kind::Consumer, Phase::Fusion),
    c("culprits", Kind::Consumer, Phase::Fusion),
];

/// The category named `name`, if it is known.
pub fn category(name: &str) -> Option<&'static Category> {
    CATEGORIES.iter().find(|c| c.name == name)
}

/// The span kind of a category, if the category is known.
///
/// ```
/// use acm_trace_taxonomy::{category_kind, Kind};
/// assert_eq!(category_kind("sql"), Some(Kind::Client));
/// assert_eq!(category_kind("fuse"), None);
/// ```
pub fn category_kind(name: &str) -> Option<Kind> {
    category(name).map(|c| c.kind)
}
