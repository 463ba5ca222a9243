// Bodies whose meaning depends on the declared return type flowing into them. Each compiles
// without the attribute; the attribute must not change that, nor what they return.
#![deny(warnings)]

use std::cmp::Ordering;
use std::error::Error;
use std::fmt::Display;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use acm_trace::acm_span;

type BoxError = Box<dyn Error + Send + Sync>;

// Closures returned as `impl Fn*`: their higher-ranked signatures come from the return type.

#[acm_span("compute.key_to_cmp")]
pub fn key_to_cmp<T, K, F>(mut key: F) -> impl FnMut(&T, &T) -> Ordering
where
    F: FnMut(&T) -> K,
    K: Ord,
{
    move |a, b| key(a).cmp(&key(b))
}

#[acm_span("compute.length")]
fn length() -> impl Fn(&str) -> usize {
    |s| s.len()
}

#[acm_span("compute.first_byte")]
fn first_byte() -> impl for<'a> Fn(&'a [u8]) -> Option<&'a u8> {
    |s| s.first()
}

#[acm_span("compute.bounded")]
fn bounded(limit: u32) -> (impl Fn(&u32) -> bool, u32) {
    (move |x| *x < limit, limit)
}

// `Box<dyn Fn(&T) -> U>` built from a closure.

#[acm_span("compute.boxed_map")]
fn boxed_map<T: 'static, U: 'static>(f: impl Fn(&T) -> U + 'static) -> Box<dyn Fn(&T) -> U> {
    Box::new(move |x| f(x))
}

#[acm_span("compute.boxed_parser")]
fn boxed_parser(radix: u32) -> Result<Box<dyn Fn(&str) -> Option<u32>>, String> {
    if radix > 36 {
        return Err(format!("radix {radix} is too large"));
    }
    Ok(Box::new(move |s| u32::from_str_radix(s, radix).ok()))
}

// Borrowing iterators.

#[acm_span("compute.positives")]
fn positives<'a>(values: &'a [i64]) -> impl Iterator<Item = &'a i64> + 'a {
    values.iter().filter(|x| **x > 0)
}

// Diverging bodies.

#[acm_span("shutdown.never")]
fn never(reason: &str) -> ! {
    panic!("{reason}")
}

#[acm_span("shutdown.count_up")]
fn count_up(limit: u32) -> u32 {
    let mut i = 0;
    loop {
        i += 1;
        if i >= limit {
            return i;
        }
    }
}

#[acm_span("shutdown.refuse")]
fn refuse() -> Result<u32, String> {
    panic!("refused")
}

#[acm_span("shutdown.refuse_opaque")]
fn refuse_opaque(stop: bool) -> impl Display {
    if stop {
        panic!("refused");
    }
    1
}

// Integer literals typed only by the return type.

#[acm_span("compute.big")]
fn big() -> u64 {
    1 << 40
}

#[acm_span("compute.wide")]
fn wide() -> (u64, i128) {
    (1 << 40, -(1 << 100))
}

#[acm_span("compute.shifted")]
fn shifted() -> Result<u64, String> {
    Ok(1 << 40)
}

#[acm_span("compute.total")]
fn total(values: &[u32]) -> u64 {
    values.iter().map(|&v| u64::from(v)).sum()
}

// `?` through `From`, into a boxed error.

#[acm_span("load.pair")]
fn pair(s: &str) -> Result<(u32, f64), BoxError> {
    let (a, b) = s.split_once(',').ok_or("no comma")?;
    Ok((a.trim().parse()?, b.trim().parse()?))
}

#[acm_span("load.pair_display")]
fn pair_display(s: &str) -> Result<impl Display, BoxError> {
    let (a, b) = pair(s)?;
    Ok(format!("{a}/{b}"))
}

// `-> Self` in traits.

trait Model: Sized {
    fn empty() -> Self;

    fn merge(self, other: Self) -> Self;

    #[acm_span("fit.fresh")]
    fn fresh() -> Self {
        Self::empty()
    }

    #[acm_span("fit.doubled")]
    fn doubled(self) -> Self
    where
        Self: Clone,
    {
        self.clone().merge(self)
    }
}

#[derive(Clone, Debug, PartialEq)]
struct Sum(u32);

impl Model for Sum {
    #[acm_span("fit.empty")]
    fn empty() -> Self {
        Self(0)
    }

    fn merge(self, other: Self) -> Self {
        Self(self.0 + other.0)
    }
}

