// Shapes 5-8 and 12: functions returning futures (an async block, work before it, another
// fn's future, a boxed future), and a future dropped after one poll.
#![deny(warnings)]

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Waker};

use acm_trace::acm_span;

#[acm_span("forecast.later")]
fn later(a: u32) -> impl Future<Output = u32> {
    async move { a }
}

#[acm_span("forecast.prework")]
fn prework(a: u32) -> impl Future<Output = u32> {
    let b = a + 1;
    async move { b }
}

async fn inner(a: u32) -> u32 {
    a * 2
}

#[acm_span("forecast.forward")]
fn forward(a: u32) -> impl Future<Output = u32> {
    inner(a)
}

#[acm_span("forecast.boxed")]
fn boxed(a: u32) -> Pin<Box<dyn Future<Output = u32> + Send>> {
    Box::pin(async move { a + 10 })
}

#[acm_span("forecast.fallible")]
fn fallible(a: u32) -> impl Future<Output = Result<u32, String>> {
    async move { if a == 0 { Err("zero".to_owned()) } else { Ok(a) } }
}

#[acm_span("forecast.borrowing")]
fn borrowing<'a>(s: &'a str) -> impl Future<Output = usize> + 'a {
    async move { s.len() }
}

/// Never completes: pending on the first poll.
#[acm_span("drift.stalled")]
async fn stalled() -> u32 {
    std::future::pending::<()>().await;
    1
}

fn main() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(async {
        assert_eq!(later(1).await, 1);
        assert_eq!(prework(1).await, 2);
        assert_eq!(forward(3).await, 6);
        assert_eq!(boxed(1).await, 11);
        assert_eq!(fallible(0).await, Err("zero".to_owned()));
        assert_eq!(fallible(2).await, Ok(2));
        assert_eq!(borrowing("abc").await, 3);
    });

    // Shape 12: polled once, then dropped.
    let mut fut = Box::pin(stalled());
    let mut cx = Context::from_waker(Waker::noop());
    assert!(fut.as_mut().poll(&mut cx).is_pending());
    drop(fut);
}
