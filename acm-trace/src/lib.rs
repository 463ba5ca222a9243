//! # acm-trace
//!
//! Compile-time checked OpenTelemetry span instrumentation for data pipelines.
//!
//! `#[acm_span("category.operation")]` rewrites a function to open a span whose name follows
//! the naming convention and whose kind follows from its category. A name that breaks the
//! convention does not compile:
//!
//! ```compile_fail
//! #[acm_trace::acm_span("fuse.scores")] // error: unknown span category `fuse`; did you mean `fusion`?
//! fn combine() {}
//! ```
//!
//! ```
//! use acm_trace::{acm_span, Outcome, set_outcome};
//!
//! #[derive(Debug)]
//! struct FitError;
//!
//! #[acm_span("fit.pca")] // kind = auto: the `fit` category is INTERNAL
//! fn fit_pca(x: &[f64]) -> Result<f64, FitError> {
//!     if x.is_empty() { return Err(FitError) } // outcome `fail`, status ERROR
//!     Ok(x.iter().sum())
//! }
//!
//! #[acm_span("fit.{detector}", n_samples = x.len())] // static category, dynamic leaf
//! fn fit(detector: &str, x: &[f64]) {
//!     if x.is_empty() { set_outcome(Outcome::Noop) }
//! }
//!
//! #[acm_span("forecast.fit_degradation", kind = internal, phase = "forecast")]
//! fn fit_degradation(h: &[f64]) -> f64 { h.iter().copied().fold(0.0, f64::max) }
//!
//! # fn main() {
//! assert!(fit_pca(&[1.0]).is_ok());
//! fit("pca", &[]);
//! let _ = fit_degradation(&[0.5]);
//! let n = acm_trace::span!("sql.bulk_insert", n_operations = 3).in_scope(|| 3);
//! assert_eq!(n, 3);
//! # }
//! ```
//!
//! ## The naming convention
//!
//! 1 to 3 dot-separated segments, `category[.subcategory[.operation]]`, each
//! `[a-z][a-z0-9_]*`; a `{argument}` placeholder may stand for any segment but the first;
//! the category must be one of [`taxonomy::CATEGORIES`], and gives the span kind and the
//! default `acm.phase`.
//!
//! ## Options
//!
//! - `kind = auto | client | server | producer | consumer | internal` (default `auto`: the
//!   category's kind);
//! - `phase = "fit"`: overrides the category's phase;
//! - `key = expr`, `key = %expr` (Display), `key = ?expr` (Debug): recorded as `acm.key`;
//!   arguments are never recorded unless named this way;
//! - `track_resources`: records `acm.mem_mb`, `acm.mem_delta_mb`, `acm.cpu_pct`,
//!   `acm.duration_s`.
//!
//! On an `impl` block, `#[acm_span("score.{fn}")]` instruments every method, `{fn}` standing for
//! the method's name; `#[acm_span(skip)]` on a method opts it out and a method's own
//! `#[acm_span(..)]` wins.
//!
//! ## Results and outcomes
//!
//! A `Result` return sets `acm.outcome` to `success` or `fail`; on `Err` the span status is
//! ERROR with the error's `Display` text (or `Debug`, or its type name: no bound is required)
//! and `acm.error_type` is the error's type name. A panic sets `fail` and `acm.error_type =
//! "panic"`. A future dropped before it completes says `cancelled`. [`set_outcome`] sets
//! `noop` or `skip` from inside the body.
//!
//! ## Features
//!
//! `enable` (default): with it off, `#[acm_span]` and `span!` leave the code as it was, but
//! names are still checked.

/// Instruments a function, or every method of an impl block, with a span whose name is checked
/// at compile time. See the [crate documentation](crate) for the name grammar and the options.
///
/// ```
/// use acm_trace::acm_span;
///
/// struct Detector;
///
/// #[acm_span("score.{fn}")] // every method: `score.ar1`, `score.pca`
/// impl Detector {
///     fn ar1(&self) -> f64 { 1.0 }
///     fn pca(&self) -> f64 { 2.0 }
///     #[acm_span(skip)]
///     fn name(&self) -> &'static str { "detector" }
/// }
///
/// #[acm_span("load.data", rows = n, track_resources)]
/// async fn load(n: usize) -> Result<Vec<f64>, std::io::Error> {
///     Ok(vec![0.0; n])
/// }
/// # assert_eq!(Detector.ar1() + Detector.pca(), 3.0);
/// # let _ = load(3);
/// ```
pub use acm_trace_macros::acm_span;

/// A span for a block, closure or future, with the same compile-time name checks as
/// [`acm_span`]. It returns a [`BlockSpan`].
///
/// ```
/// use acm_trace::span;
///
/// let rows = vec![1, 2, 3];
/// // Runs the closure inside the span.
/// let n = span!("sql.bulk_insert", n_operations = rows.len()).in_scope(|| rows.len());
/// assert_eq!(n, 3);
///
/// // A fallible block: an `Err` fails the span (`in_scope` alone would record success).
/// let stored: Result<usize, std::io::Error> =
///     span!("sql.bulk_insert").in_scope_result(|| Ok(rows.len()));
/// assert_eq!(stored.unwrap(), 3);
///
/// // Entered until the guard is dropped.
/// let _guard = span!("persist.scores").entered();
///
/// // A future that runs inside the span and is marked cancelled if dropped early.
/// // A placeholder names a variable in scope.
/// let source = "historian";
/// let fut = span!("fetch.{source}").instrument(async { 42 });
/// # drop(fut);
/// ```
///
/// ```compile_fail
/// let _ = acm_trace::span!("sql.bulk.insert.rows"); // 4 levels: does not compile
/// ```
pub use acm_trace_macros::span;
pub use acm_trace_runtime::{
    AcmLayer, AcmSubscriber, BlockSpan, ColorChoice, DEFAULT_COLLECTOR_QUEUE, EnvSource,
    ExportDestination, FlushError, Guard, Instrumented, Kind, MAX_ERROR_MESSAGE_LEN,
    MAX_QUEUE_SIZE, MAX_SPAN_NAME_LEN, NoFeedback, ORIGINAL_NAME_KEY, Outcome, PendingSpan, Phase,
    ProcessEnv, Protocol, RunContext, ShutdownReport, SpanFlusher, SpanIds, SpanSite, StartError,
    Telemetry, TelemetryBuilder, TelemetryLayer, catalog, context, current_ids, export, init,
    set_outcome,
};

/// The naming convention: categories, kinds, phases and the name grammar.
pub mod taxonomy {
    pub use acm_trace_taxonomy::{
        CATEGORIES, Category, MAX_LEVELS, NameError, PHASES, Segment, SpanName, category,
        category_kind, validate_name,
    };
}

#[doc(hidden)]
pub use acm_trace_runtime::private as __private;
