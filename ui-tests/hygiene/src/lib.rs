//! Instrumented functions of every common shape, written the way rustfmt leaves them and on
//! single lines, built in CI with `cargo clippy -p acm-trace-hygiene --all-targets -- -D
//! warnings -W clippy::pedantic`: the expansion of `#[acm_span]` and `span!` must add no
//! warning of its own, and must not hide the user's (see `ui-tests/tests/fail/lint_*.rs`).

use std::fmt::{self, Debug, Display};
use std::future::Future;

use acm_trace::{Outcome, acm_span, set_outcome, span};

/// An error with `Display`, as `Result`-returning functions use.
#[derive(Debug)]
pub struct FitError(pub String);

impl Display for FitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for FitError {}

/// Single-line bodies of every return class: where other instrumentation macros draw
/// `unused_braces`. Kept on one line against rustfmt.
#[rustfmt::skip]
pub mod single_line {
    use std::future::Future;
    use std::pin::Pin;

    use acm_trace::acm_span;

    use super::FitError;

    /// One.
    #[must_use]
    #[acm_span("fit.one")]
    pub fn one() -> u32 { 1 }

    /// Nothing.
    #[acm_span("fit.nothing")]
    pub fn nothing() {}

    /// Unit expression.
    #[acm_span("fit.unit_call")]
    pub fn unit_call(v: &mut Vec<u32>) { v.clear() }

    /// Ok.
    ///
    /// # Errors
    /// Never.
    #[acm_span("fit.ok")]
    pub fn ok() -> Result<u32, FitError> { Ok(1) }

    /// An iterator.
    #[acm_span("fit.evens")]
    pub fn evens(n: u32) -> impl Iterator<Item = u32> { (0..n).step_by(2) }

    /// A closure with a higher-ranked signature.
    #[acm_span("fit.below")]
    pub fn below(n: u32) -> impl Fn(&u32) -> bool { move |x| *x < n }

    /// A result holding an `impl Trait`.
    ///
    /// # Errors
    /// Never.
    #[acm_span("fit.shown")]
    pub fn shown() -> Result<impl std::fmt::Display, FitError> { Ok(1) }

    /// Never returns.
    #[acm_span("shutdown.forever")]
    pub fn forever() -> ! { loop { std::thread::park() } }

    /// Async one.
    #[acm_span("load.one")]
    pub async fn load_one() -> u32 { 1 }

    /// Async unit.
    #[acm_span("load.unit")]
    pub async fn load_unit() {}

    /// A future.
    #[acm_span("load.later")]
    pub fn later(a: u32) -> impl Future<Output = u32> { async move { a } }

    /// A boxed future.
    #[acm_span("load.boxed")]
    #[must_use]
    pub fn boxed(a: u32) -> Pin<Box<dyn Future<Output = u32> + Send>> { Box::pin(async move { a }) }

    /// A caller-tracked fn.
    #[must_use]
    #[track_caller]
    #[acm_span("compute.caller")]
    pub fn caller() -> u32 { std::panic::Location::caller().line() }

    /// A dynamic name.
    #[must_use]
    #[acm_span("fit.{detector}", n_samples = x.len())]
    pub fn fit(detector: &str, x: &[f64]) -> usize { detector.len() + x.len() }

    /// A type with one-line methods.
    #[derive(Debug, Default)]
    pub struct Counter(pub u32);

    #[acm_span("score.counter.{fn}")]
    impl Counter {
        /// Reads.
        #[must_use]
        pub fn get(&self) -> u32 { self.0 }

        /// A borrow of `self`.
        pub fn slot(&mut self) -> &mut u32 { &mut self.0 }

        /// Async.
        pub async fn later(&self) -> u32 { self.0 }
    }
}

// Multi-line bodies, with options.

/// Fits PCA.
///
/// # Errors
/// When `x` is empty.
#[acm_span("fit.pca", kind = internal, phase = "fit", rows = x.len(), label = %"pca", shape = ?x.first())]
pub fn fit_pca(x: &[f64]) -> Result<f64, FitError> {
    if x.is_empty() {
        return Err(FitError("empty".to_owned()));
    }
    let total: f64 = x.iter().sum();
    Ok(total)
}

/// Parses a count with `?`.
///
/// # Errors
/// When `s` is no number.
#[acm_span("load.count", track_resources)]
pub fn count(s: &str) -> Result<u32, std::num::ParseIntError> {
    let n: u32 = s.trim().parse()?;
    Ok(n * 2)
}

/// Async with `?`.
///
/// # Errors
/// When `s` is no number.
#[acm_span("sql.read", kind = client, query = s)]
pub async fn read(s: &str) -> Result<u32, std::num::ParseIntError> {
    let n: u32 = s.parse()?;
    Ok(n)
}

/// Returns a borrow.
#[acm_span("hash.first")]
pub async fn first(s: &str) -> &str {
    s.get(..1).unwrap_or_default()
}

/// Nothing to do: noop.
#[must_use]
#[acm_span("drift.check")]
pub fn check(values: &[f64]) -> usize {
    if values.is_empty() {
        set_outcome(Outcome::Noop);
        return 0;
    }
    values.len()
}

/// Generic, with a where clause.
#[acm_span("compute.largest")]
pub fn largest<T>(items: &[T]) -> Option<&T>
where
    T: PartialOrd,
{
    items.iter().fold(None, |best, x| match best {
        Some(b) if b >= x => Some(b),
        _ => Some(x),
    })
}

/// Const generics.
#[must_use]
#[acm_span("compute.width")]
pub fn width<const N: usize>(a: [u8; N]) -> usize {
    a.len() * N
}

