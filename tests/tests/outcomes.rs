//! The outcome of a `Result`-returning function is read from its value whichever way the body
//! leaves: its tail, an early `return`, `?` (with or without a `From` conversion), or a
//! `return` inside a macro. Functions whose body keeps its return position (`impl Trait`)
//! still record success and panics.

#[path = "support/capture.rs"]
mod support;

use std::error::Error;
use std::fmt::{self, Display};
use std::future::Future;
use std::num::ParseIntError;

use acm_trace::acm_span;
use opentelemetry::trace::Status;
use opentelemetry_sdk::trace::SpanData;
use support::{attr_str, capture_async_in, capture_in, each_mode, find};

type BoxError = Box<dyn Error + Send + Sync>;

#[derive(Debug)]
struct FitError {
    rows: usize,
}

impl Display for FitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot fit on {} rows", self.rows)
    }
}

impl Error for FitError {}

#[acm_span("fit.early")]
fn early(rows: usize) -> Result<usize, FitError> {
    if rows < 2 {
        return Err(FitError { rows });
    }
    Ok(rows)
}

#[acm_span("load.parsed")]
fn parsed(s: &str) -> Result<u32, ParseIntError> {
    let n: u32 = s.parse()?;
    Ok(n)
}

#[acm_span("load.converted")]
fn converted(s: &str) -> Result<u32, BoxError> {
    let n = s.parse::<u32>()?;
    if n == 0 {
        Err(FitError { rows: 0 })?;
    }
    Ok(n)
}

macro_rules! bail {
    ($e:expr) => {
        return Err($e.into())
    };
}

#[acm_span("fit.bailed")]
fn bailed(rows: usize) -> Result<usize, BoxError> {
    if rows == 0 {
        bail!(FitError { rows });
    }
    Ok(rows)
}

#[acm_span("fit.opaque_ok")]
fn opaque_ok(rows: usize) -> Result<impl Display, FitError> {
    if rows == 1 {
        return Err(FitError { rows });
    }
    let n = early(rows)?;
    Ok(n)
}

#[acm_span("compute.optional")]
fn optional(v: &[u32]) -> Option<u32> {
    let first = v.first()?;
    Some(*first)
}

#[acm_span("compute.threshold")]
fn threshold(limit: u32) -> impl Fn(&u32) -> bool {
    if limit == 0 {
        panic!("no limit");
    }
    move |x| *x < limit
}

#[acm_span("load.later")]
fn later(s: String) -> impl Future<Output = Result<u32, BoxError>> {
    // The error type comes only from the declared output.
    async move { Ok(s.trim().parse::<u32>()?) }
}

fn outcome(spans: &[SpanData], name: &str) -> Option<String> {
    attr_str(find(spans, name), "acm.outcome")
}

fn error_type(spans: &[SpanData], name: &str) -> String {
    attr_str(find(spans, name), "acm.error_type").unwrap_or_default()
}

#[test]
fn early_return_err() {
    each_mode(|mode| {
        let (out, spans) = capture_in(mode, || (early(1).is_err(), early(3).is_ok()));
        assert_eq!(out, (true, true));
        let [failed, fine] = [&spans[0], &spans[1]];
        assert_eq!(attr_str(failed, "acm.outcome").as_deref(), Some("fail"));
        assert!(attr_str(failed, "acm.error_type").is_some_and(|t| t.ends_with("FitError")));
        assert_eq!(failed.status, Status::error("cannot fit on 1 rows"));
        assert_eq!(attr_str(fine, "acm.outcome").as_deref(), Some("success"));
        assert_eq!(fine.status, Status::Unset);
    });
}

#[test]
fn question_mark() {
    each_mode(|mode| {
        let (out, spans) = capture_in(mode, || parsed("x"));
        assert!(out.is_err());
        assert_eq!(outcome(&spans, "load.parsed").as_deref(), Some("fail"));
        assert!(error_type(&spans, "load.parsed").ends_with("ParseIntError"));
        assert_eq!(
            find(&spans, "load.parsed").status,
            Status::error("invalid digit found in string")
        );
    });
}

