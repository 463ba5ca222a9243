//! What is specific to acm-trace's own subscriber, `AcmSubscriber`: its per-thread span stack
//! shared by scoped subscribers, the collector thread that hands closed spans to the span
//! processor, sampling, values recorded late, and events forwarded to the log layer with the
//! current span's ids.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use acm_trace::current_ids;
use acm_trace_runtime::AcmSubscriber;
use opentelemetry::trace::{SpanId, Status, TraceContextExt as _, TraceId};
use opentelemetry::{KeyValue, Value};
use opentelemetry_sdk::trace::{InMemorySpanExporter, Sampler, SimpleSpanProcessor, SpanData};
use tracing::field::{Empty, Field, Visit};
use tracing::subscriber::with_default;
use tracing::{Dispatch, Event, Span, Subscriber, info_span};
use tracing_subscriber::Layer;
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::layer::Context;

/// Long enough for the collector on a loaded machine, short enough to fail visibly.
const PATIENCE: Duration = Duration::from_secs(5);

/// A subscriber whose spans land in a fresh in-memory exporter.
fn sink() -> (InMemorySpanExporter, AcmSubscriber) {
    let exporter = InMemorySpanExporter::default();
    let processor = SimpleSpanProcessor::new(exporter.clone());
    (exporter, AcmSubscriber::new(Arc::new(processor)))
}

fn finished(exporter: &InMemorySpanExporter) -> Vec<SpanData> {
    exporter
        .get_finished_spans()
        .expect("the in-memory exporter hands back its spans")
}

