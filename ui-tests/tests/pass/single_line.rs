// Shape 38: single-line bodies give no `unused_braces` or any other warning.
#![deny(warnings)]

use acm_trace::acm_span;

#[acm_span("fit.one")]
fn one() -> u32 { 1 }

#[acm_span("fit.unit")]
fn unit() {}

#[acm_span("fit.ok")]
fn ok() -> Result<u32, String> { Ok(1) }

#[acm_span("fit.later")]
async fn later() -> u32 { 2 }

#[acm_span("fit.fut")]
fn fut() -> impl std::future::Future<Output = u32> { async { 3 } }

#[acm_span("fit.{k}")]
fn dynamic(k: &str) -> usize { k.len() }

#[acm_span("fit.attr", n = 1)]
fn attr() -> u8 { 1 }

#[acm_span("fit.unit_expr")]
fn unit_expr() { () }

#[acm_span("fit.never_single")]
fn never_single() -> ! { loop {} }

#[acm_span("fit.log")]
fn log() { debug_assert!(!cfg!(miri)) }

#[acm_span("fit.text")]
fn text() -> String { format!("{}", 1) }

#[acm_span("fit.die")]
fn die() -> ! { panic!("single line") }

#[acm_span("fit.text_later")]
async fn text_later() -> String { format!("{}", 2) }

#[acm_span("fit.vec")]
#[track_caller]
fn vec() -> Vec<u32> { vec![1] }

fn main() {
    assert_eq!(one(), 1);
    unit();
    assert_eq!(ok(), Ok(1));
    let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    assert_eq!(rt.block_on(later()), 2);
    assert_eq!(rt.block_on(fut()), 3);
    assert_eq!(dynamic("ab"), 2);
    assert_eq!(attr(), 1);
    unit_expr();
    log();
    assert_eq!(text(), "1");
    assert_eq!(rt.block_on(text_later()), "2");
    assert_eq!(vec(), [1]);
    if std::env::args().count() > 99 {
        die();
    }
    if std::env::args().count() > 99 {
        never_single();
    }
}
