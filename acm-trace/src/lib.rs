//! # acm-trace
//!
//! Compile-time checked OpenTelemetry span instrumentation for data pipelines.
//!
//! [`#[acm_span("category.operation")]`](acm_span) rewrites a function to open a span whose name
//! follows the naming convention and whose kind follows from its category; [`span!`] does the
//! same for a block, a closure or a future. A name that breaks the convention does not compile:
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
//! Spans go where the program's telemetry sends them. `init().start()` ([`init`]) installs
//! acm-trace's own subscriber, which exports over OTLP to a configured endpoint (standard
//! `OTEL_*` variables) or, with none, writes OTLP/JSON lines to disk and prints a colour-coded
//! tree of each run; `init().build()` returns a layer for a `tracing-subscriber` stack of your
//! own.
//!
//! ## The naming convention
//!
//! 1 to 3 dot-separated segments, `category[.subcategory[.operation]]`, each
//! `[a-z][a-z0-9_]*`; a `{placeholder}` may stand for any segment but the first; the category
//! must be one of the categories below, and gives the span kind and the default `acm.phase`.
//!
//! ## Options
//!
//! The full reference, with an example of each, is on [`acm_span`]:
//!
//! - [`kind = auto | client | server | producer | consumer | internal`](acm_span#kind--)
//!   (default `auto`: the category's kind);
//! - [`phase = "fit"`](acm_span#phase--): overrides the category's phase;
//! - [`key = expr`, `key = %expr` (Display), `key = ?expr` (Debug)](acm_span#attributes):
//!   recorded as `acm.key`; arguments are never recorded unless named this way;
//! - [`track_resources`](acm_span#track_resources): records `acm.mem_mb`, `acm.mem_delta_mb`,
//!   `acm.cpu_pct`, `acm.duration_s`;
//! - [placeholders](acm_span#placeholders) `{arg}`, `{arg.field}`, `{self.field}`, `{CONST}`,
//!   `{Self::NAME}`, and on an [`impl` block](acm_span#impl-blocks) `{fn}`, with `skip` to opt
//!   a method out.
//!
//! ## Categories
//!
//! Each category gives its spans a kind, and with it the colour of acm-trace's own views
//! (the terminal tree), and a default `acm.phase`. Grafana colours spans by service, not by
//! kind; there, the kind is a filter (`span:kind = client`).
//!
#![doc = include_str!("docs/categories.md")]
//!
//! The same list is [`taxonomy::CATEGORIES`], which this table is checked against.
//!
//! ## Results and outcomes
//!
//! A `Result` return sets `acm.outcome` to `success` or `fail`; on `Err` the span status is
//! ERROR with the error's `Display` text (its type name when it has no `Display`, or when
//! [`TelemetryBuilder::error_messages`] is off; at most [`MAX_ERROR_MESSAGE_LEN`] bytes) and
//! `acm.error_type` is the error's type name. A panic sets `fail` and `acm.error_type =
//! "panic"`. A future dropped before it completes says `cancelled`. [`set_outcome`] sets
//! `noop` or `skip` from inside the body.
//!
//! ## Features
//!
//! `enable` (default): with it off, `#[acm_span]` and `span!` leave the code as it was, but
//! names are still checked and attribute values still type-checked; see
//! [the `enable` Cargo feature](acm_span#the-enable-cargo-feature).

#[doc = include_str!("docs/acm_span.md")]
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

/// What an attribute value (`key = expr`) can be: numbers, booleans, strings, `Option`s and
/// references of those (`tracing`'s `Value` trait). A value of another type is recorded through
/// its `Display` (`key = %expr`) or `Debug` (`key = ?expr`); a compile error names this trait
/// when neither was written.
///
/// ```
/// fn recordable(_: &dyn acm_trace::Value) {}
/// recordable(&3_u32);
/// recordable(&"pca");
/// ```
pub use acm_trace_runtime::private::Value;

/// The naming convention: categories, kinds, phases and the name grammar.
pub mod taxonomy {
    pub use acm_trace_taxonomy::{
        ATTRIBUTE_PREFIX, CATEGORIES, Category, MAX_CALLER_ATTRIBUTES, MAX_LEVELS, NameError,
        PHASES, STANDARD_FIELDS, Segment, SpanName, StandardField, category, category_kind,
        validate_name,
    };
}

#[doc(hidden)]
pub use acm_trace_runtime::private as __private;