/// `impl Trait` argument.
#[acm_span("compute.show")]
pub fn show(x: impl Debug) -> String {
    format!("{x:?}")
}

/// Destructuring.
#[must_use]
#[acm_span("compute.sum")]
pub fn sum((a, b): (u32, u32)) -> u32 {
    a + b
}

/// `unsafe fn`.
///
/// # Safety
/// `p` must be valid.
#[must_use]
#[acm_span("compute.raw")]
pub unsafe fn raw(p: *const u32) -> u32 {
    // SAFETY: the caller passes a valid pointer.
    unsafe { *p }
}

/// `extern "C"`.
#[must_use]
#[acm_span("compute.ffi")]
pub extern "C" fn ffi(a: i32) -> i32 {
    a.wrapping_mul(2)
}

/// Inner attributes.
#[must_use]
#[acm_span("calibrate.inner")]
pub fn inner(a: u32) -> u32 {
    #![allow(clippy::let_and_return)]
    let b = a + 1;
    b
}

/// A detector.
#[derive(Debug, Default)]
pub struct Detector {
    k: u32,
    name: String,
}

/// Every method gets a span named after it.
#[acm_span("score.{fn}", kind = consumer)]
impl Detector {
    /// New.
    #[must_use]
    pub fn new(k: u32) -> Self {
        Self {
            k,
            name: String::from("d"),
        }
    }

    /// Reads.
    #[must_use]
    pub fn k(&self) -> u32 {
        self.k
    }

    /// Name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Mutates.
    pub fn bump(&mut self) -> u32 {
        self.k += 1;
        self.k
    }

    /// A borrow of `self`.
    pub fn slot(&mut self) -> &mut u32 {
        &mut self.k
    }

    /// Consumes.
    #[must_use]
    pub fn into_k(self) -> u32 {
        self.k
    }

    /// Async method.
    pub async fn later(&self) -> u32 {
        self.k
    }

    /// Opted out.
    #[acm_span(skip)]
    #[must_use]
    pub fn hot(&self) -> u32 {
        self.k
    }

    /// Its own name wins.
    ///
    /// # Errors
    /// When `k` is zero.
    #[acm_span("fit.detector", k = self.k)]
    pub fn fit(&mut self) -> Result<(), FitError> {
        if self.k == 0 {
            return Err(FitError("k = 0".to_owned()));
        }
        Ok(())
    }

    /// `const fn` is left alone.
    #[must_use]
    pub const fn limit() -> u32 {
        10
    }
}

/// A trait with a default method.
pub trait Score {
    /// Scores.
    fn score(&self) -> u32;

    /// Default, instrumented.
    #[acm_span("score.weight")]
    fn weight(&self) -> u32 {
        1
    }

    /// Native async.
    fn later(&self) -> impl Future<Output = u32> + Send;
}

impl Score for Detector {
    #[acm_span("score.detector")]
    fn score(&self) -> u32 {
        self.k * self.weight()
    }

    #[acm_span("score.later")]
    fn later(&self) -> impl Future<Output = u32> + Send {
        let k = self.k;
        async move { k }
    }
}

/// `span!` in its three forms.
pub async fn blocks(ops: &[u32]) -> usize {
    let n = span!("sql.bulk_insert", n_operations = ops.len()).in_scope(|| ops.len());
    {
        let _guard = span!("persist.scores", kind = producer).entered();
    }
    let detector = "pca";
    let m = span!("fit.{detector}").in_scope(|| detector.len());
    n + m + span!("load.data").instrument(async { 1 }).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs() {
        use single_line::*;
        assert_eq!(one(), 1);
        nothing();
        unit_call(&mut vec![1]);
        assert_eq!(ok().unwrap(), 1);
        assert_eq!(evens(5).count(), 3);
        assert_eq!(caller(), line!());
        assert_eq!(fit("pca", &[1.0]), 4);
        let mut c = Counter(1);
        *c.slot() += 1;
        assert_eq!(c.get(), 2);
        assert!(fit_pca(&[]).is_err());
        assert_eq!(count(" 2 ").unwrap(), 4);
        assert_eq!(check(&[]), 0);
        assert_eq!(largest(&[1, 3, 2]), Some(&3));
        assert_eq!(width([0; 2]), 4);
        assert_eq!(show(1), "1");
        assert_eq!(sum((1, 2)), 3);
        // SAFETY: `&1` is valid.
        assert_eq!(unsafe { raw(&1) }, 1);
        assert_eq!(ffi(2), 4);
        assert_eq!(inner(1), 2);
        let mut d = Detector::new(2);
        assert_eq!(d.k() + d.bump() + d.hot(), 8);
        *d.slot() = 1;
        assert_eq!(d.name(), "d");
        assert!(d.fit().is_ok());
        assert_eq!(d.score(), 1);
        assert_eq!(Detector::limit(), 10);
        assert_eq!(d.into_k(), 1);
        let _ = (load_one(), load_unit(), later(1), boxed(1), c.later());
        let _ = (read("1"), first("a"), blocks(&[]));
    }
}

/// Crates that forbid `unsafe` code can instrument theirs: the expansion uses no unsafe
/// attribute or block of its own in the user's crate.
pub mod forbids_unsafe_code {
    #![forbid(unsafe_code)]

    use acm_trace::{acm_span, span};

    /// A plain function.
    #[must_use]
    #[acm_span("compute.safe")]
    pub fn safe(n: u32) -> u32 {
        n + 1
    }

    /// A block.
    #[must_use]
    pub fn block(n: u32) -> u32 {
        span!("compute.safe_block").in_scope(|| n * 2)
    }
}
