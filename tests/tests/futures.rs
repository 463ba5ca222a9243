//! Functions that return futures: the span covers the whole execution of the future (spans
//! opened inside it are its children, and it ends after them), and a future dropped before it
//! completes ends its span with `acm.outcome = "cancelled"`.

#[path = "support/capture.rs"]
mod support;

use std::future::Future;
use std::pin::{Pin, pin};
use std::task::{Context, Poll, Waker};

use acm_trace::acm_span;
use opentelemetry_sdk::trace::SpanData;
use support::{attr_str, capture, capture_async, find, is_child_of};

#[acm_span("fit.ar1")]
fn child() -> u32 {
    1
}

#[acm_span("score.ar1")]
async fn async_child(a: u32) -> u32 {
    tokio::task::yield_now().await;
    a + child()
}

// Shape 5: an async block as the tail.
#[acm_span("models.fit")]
fn tail_block(a: u32) -> impl Future<Output = u32> {
    async move { async_child(a).await }
}

// Shape 6: work before the block must be inside the span too.
#[acm_span("models.score")]
fn pre_work(a: u32) -> impl Future<Output = u32> {
    let b = a + child();
    async move { b + async_child(b).await }
}

fn inner(a: u32) -> impl Future<Output = u32> {
    async_child(a)
}

// Shape 7: the returned future is another function's.
#[acm_span("regimes.fit")]
fn forwarded(a: u32) -> impl Future<Output = u32> {
    inner(a)
}

// Shape 8: a boxed future.
#[acm_span("forecast.run")]
fn boxed(a: u32) -> Pin<Box<dyn Future<Output = Result<u32, String>> + Send>> {
    Box::pin(async move {
        if a == 0 {
            Err("empty".to_owned())
        } else {
            Ok(async_child(a).await)
        }
    })
}

/// The parent ends no earlier than its last child: it covered the child's execution.
fn assert_covers(parent: &SpanData, child: &SpanData) {
    assert!(
        is_child_of(child, parent),
        "`{}` is not a child of `{}`",
        child.name,
        parent.name
    );
    assert!(
        parent.start_time <= child.start_time,
        "`{}` started after its child",
        parent.name
    );
    assert!(
        parent.end_time >= child.end_time,
        "`{}` ended before its child",
        parent.name
    );
}

#[test]
fn impl_future_with_async_tail_covers_the_future() {
    let (out, spans) = capture_async(async {
        let fut = tail_block(1);
        tokio::task::yield_now().await;
        fut.await
    });
    assert_eq!(out, 2);
    let parent = find(&spans, "models.fit");
    assert_covers(parent, find(&spans, "score.ar1"));
    assert_covers(find(&spans, "score.ar1"), find(&spans, "fit.ar1"));
    assert_eq!(attr_str(parent, "acm.outcome").as_deref(), Some("success"));
}

#[test]
fn work_before_the_async_block_is_inside_the_span() {
    let (out, spans) = capture_async(async { pre_work(1).await });
    assert_eq!(out, 2 + 3);
    let parent = find(&spans, "models.score");
    let fits: Vec<_> = spans.iter().filter(|s| s.name == "fit.ar1").collect();
    assert_eq!(fits.len(), 2);
    // The first `fit.ar1` ran before the async block: still a child of the span.
    assert!(fits.iter().any(|f| is_child_of(f, parent)));
    assert_covers(parent, find(&spans, "score.ar1"));
}

#[test]
fn forwarded_future_is_timed_while_it_runs() {
    let (out, spans) = capture_async(async { forwarded(4).await });
    assert_eq!(out, 5);
    assert_covers(find(&spans, "regimes.fit"), find(&spans, "score.ar1"));
}

#[test]
fn boxed_future_covers_and_reports_result() {
    let (out, spans) = capture_async(async { (boxed(2).await, boxed(0).await) });
    assert_eq!(out, (Ok(3), Err("empty".to_owned())));
    let runs: Vec<_> = spans.iter().filter(|s| s.name == "forecast.run").collect();
    assert_eq!(runs.len(), 2);
    let outcomes: Vec<_> = runs
        .iter()
        .map(|s| attr_str(s, "acm.outcome").unwrap())
        .collect();
    assert!(
        outcomes.contains(&"success".to_owned()) && outcomes.contains(&"fail".to_owned()),
        "{outcomes:?}"
    );
    let ok = runs
        .iter()
        .find(|s| attr_str(s, "acm.outcome").as_deref() == Some("success"))
        .unwrap();
    assert_covers(ok, find(&spans, "score.ar1"));
}

#[test]
fn dropped_future_is_marked_cancelled() {
    let ((), spans) = capture(|| {
        let mut fut = pin!(async_child(1));
        let mut cx = Context::from_waker(Waker::noop());
        // `yield_now` returns Pending once: the future has started but not finished.
        assert!(fut.as_mut().poll(&mut cx).is_pending());
    });
    let s = find(&spans, "score.ar1");
    assert_eq!(attr_str(s, "acm.outcome").as_deref(), Some("cancelled"));
}

#[test]
fn dropped_impl_future_is_marked_cancelled() {
    let ((), spans) = capture(|| {
        let fut = tail_block(1);
        let mut fut = pin!(fut);
        assert!(
            fut.as_mut()
                .poll(&mut Context::from_waker(Waker::noop()))
                .is_pending()
        );
    });
    assert_eq!(
        attr_str(find(&spans, "models.fit"), "acm.outcome").as_deref(),
        Some("cancelled")
    );
    assert_eq!(
        attr_str(find(&spans, "score.ar1"), "acm.outcome").as_deref(),
        Some("cancelled")
    );
}

#[test]
fn never_polled_future_is_cancelled_too() {
    let ((), spans) = capture(|| drop(forwarded(1)));
    assert_eq!(
        attr_str(find(&spans, "regimes.fit"), "acm.outcome").as_deref(),
        Some("cancelled")
    );
}

#[test]
fn async_fn_future_stays_send_across_threads() {
    #[acm_span("load.data", label = %name)]
    async fn load(name: &str) -> usize {
        tokio::task::yield_now().await;
        name.len()
    }
    fn assert_send<T: Send>(t: T) -> T {
        t
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let n = rt.block_on(async {
        tokio::spawn(assert_send(async { load("FD_FAN").await }))
            .await
            .unwrap()
    });
    assert_eq!(n, 6);
}

#[test]
fn polled_future_ends_when_complete_not_when_dropped() {
    let (_, spans) = capture(|| {
        let mut fut = Box::pin(async_child(1));
        let mut cx = Context::from_waker(Waker::noop());
        while fut.as_mut().poll(&mut cx).is_pending() {}
        // Not dropped yet: the span must already be exported.
        std::mem::forget(fut);
    });
    assert_eq!(
        attr_str(find(&spans, "score.ar1"), "acm.outcome").as_deref(),
        Some("success")
    );
    let _: Poll<()> = Poll::Ready(());
}
