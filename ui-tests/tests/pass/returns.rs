// Shapes 27-31: `impl Iterator`, `Result<impl Display, _>` with early `return Err`, inference
// from the return type, `?` in sync and async bodies, early `return`.
#![deny(warnings)]

use std::fmt::Display;
use std::num::ParseIntError;

use acm_trace::acm_span;

#[acm_span("features.evens")]
fn evens(n: u32) -> impl Iterator<Item = u32> {
    (0..n).filter(|x| x % 2 == 0)
}

#[acm_span("features.label")]
fn label(n: u32) -> Result<impl Display, String> {
    if n == 0 {
        return Err("zero".into());
    }
    Ok(n)
}

#[acm_span("features.parsed")]
fn parsed(s: &str) -> Result<impl Display, ParseIntError> {
    let n: u32 = s.parse()?;
    Ok(n + 1)
}

#[acm_span("features.converted")]
fn converted(s: &str) -> Result<impl Display, String> {
    let n: u32 = s.parse().map_err(|_| "bad".to_owned())?;
    Ok(n)
}

#[acm_span("features.inferred_err")]
fn inferred_err(fail: bool) -> Result<impl Display, String> {
    if fail {
        return Err("failed".into());
    }
    Ok("fine".into_iter_free())
}

trait IntoIterFree {
    fn into_iter_free(self) -> Self;
}

impl IntoIterFree for &str {
    fn into_iter_free(self) -> Self {
        self
    }
}

#[acm_span("features.collect")]
fn collect(n: u32) -> Vec<u32> {
    (0..n).collect()
}

#[acm_span("features.into")]
fn into(n: u8) -> u64 {
    n.into()
}

#[acm_span("features.parse")]
fn parse(s: &str) -> Result<u32, ParseIntError> {
    let n: u32 = s.trim().parse()?;
    Ok(n * 2)
}

#[derive(Debug)]
struct NoDisplay;

#[acm_span("features.debug_only")]
fn debug_only(fail: bool) -> Result<u8, NoDisplay> {
    if fail { Err(NoDisplay) } else { Ok(1) }
}

struct Opaque;

#[acm_span("features.opaque_err")]
fn opaque_err(fail: bool) -> Result<u8, Opaque> {
    if fail { Err(Opaque) } else { Ok(1) }
}

type Res<T> = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>;

#[acm_span("features.boxed_err")]
fn boxed_err(s: &str) -> Res<u32> {
    Ok(s.parse::<u32>()?)
}

#[acm_span("features.load")]
async fn load(s: &str) -> Result<u32, ParseIntError> {
    tokio::task::yield_now().await;
    let n: u32 = s.parse()?;
    Ok(n)
}

#[acm_span("features.early")]
fn early(n: u32) -> u32 {
    if n > 10 {
        return 10;
    }
    for i in 0..n {
        if i == 3 {
            return i;
        }
    }
    n
}

#[acm_span("features.early_unit")]
fn early_unit(v: &mut Vec<u32>) {
    if v.is_empty() {
        return;
    }
    v.push(0);
}

#[acm_span("features.opt")]
fn opt(v: &[u32]) -> Option<u32> {
    let first = v.first()?;
    Some(first + 1)
}

fn main() {
    assert_eq!(evens(5).collect::<Vec<_>>(), [0, 2, 4]);
    assert_eq!(label(3).unwrap().to_string(), "3");
    assert!(label(0).is_err());
    assert_eq!(parsed("4").unwrap().to_string(), "5");
    assert!(parsed("x").is_err());
    assert_eq!(converted("3").unwrap().to_string(), "3");
    assert!(converted("x").is_err());
    assert!(inferred_err(true).is_err());
    assert_eq!(inferred_err(false).unwrap().to_string(), "fine");
    assert_eq!(collect(3), [0, 1, 2]);
    assert_eq!(into(3), 3);
    assert_eq!(parse(" 21 "), Ok(42));
    assert!(parse("x").is_err());
    assert!(debug_only(true).is_err());
    assert_eq!(debug_only(false).unwrap(), 1);
    assert!(opaque_err(true).is_err());
    assert_eq!(boxed_err("5").unwrap(), 5);
    assert!(boxed_err("-").is_err());
    let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    assert_eq!(rt.block_on(load("8")), Ok(8));
    assert!(rt.block_on(load("z")).is_err());
    assert_eq!(early(20), 10);
    assert_eq!(early(5), 3);
    assert_eq!(early(2), 2);
    let mut v = Vec::new();
    early_unit(&mut v);
    assert!(v.is_empty());
    v.push(1);
    early_unit(&mut v);
    assert_eq!(v, [1, 0]);
    assert_eq!(opt(&[]), None);
    assert_eq!(opt(&[1]), Some(2));
}