#[test]
fn question_mark_through_from() {
    each_mode(|mode| {
        let (out, spans) = capture_in(mode, || (converted("x"), converted("0"), converted("4")));
        assert!(out.0.is_err() && out.1.is_err());
        assert_eq!(out.2.unwrap(), 4);
        let outcomes: Vec<_> = spans
            .iter()
            .map(|s| attr_str(s, "acm.outcome").unwrap())
            .collect();
        assert_eq!(outcomes, ["fail", "fail", "success"]);
        // The type the function returns, whatever `?` converted from.
        for s in &spans[..2] {
            let ty = attr_str(s, "acm.error_type").unwrap();
            assert!(
                ty.starts_with("alloc::boxed::Box<dyn core::error::Error"),
                "{ty}"
            );
        }
        assert_eq!(
            spans[0].status,
            Status::error("invalid digit found in string")
        );
        assert_eq!(spans[1].status, Status::error("cannot fit on 0 rows"));
    });
}

#[test]
fn return_inside_a_macro() {
    each_mode(|mode| {
        let (out, spans) = capture_in(mode, || bailed(0));
        assert!(out.is_err());
        assert_eq!(outcome(&spans, "fit.bailed").as_deref(), Some("fail"));
        assert_eq!(
            find(&spans, "fit.bailed").status,
            Status::error("cannot fit on 0 rows")
        );
    });
}

#[test]
fn result_of_impl_trait() {
    each_mode(|mode| {
        let (out, spans) = capture_in(mode, || {
            [
                opaque_ok(1).is_err(),
                opaque_ok(0).is_err(),
                opaque_ok(5).is_ok(),
            ]
        });
        assert_eq!(out, [true, true, true]);
        let mine: Vec<_> = spans.iter().filter(|s| s.name == "fit.opaque_ok").collect();
        let outcomes: Vec<_> = mine
            .iter()
            .map(|s| attr_str(s, "acm.outcome").unwrap())
            .collect();
        assert_eq!(outcomes, ["fail", "fail", "success"]);
        for s in &mine[..2] {
            assert!(attr_str(s, "acm.error_type").is_some_and(|t| t.ends_with("FitError")));
        }
        // The `?` path: the error of the inner call, which failed too.
        assert_eq!(mine[1].status, Status::error("cannot fit on 0 rows"));
    });
}

#[test]
fn none_through_question_mark_is_not_a_failure() {
    each_mode(|mode| {
        let (out, spans) = capture_in(mode, || optional(&[]));
        assert_eq!(out, None);
        assert_eq!(
            outcome(&spans, "compute.optional").as_deref(),
            Some("success")
        );
    });
}

#[test]
fn impl_trait_body_records_success_and_panic() {
    each_mode(|mode| {
        let (out, spans) = capture_in(mode, || {
            let below = threshold(3);
            let panicked = std::panic::catch_unwind(|| threshold(0)).is_err();
            (below(&2), panicked)
        });
        assert_eq!(out, (true, true));
        let outcomes: Vec<_> = spans
            .iter()
            .map(|s| attr_str(s, "acm.outcome").unwrap())
            .collect();
        assert_eq!(outcomes, ["success", "fail"]);
        assert_eq!(
            attr_str(&spans[1], "acm.error_type").as_deref(),
            Some("panic")
        );
    });
}

#[test]
fn future_output_result() {
    each_mode(|mode| {
        let (out, spans) = capture_async_in(mode, async {
            (later("x".to_owned()).await, later("5".to_owned()).await)
        });
        assert!(out.0.is_err());
        assert_eq!(out.1.unwrap(), 5);
        let outcomes: Vec<_> = spans
            .iter()
            .map(|s| attr_str(s, "acm.outcome").unwrap())
            .collect();
        assert_eq!(outcomes, ["fail", "success"]);
        let ty = attr_str(&spans[0], "acm.error_type").unwrap();
        assert!(
            ty.starts_with("alloc::boxed::Box<dyn core::error::Error"),
            "{ty}"
        );
        assert_eq!(
            spans[0].status,
            Status::error("invalid digit found in string")
        );
    });
}