// `impl Trait` in argument position.

#[acm_span("compute.sum_into")]
fn sum_into(values: impl IntoIterator<Item = impl Into<u64>>) -> u64 {
    values.into_iter().map(Into::into).sum()
}

#[acm_span("compute.describe")]
fn describe(value: impl Display, width: usize) -> impl Display {
    format!("{value:>width$}")
}

// `async move` blocks returned as `impl Future`.

#[acm_span("forecast.parse_later")]
fn parse_later(s: String) -> impl Future<Output = Result<u32, BoxError>> {
    async move { Ok(s.trim().parse::<u32>()?) }
}

#[acm_span("forecast.sum_later")]
fn sum_later(values: Vec<u64>) -> impl Future<Output = u64> {
    let offset = 1 << 20;
    async move { values.iter().sum::<u64>() + offset }
}

#[acm_span("forecast.boxed_async")]
async fn boxed_async(offset: u32) -> Box<dyn Fn(&u32) -> u32> {
    Box::new(move |x| x + offset)
}

#[acm_span("forecast.big_async")]
async fn big_async() -> u64 {
    1 << 40
}

// Early `return` of a closure.

#[acm_span("compute.comparator")]
fn comparator(descending: bool) -> Box<dyn Fn(&u32, &u32) -> Ordering> {
    if descending {
        return Box::new(|a, b| b.cmp(a));
    }
    Box::new(|a, b| a.cmp(b))
}

#[acm_span("compute.checker")]
fn checker(limit: u32) -> impl Fn(&u32) -> bool {
    if limit > 0 {
        return move |x| *x < limit;
    }
    panic!("the limit must be positive")
}

fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
    }
}

fn main() {
    let mut words = vec!["ccc", "a", "bb"];
    words.sort_by(key_to_cmp(|w: &&str| w.len()));
    assert_eq!(words, ["a", "bb", "ccc"]);
    assert_eq!(length()("four"), 4);
    assert_eq!(first_byte()(b"xy"), Some(&b'x'));
    let (below, limit) = bounded(3);
    assert!(below(&2) && !below(&limit));

    assert_eq!(boxed_map(|x: &u32| x + 1)(&1), 2);
    assert_eq!(boxed_parser(16).unwrap()("ff"), Some(255));
    assert!(boxed_parser(99).is_err());

    let values = [-1, 2, -3, 4];
    assert_eq!(positives(&values).collect::<Vec<_>>(), [&2, &4]);

    std::panic::set_hook(Box::new(|_| {}));
    assert!(std::panic::catch_unwind(|| never("stop")).is_err());
    assert_eq!(count_up(3), 3);
    assert!(std::panic::catch_unwind(refuse).is_err());
    assert!(std::panic::catch_unwind(|| refuse_opaque(true).to_string()).is_err());
    assert_eq!(refuse_opaque(false).to_string(), "1");

    assert_eq!(big(), 1 << 40);
    assert_eq!(wide(), (1 << 40, -(1 << 100)));
    assert_eq!(shifted(), Ok(1 << 40));
    assert_eq!(total(&[u32::MAX, 1]), 1 << 32);

    assert_eq!(pair("1, 2.5").unwrap(), (1, 2.5));
    assert_eq!(pair("1 2").unwrap_err().to_string(), "no comma");
    assert!(pair("x,1").is_err());
    assert_eq!(pair_display("3,0.5").unwrap().to_string(), "3/0.5");
    assert!(pair_display("3").is_err());

    assert_eq!(Sum::fresh(), Sum(0));
    assert_eq!(Sum(2).doubled(), Sum(4));

    assert_eq!(sum_into([1_u8, 2, 3]), 6);
    assert_eq!(describe(7, 3).to_string(), "  7");

    assert_eq!(block_on(parse_later(" 12 ".to_owned())).unwrap(), 12);
    assert!(block_on(parse_later("x".to_owned())).is_err());
    assert_eq!(block_on(sum_later(vec![1, 2])), (1 << 20) + 3);
    assert_eq!(block_on(boxed_async(2))(&1), 3);
    assert_eq!(block_on(big_async()), 1 << 40);

    assert_eq!(comparator(true)(&1, &2), Ordering::Greater);
    assert_eq!(comparator(false)(&1, &2), Ordering::Less);
    assert!(checker(2)(&1));
    assert!(std::panic::catch_unwind(|| checker(0)(&1)).is_err());
}