/// Polls the exporter until it holds at least `count` spans or `timeout` passes.
fn wait_for(exporter: &InMemorySpanExporter, count: usize, timeout: Duration) -> Vec<SpanData> {
    let deadline = Instant::now() + timeout;
    loop {
        let spans = finished(exporter);
        if spans.len() >= count || Instant::now() >= deadline {
            return spans;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn find<'a>(spans: &'a [SpanData], name: &str) -> &'a SpanData {
    let found: Vec<&SpanData> = spans.iter().filter(|s| s.name == name).collect();
    assert_eq!(
        found.len(),
        1,
        "expected one span `{name}` among {:?}",
        names(spans)
    );
    found[0]
}

fn names(spans: &[SpanData]) -> Vec<String> {
    spans.iter().map(|s| s.name.to_string()).collect()
}

fn attr(span: &SpanData, key: &str) -> Option<Value> {
    span.attributes
        .iter()
        .find(|kv: &&KeyValue| kv.key.as_str() == key)
        .map(|kv| kv.value.clone())
}

fn is_child_of(child: &SpanData, parent: &SpanData) -> bool {
    child.parent_span_id == parent.span_context.span_id()
        && child.span_context.trace_id() == parent.span_context.trace_id()
}

fn is_root(span: &SpanData) -> bool {
    span.parent_span_id == SpanId::INVALID
}

/// A span opened under an inner scoped subscriber is a root there, and the outer subscriber's
/// entered span is still the parent of its spans once the inner scope ends.
#[test]
fn scoped_subscribers_on_one_thread_keep_their_own_stacks() {
    let (outer_exporter, outer) = sink();
    let (inner_exporter, inner) = sink();
    let (outer_flusher, inner_flusher) = (outer.flusher(), inner.flusher());
    with_default(outer, || {
        let a = info_span!("a.outer");
        let _entered = a.enter();
        info_span!("a.before").in_scope(|| {});
        with_default(inner, || {
            assert!(
                current_ids().is_none(),
                "the inner subscriber has no span yet"
            );
            info_span!("b.root").in_scope(|| info_span!("b.child").in_scope(|| {}));
            // The outer subscriber's span entered again, inside the inner scope.
            a.in_scope(|| info_span!("b.beside_a").in_scope(|| {}));
        });
        info_span!("a.after").in_scope(|| {});
    });
    assert!(outer_flusher.flush(PATIENCE), "outer flush in time");
    assert!(inner_flusher.flush(PATIENCE), "inner flush in time");

    let outer_spans = finished(&outer_exporter);
    let inner_spans = finished(&inner_exporter);
    assert_eq!(names(&outer_spans).len(), 3, "{:?}", names(&outer_spans));
    assert_eq!(names(&inner_spans).len(), 3, "{:?}", names(&inner_spans));
    let a = find(&outer_spans, "a.outer");
    let b_root = find(&inner_spans, "b.root");
    assert!(
        is_root(b_root),
        "b.root has no parent from the outer subscriber"
    );
    assert_ne!(b_root.span_context.trace_id(), a.span_context.trace_id());
    assert!(is_child_of(find(&inner_spans, "b.child"), b_root));
    assert!(
        is_root(find(&inner_spans, "b.beside_a")),
        "the outer subscriber's span is not the inner one's parent"
    );
    assert!(is_child_of(find(&outer_spans, "a.before"), a));
    assert!(
        is_child_of(find(&outer_spans, "a.after"), a),
        "after the inner scope, the outer span is still the parent"
    );
}

/// A closed span reaches the processor without any flush, picked up by the collector thread.
#[test]
fn closed_spans_are_delivered_without_a_flush() {
    let (exporter, subscriber) = sink();
    let _default = tracing::subscriber::set_default(subscriber);
    info_span!("load.data").in_scope(|| {});
    let spans = wait_for(&exporter, 1, PATIENCE);
    assert_eq!(
        names(&spans),
        ["load.data"],
        "the collector delivered the span within {PATIENCE:?} without a flush"
    );
}

/// Dropping the subscriber hands the spans it still buffered to the processor.
#[test]
fn dropping_the_subscriber_delivers_buffered_spans() {
    let (exporter, subscriber) = sink();
    with_default(subscriber, || {
        info_span!("models.fit").in_scope(|| {
            for chunk in 0..10 {
                info_span!("fit.chunk", chunk).in_scope(|| {});
            }
        });
    });
    let spans = wait_for(&exporter, 11, PATIENCE);
    assert_eq!(spans.len(), 11, "all spans delivered: {:?}", names(&spans));
    let root = find(&spans, "models.fit");
    let chunks: Vec<&SpanData> = spans.iter().filter(|s| s.name == "fit.chunk").collect();
    assert_eq!(chunks.len(), 10);
    assert!(chunks.iter().all(|c| is_child_of(c, root)));
}

/// An explicit parent wins over the thread's current span, also on another thread, and
/// `parent: None` opens a root even inside an entered span.
#[test]
fn explicit_parents_cross_threads_and_none_makes_a_root() {
    let (exporter, subscriber) = sink();
    let flusher = subscriber.flusher();
    with_default(subscriber, || {
        let parent = info_span!("fit.pca");
        // The subscriber is scoped to this thread; a global one would need no handing over.
        let dispatch = tracing::dispatcher::get_default(Clone::clone);
        std::thread::scope(|s| {
            s.spawn(|| {
                tracing::dispatcher::with_default(&dispatch, || {
                    info_span!("thread.other").in_scope(|| {
                        info_span!(parent: &parent, "score.pca").in_scope(|| {});
                    });
                });
            })
            .join()
            .expect("the scoring thread finishes");
        });
        info_span!("models.fit").in_scope(|| {
            info_span!(parent: None, "detached").in_scope(|| {});
        });
    });
    assert!(flusher.flush(PATIENCE), "flush in time");

    let spans = finished(&exporter);
    let parent = find(&spans, "fit.pca");
    let child = find(&spans, "score.pca");
    assert_eq!(child.parent_span_id, parent.span_context.span_id());
    assert_eq!(
        child.span_context.trace_id(),
        parent.span_context.trace_id()
    );
    let detached = find(&spans, "detached");
    assert!(is_root(detached), "`parent: None` is a root");
    assert_ne!(
        detached.span_context.trace_id(),
        find(&spans, "models.fit").span_context.trace_id()
    );
}

/// Values recorded after the span opened, `otel.name`, and `otel.status_code` /
/// `otel.status_description` become an attribute, the name and an error status.
#[test]
fn late_values_name_and_status_are_exported() {
    let (exporter, subscriber) = sink();
    let flusher = subscriber.flusher();
    with_default(subscriber, || {
        let span = info_span!(
            "fit.ar1",
            rows = Empty,
            label = Empty,
            otel.name = Empty,
            otel.status_code = Empty,
            otel.status_description = Empty,
        );
        span.in_scope(|| span.record("rows", 42_u64));
        // Recorded from another thread, through the span's handle.
        std::thread::scope(|s| {
            s.spawn(|| span.record("label", "pump-3"));
        });
        span.record("otel.name", "fit.ar1.pump");
        span.record("otel.status_code", "error");
        span.record("otel.status_description", "singular matrix");
        info_span!("load.data", otel.name = "load.csv").in_scope(|| {});
    });
    assert!(flusher.flush(PATIENCE), "flush in time");

    let spans = finished(&exporter);
    let fit = find(&spans, "fit.ar1.pump");
    assert_eq!(attr(fit, "rows"), Some(Value::I64(42)));
    assert_eq!(attr(fit, "label"), Some(Value::from("pump-3")));
    assert_eq!(fit.status, Status::error("singular matrix"));
    let load = find(&spans, "load.csv");
    assert_eq!(load.status, Status::Unset);
}

/// `Span::current()` and `current_ids()` name the entered span, and nothing outside spans.
#[test]
fn current_span_and_ids_follow_the_entered_span() {
    let (exporter, subscriber) = sink();
    let flusher = subscriber.flusher();
    let (outer_ids, inner_ids) = with_default(subscriber, || {
        assert!(Span::current().is_none(), "no current span before any");
        assert!(current_ids().is_none(), "no ids before any span");
        let outer = info_span!("models.fit");
        let outer_ids = outer.in_scope(|| {
            assert_eq!(
                Span::current().id(),
                outer.id(),
                "current is the entered span"
            );
            let inner = info_span!("fit.pca");
            let inner_ids = inner.in_scope(|| {
                assert_eq!(
                    Span::current().id(),
                    inner.id(),
                    "current is the inner span"
                );
                current_ids().expect("ids inside the inner span")
            });
            assert_eq!(Span::current().id(), outer.id(), "back to the outer span");
            (current_ids().expect("ids inside the outer span"), inner_ids)
        });
        assert!(Span::current().is_none(), "no current span after exit");
        assert!(current_ids().is_none(), "no ids after exit");
        outer_ids
    });
    assert!(flusher.flush(PATIENCE), "flush in time");

    let spans = finished(&exporter);
    assert_eq!(
        spans.len(),
        2,
        "clones from Span::current() do not end spans twice"
    );
    for (name, ids) in [("models.fit", outer_ids), ("fit.pca", inner_ids)] {
        let span = find(&spans, name);
        assert_eq!(ids.trace_id, span.span_context.trace_id(), "{name}");
        assert_eq!(ids.span_id, span.span_context.span_id(), "{name}");
        assert!(ids.sampled, "{name}");
    }
}

/// An acm span opened by the subscriber directly still gives a `tracing` handle: one that
/// names the same span, serves as an explicit parent on another thread, keeps the span open
/// until the last handle is gone, and leaves the thread's current span as it was.
#[test]
fn handles_to_directly_opened_spans_are_the_same_span() {
    let (exporter, subscriber) = sink();
    let flusher = subscriber.flusher();
    let dispatch = Dispatch::new(subscriber);
    let handle = tracing::dispatcher::with_default(&dispatch, || {
        let block = acm_trace::span!("load.data");
        let handle = block.span();
        assert!(!handle.is_none(), "a handle to the open span");
        assert!(
            Span::current().is_none(),
            "taking the handle enters nothing"
        );
        let child = {
            let (dispatch, parent) = (dispatch.clone(), handle.clone());
            std::thread::spawn(move || {
                tracing::dispatcher::with_default(&dispatch, || {
                    info_span!(parent: &parent, "load.chunk").in_scope(|| {});
                });
            })
        };
        child.join().expect("child thread finishes");
        block.in_scope(|| assert_eq!(Span::current().id(), handle.id(), "the same span"));
        handle
    });
    assert!(flusher.flush(PATIENCE));
    assert_eq!(
        names(&finished(&exporter)),
        ["load.chunk"],
        "the span stays open while a handle lives"
    );
    drop(handle);
    assert!(flusher.flush(PATIENCE));
    let spans = finished(&exporter);
    let parent = find(&spans, "load.data");
    assert!(is_child_of(find(&spans, "load.chunk"), parent));
}

/// What a `tracing` handle records on a span the subscriber opened directly joins what the
/// guard records (its outcome), in one exported span.
#[test]
fn values_recorded_through_a_handle_join_a_directly_opened_span() {
    #[acm_trace::acm_span("load.data", rows = 0_u32)]
    fn load() -> Result<(), String> {
        Span::current().record("acm.rows", 7_u32);
        Err("no data".to_owned())
    }
    let (exporter, subscriber) = sink();
    let flusher = subscriber.flusher();
    with_default(subscriber, || load().expect_err("fails"));
    assert!(flusher.flush(PATIENCE));
    let spans = finished(&exporter);
    let span = find(&spans, "load.data");
    assert!(
        span.attributes
            .iter()
            .any(|kv| kv.key.as_str() == "acm.rows" && kv.value == Value::I64(7)),
        "{:?}",
        span.attributes
    );
    assert_eq!(attr(span, "acm.outcome"), Some(Value::from("fail")));
    assert!(
        matches!(span.status, Status::Error { .. }),
        "{:?}",
        span.status
    );
}

/// A handle to a directly opened span, recorded on from another thread while the span ends
/// and after: every span is exported once, whatever the interleaving.
#[test]
fn a_handle_recorded_on_elsewhere_while_the_span_ends() {
    const ROUNDS: usize = 200;
    #[acm_trace::acm_span("load.data", rows = 0_u32)]
    fn load(sender: &std::sync::mpsc::Sender<Span>) {
        sender.send(Span::current()).expect("recorder alive");
    }
    let (exporter, subscriber) = sink();
    let flusher = subscriber.flusher();
    let dispatch = Dispatch::new(subscriber);
    let (sender, receiver) = std::sync::mpsc::channel::<Span>();
    let recorder = {
        let dispatch = dispatch.clone();
        std::thread::spawn(move || {
            tracing::dispatcher::with_default(&dispatch, || {
                for handle in receiver {
                    for n in 0..20_u32 {
                        handle.record("acm.rows", n);
                    }
                }
            });
        })
    };
    tracing::dispatcher::with_default(&dispatch, || {
        for _ in 0..ROUNDS {
            load(&sender);
        }
    });
    drop(sender);
    recorder.join().expect("the recorder finishes");
    assert!(flusher.flush(PATIENCE));
    let spans = finished(&exporter);
    assert_eq!(spans.len(), ROUNDS, "each span exported once");
    let ids: HashSet<SpanId> = spans.iter().map(|s| s.span_context.span_id()).collect();
    assert_eq!(ids.len(), ROUNDS, "no span exported twice");
}

/// A sampler that drops everything exports nothing, children of a dropped root included, yet
/// `current_ids()` still gives ids, marked not sampled.
#[test]
fn dropped_traces_export_nothing_but_keep_ids() {
    let (exporter, subscriber) = sink();
    let subscriber = subscriber.with_sampler(Sampler::AlwaysOff);
    let flusher = subscriber.flusher();
    let (root, child) = with_default(subscriber, || {
        info_span!("models.fit", rows = Empty).in_scope(|| {
            Span::current().record("rows", 3_u64);
            let root = current_ids().expect("ids inside a dropped root");
            let child = info_span!("fit.pca")
                .in_scope(|| current_ids().expect("ids inside the child of a dropped root"));
            (root, child)
        })
    });
    assert!(flusher.flush(PATIENCE), "flush in time");

    assert!(
        finished(&exporter).is_empty(),
        "nothing exported: {:?}",
        names(&finished(&exporter))
    );
    assert!(!root.sampled && !child.sampled, "{root:?} {child:?}");
    assert_ne!(root.trace_id, TraceId::INVALID);
    assert_eq!(
        child.trace_id, root.trace_id,
        "the child stays in the trace"
    );
    assert_ne!(child.span_id, root.span_id);
}

/// Spans from several threads at once are all exported, each once, and none is dropped.
#[test]
fn many_spans_from_many_threads_are_exported_once() {
    const THREADS: usize = 4;
    const PER_THREAD: usize = 5000;
    let (exporter, subscriber) = sink();
    let flusher = subscriber.flusher();
    let dispatch = Dispatch::new(subscriber);
    std::thread::scope(|s| {
        for thread in 0..THREADS {
            let dispatch = &dispatch;
            s.spawn(move || {
                tracing::dispatcher::with_default(dispatch, || {
                    info_span!("thread.root", thread).in_scope(|| {
                        for step in 0..PER_THREAD {
                            info_span!("thread.step", step).in_scope(|| {});
                        }
                    });
                });
            });
        }
    });
    assert!(
        flusher.flush(Duration::from_secs(60)),
        "flush of {} spans in time",
        THREADS * (PER_THREAD + 1)
    );
    assert_eq!(flusher.dropped(), 0, "no span dropped");

    let spans = finished(&exporter);
    assert_eq!(spans.len(), THREADS * (PER_THREAD + 1));
    let distinct: HashSet<SpanId> = spans.iter().map(|s| s.span_context.span_id()).collect();
    assert_eq!(distinct.len(), spans.len(), "no span exported twice");
    let roots: HashMap<SpanId, TraceId> = spans
        .iter()
        .filter(|s| s.name == "thread.root")
        .map(|s| (s.span_context.span_id(), s.span_context.trace_id()))
        .collect();
    assert_eq!(roots.len(), THREADS);
    let mut children: HashMap<SpanId, usize> = HashMap::new();
    for step in spans.iter().filter(|s| s.name == "thread.step") {
        let trace = roots
            .get(&step.parent_span_id)
            .expect("every step's parent is a thread root");
        assert_eq!(*trace, step.span_context.trace_id());
        *children.entry(step.parent_span_id).or_default() += 1;
    }
    assert!(children.values().all(|&n| n == PER_THREAD), "{children:?}");
}

/// One event the test log layer saw, with the OpenTelemetry span context current at the time.
#[derive(Debug)]
struct SeenEvent {
    message: String,
    trace_id: TraceId,
    span_id: SpanId,
    sampled: bool,
}

/// A log layer that notes each event's message and the current OpenTelemetry span context.
#[derive(Clone, Default)]
struct SeenEvents(Arc<Mutex<Vec<SeenEvent>>>);

impl SeenEvents {
    fn take(&self) -> Vec<SeenEvent> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

struct MessageOf(String);

impl Visit for MessageOf {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.0 = format!("{value:?}");
        }
    }
}

