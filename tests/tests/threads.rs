//! Spans opened on other threads and in spawned tasks keep their parent when the current span
//! is handed over the standard `tracing` way (`Span::current()`, `in_current_span()`).

#[path = "support/capture.rs"]
mod support;

use acm_trace::acm_span;
use support::{Mode, capture_async_in, capture_in, each_mode, find, is_child_of};
use tracing::Instrument;

#[acm_span("score.ar1")]
fn score_chunk(chunk: &[f64]) -> f64 {
    chunk.iter().sum()
}

#[acm_span("models.score")]
fn score_parallel(data: &[f64]) -> f64 {
    let parent = tracing::Span::current();
    // The tests' subscriber is scoped to one thread; a program's global one needs no handing.
    let dispatch = tracing::dispatcher::get_default(Clone::clone);
    std::thread::scope(|s| {
        let handles: Vec<_> = data
            .chunks(2)
            .map(|chunk| {
                let (parent, dispatch) = (parent.clone(), dispatch.clone());
                s.spawn(move || {
                    tracing::dispatcher::with_default(&dispatch, || {
                        parent.in_scope(|| score_chunk(chunk))
                    })
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).sum()
    })
}

#[acm_span("fit.pca")]
async fn fit_part(n: u32) -> u32 {
    tokio::task::yield_now().await;
    n * 2
}

#[acm_span("models.fit")]
async fn fit_spawned() -> u32 {
    let mut handles = Vec::new();
    for n in 0..3 {
        handles.push(tokio::spawn(fit_part(n).in_current_span()));
    }
    let mut total = 0;
    for h in handles {
        total += h.await.unwrap();
    }
    total
}

#[test]
fn threads_inherit_the_parent() {
    each_mode(|mode| {
        let (sum, spans) = capture_in(mode, || score_parallel(&[1.0, 2.0, 3.0, 4.0, 5.0]));
        assert!((sum - 15.0).abs() < 1e-9);
        let parent = find(&spans, "models.score");
        let children: Vec<_> = spans.iter().filter(|s| s.name == "score.ar1").collect();
        assert_eq!(children.len(), 3, "{mode:?}");
        assert!(children.iter().all(|c| is_child_of(c, parent)), "{mode:?}");
    });
}

#[test]
fn spawned_tasks_inherit_the_parent() {
    each_mode(|mode| {
        let (total, spans) = capture_async_in(mode, async { fit_spawned().await });
        assert_eq!(total, 6);
        let parent = find(&spans, "models.fit");
        let children: Vec<_> = spans.iter().filter(|s| s.name == "fit.pca").collect();
        assert_eq!(children.len(), 3, "{mode:?}");
        assert!(children.iter().all(|c| is_child_of(c, parent)), "{mode:?}");
    });
    let _ = Mode::Lean;
}