impl<S: Subscriber> Layer<S> for SeenEvents {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let mut message = MessageOf(String::new());
        event.record(&mut message);
        let cx = opentelemetry::Context::current();
        let span = cx.span();
        let span_context = span.span_context();
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(SeenEvent {
                message: message.0,
                trace_id: span_context.trace_id(),
                span_id: span_context.span_id(),
                sampled: span_context.is_sampled(),
            });
    }
}

/// Events reach the log layer with the entered span's ids (none outside spans), except those
/// above the level and those of the exporter crates.
#[test]
fn events_reach_the_log_layer_with_the_span_ids() {
    let (exporter, subscriber) = sink();
    let seen = SeenEvents::default();
    let subscriber = subscriber.with_logs(seen.clone(), LevelFilter::INFO);
    let flusher = subscriber.flusher();
    with_default(subscriber, || {
        info_span!("fit.pca").in_scope(|| {
            tracing::info!("inside");
            tracing::debug!("too verbose");
            tracing::info!(target: "hyper::client", "feedback");
        });
        tracing::info!("outside");
    });
    assert!(flusher.flush(PATIENCE), "flush in time");

    let spans = finished(&exporter);
    let span = find(&spans, "fit.pca");
    let events = seen.take();
    let messages: Vec<&str> = events.iter().map(|e| e.message.as_str()).collect();
    assert_eq!(
        messages,
        ["inside", "outside"],
        "no debug event at INFO, no exporter-crate event"
    );
    let inside = &events[0];
    assert_eq!(inside.trace_id, span.span_context.trace_id(), "{inside:?}");
    assert_eq!(inside.span_id, span.span_context.span_id(), "{inside:?}");
    assert!(inside.sampled, "{inside:?}");
    let outside = &events[1];
    assert_eq!(outside.trace_id, TraceId::INVALID, "{outside:?}");
    assert_eq!(outside.span_id, SpanId::INVALID, "{outside:?}");
}
