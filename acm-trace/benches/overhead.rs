//! Per-call overhead of a tiny instrumented function, against the peers, in one run.
//!
//! Every enabled variant exports through the same kind of pipeline (a batch processor and an
//! exporter that discards), records the same eight run attributes, and opens its spans under a
//! root span per 100 calls (fastrace records nothing without a parent). Two clocks: the
//! calling thread's CPU time, and the whole process's (background exporter threads included,
//! since work moved to another thread still costs the user a core). Results and ratios:
//! `benches/README.md`.

use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use criterion::measurement::{Measurement, ValueFormatter};
use criterion::{BenchmarkGroup, Criterion, Throughput, criterion_group, criterion_main};
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{
    BatchConfigBuilder, BatchSpanProcessor, SdkTracerProvider, SpanData, SpanExporter,
    SpanProcessor,
};
use tracing::Dispatch;
use tracing_subscriber::layer::SubscriberExt;

const CALLS_PER_ROOT: u64 = 100;
const QUEUE: usize = 1 << 16;
/// Batch settings of every OpenTelemetry pipeline here.
const EXPORT_BATCH: usize = 512;
const SCHEDULE_DELAY: Duration = Duration::from_millis(200);
/// Well under `QUEUE`, so no pipeline ever drops a span.
const DRAIN_EVERY: u64 = 10_000;

#[inline(never)]
fn plain(x: u64) -> u64 {
    x.wrapping_mul(31) ^ 7
}

#[acm_trace::acm_span("compute.tiny")]
#[inline(never)]
fn acm(x: u64) -> u64 {
    x.wrapping_mul(31) ^ 7
}

/// A span with three attributes computed per call.
#[acm_trace::acm_span("compute.tiny_attrs", n = x, twice = x.wrapping_mul(2), label = %"tiny")]
#[inline(never)]
fn acm_attrs(x: u64) -> u64 {
    x.wrapping_mul(31) ^ 7
}

/// Pending `0` more times, then ready: an await that takes several polls.
struct Polls(u8);

impl std::future::Future for Polls {
    type Output = ();
    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<()> {
        if self.0 == 0 {
            return std::task::Poll::Ready(());
        }
        self.0 -= 1;
        cx.waker().wake_by_ref();
        std::task::Poll::Pending
    }
}

/// Polls `future` to the end on this thread.
fn block_on<F: std::future::Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    loop {
        if let std::task::Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
    }
}

/// Ten polls: nine pending, one ready.
async fn plain_async_body(x: u64) -> u64 {
    Polls(9).await;
    x.wrapping_mul(31) ^ 7
}

#[acm_trace::acm_span("compute.tiny_async")]
async fn acm_async_body(x: u64) -> u64 {
    Polls(9).await;
    x.wrapping_mul(31) ^ 7
}

#[inline(never)]
fn plain_async(x: u64) -> u64 {
    block_on(plain_async_body(x))
}

#[inline(never)]
fn acm_async(x: u64) -> u64 {
    block_on(acm_async_body(x))
}

#[tracing::instrument(
    name = "compute.tiny",
    skip_all,
    fields(
        otel.kind = "internal",
        acm.equipment = "FD_FAN",
        acm.equip_id = "FD_FAN",
        acm.run_id = "0b7d5c1e-0000-4000-8000-000000000000",
        acm.category = "compute",
        acm.service = "acm-pipeline",
        acm.phase = "features",
        acm.batch_num = 1,
        acm.batch_total = 1,
    )
)]
#[inline(never)]
fn instrument(x: u64) -> u64 {
    x.wrapping_mul(31) ^ 7
}

#[fastrace::trace(
    name = "compute.tiny",
    properties = {
        "acm.equipment": "FD_FAN",
        "acm.equip_id": "FD_FAN",
        "acm.run_id": "0b7d5c1e-0000-4000-8000-000000000000",
        "acm.category": "compute",
        "acm.service": "acm-pipeline",
        "acm.phase": "features",
        "acm.batch_num": "1",
        "acm.batch_total": "1",
    }
)]
#[inline(never)]
fn fastrace_traced(x: u64) -> u64 {
    x.wrapping_mul(31) ^ 7
}

/// Counts and drops what it is given.
#[derive(Debug, Clone, Default)]
struct Discard(Arc<AtomicU64>);

impl SpanExporter for Discard {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        self.0.fetch_add(batch.len() as u64, Ordering::Relaxed);
        Ok(())
    }
}

struct FastraceDiscard(Arc<AtomicU64>);

impl fastrace::collector::Reporter for FastraceDiscard {
    fn report(&mut self, spans: Vec<fastrace::prelude::SpanRecord>) {
        self.0.fetch_add(spans.len() as u64, Ordering::Relaxed);
    }
}

fn batch_processor(exporter: Discard) -> BatchSpanProcessor {
    let config = BatchConfigBuilder::default()
        .with_max_queue_size(QUEUE)
        .with_max_export_batch_size(EXPORT_BATCH)
        .with_scheduled_delay(SCHEDULE_DELAY)
        .build();
    BatchSpanProcessor::builder(exporter)
        .with_batch_config(config)
        .build()
}

/// CPU time of the calling thread or of the whole process.
struct CpuClock {
    clock: libc::clockid_t,
}

impl CpuClock {
    fn thread() -> Self {
        CpuClock {
            clock: libc::CLOCK_THREAD_CPUTIME_ID,
        }
    }

    fn process() -> Self {
        CpuClock {
            clock: libc::CLOCK_PROCESS_CPUTIME_ID,
        }
    }

    fn now(&self) -> Duration {
        let mut ts = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: clock_gettime writes a timespec for a valid clock id.
        unsafe { libc::clock_gettime(self.clock, &mut ts) };
        Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
    }
}

impl Measurement for CpuClock {
    type Intermediate = Duration;
    type Value = Duration;

    fn start(&self) -> Duration {
        self.now()
    }
    fn end(&self, start: Duration) -> Duration {
        self.now().saturating_sub(start)
    }
    fn add(&self, a: &Duration, b: &Duration) -> Duration {
        *a + *b
    }
    fn zero(&self) -> Duration {
        Duration::ZERO
    }
    fn to_f64(&self, value: &Duration) -> f64 {
        value.as_nanos() as f64
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        &NanosFormatter
    }
}

struct NanosFormatter;

impl ValueFormatter for NanosFormatter {
    fn scale_values(&self, typical: f64, values: &mut [f64]) -> &'static str {
        let (factor, unit) = if typical < 1e3 {
            (1.0, "ns")
        } else if typical < 1e6 {
            (1e-3, "µs")
        } else {
            (1e-6, "ms")
        };
        values.iter_mut().for_each(|v| *v *= factor);
        unit
    }
    fn scale_throughputs(&self, _: f64, _: &Throughput, _: &mut [f64]) -> &'static str {
        "n/a"
    }
    fn scale_for_machines(&self, _: &mut [f64]) -> &'static str {
        "ns"
    }
}

/// Runs `iters` calls of `f`, `CALLS_PER_ROOT` under each root opened by `root`, and waits
/// for the pipeline to export what they produced every `DRAIN_EVERY` calls and at the end.
///
/// The waits keep every span inside the measurement: a pipeline that fell behind would
/// otherwise drop spans once its queue is full, and look cheaper for doing less.
fn run(
    clock: &CpuClock,
    iters: u64,
    root: &dyn Fn(&mut dyn FnMut()),
    f: fn(u64) -> u64,
    drain: &dyn Fn(),
) -> Duration {
    let start = clock.start();
    let mut done = 0;
    let mut undrained = 0;
    while done < iters {
        let n = CALLS_PER_ROOT.min(iters - done);
        root(&mut || {
            for i in 0..n {
                black_box(f(black_box(i)));
            }
        });
        done += n;
        undrained += n;
        if undrained >= DRAIN_EVERY {
            drain();
            undrained = 0;
        }
    }
    drain();
    let elapsed = clock.end(start);
    // Roots included, so the count compares with what the exporters saw.
    CALLS.fetch_add(iters + iters.div_ceil(CALLS_PER_ROOT), Ordering::Relaxed);
    elapsed
}

/// Spans opened since the last report.
static CALLS: AtomicU64 = AtomicU64::new(0);

fn no_root(body: &mut dyn FnMut()) {
    body();
}

fn no_drain() {}

fn set_run_context() {
    acm_trace::context::set(
        acm_trace::RunContext::new("FD_FAN")
            .with_run_id("0b7d5c1e-0000-4000-8000-000000000000")
            .with_batches(1, 1),
    );
}

fn configure<'a>(
    c: &'a mut Criterion<CpuClock>,
    name: &str,
) -> criterion::BenchmarkGroup<'a, CpuClock> {
    let mut group = c.benchmark_group(name);
    group
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_secs(1))
        .sample_size(30);
    group
}

/// Nothing listens: these must stay next to free. They run before any subscriber ever
/// existed in the process, as in a program that never installs one.
fn disabled(c: &mut Criterion<CpuClock>, name: &str, clock: fn() -> CpuClock) {
    set_run_context();
    let mut group = configure(c, name);
    group.bench_function("plain", |b| {
        b.iter_custom(|n| run(&clock(), n, &no_root, plain, &no_drain))
    });
    group.bench_function("acm_span", |b| {
        b.iter_custom(|n| run(&clock(), n, &no_root, acm, &no_drain))
    });
    group.bench_function("tracing_instrument", |b| {
        b.iter_custom(|n| run(&clock(), n, &no_root, instrument, &no_drain))
    });
    group.bench_function("fastrace", |b| {
        b.iter_custom(|n| run(&clock(), n, &no_root, fastrace_traced, &no_drain))
    });
    group.bench_function("plain_async_10_polls", |b| {
        b.iter_custom(|n| run(&clock(), n, &no_root, plain_async, &no_drain))
    });
    group.bench_function("acm_async_10_polls", |b| {
        b.iter_custom(|n| run(&clock(), n, &no_root, acm_async, &no_drain))
    });
    group.finish();
}

/// The process's resident memory, from `/proc/self/statm` (pages of 4 KiB).
fn resident_bytes() -> usize {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<usize>().ok())
        .map_or(0, |pages| pages * 4096)
}

/// Memory per open span: the resident growth while 200 000 nested spans are open at once
/// (their arena slots and records, the thread's stack of entered spans, and the guards).
fn memory_per_open_span(dispatch: &Dispatch, drain: &dyn Fn()) {
    const OPEN: usize = 200_000;
    tracing::dispatcher::with_default(dispatch, || {
        let before = resident_bytes();
        let mut guards = Vec::with_capacity(OPEN);
        for _ in 0..OPEN {
            guards.push(acm_trace::span!("compute.open").entered());
        }
        let open = resident_bytes().saturating_sub(before);
        while let Some(guard) = guards.pop() {
            drop(guard);
        }
        drain();
        eprintln!(
            "memory per open span: {} bytes ({} of them the guard itself)",
            open / OPEN,
            std::mem::size_of::<acm_trace::Guard>()
        );
    });
}

/// Enabled, each exporting through a batch processor to a discarding exporter.
fn enabled(c: &mut Criterion<CpuClock>, name: &str, clock: fn() -> CpuClock) {
    set_run_context();
    CALLS.store(0, Ordering::Relaxed);
    let mut group = configure(c, name);
    // What `init().start()` installs: the collector exports batches itself, with the batch
    // processor's settings below. It is a scoped default here, as every variant is: a global
    // default beside scoped ones changes how `tracing` caches every callsite's interest, and
    // slowed the other variants by up to 40 %.
    let exported = Discard::default();
    let subscriber =
        acm_trace::AcmSubscriber::exporting_with(exported.clone(), EXPORT_BATCH, SCHEDULE_DELAY);
    let flusher = subscriber.flusher();
    let drain = || {
        flusher.flush(Duration::from_secs(30));
    };
    let dispatch = Dispatch::new(subscriber);
    memory_per_open_span(&dispatch, &drain);
    exported.0.store(0, Ordering::Relaxed);
    bench_acm(&mut group, "acm_span", clock, dispatch.clone(), &drain);
    report_exported("acm_span", &exported.0);
    for (variant, f) in [
        ("acm_span_3_attrs", acm_attrs as fn(u64) -> u64),
        ("acm_async_10_polls", acm_async),
    ] {
        bench_acm_fn(&mut group, variant, clock, &dispatch, f, &drain);
        report_exported(variant, &exported.0);
    }
    drop(dispatch);

    // The same subscriber handing each span to the SDK's batch processor instead.
    let exported = Discard::default();
    let processor = Arc::new(batch_processor(exported.clone()));
    let subscriber = acm_trace::AcmSubscriber::new(processor.clone());
    let flusher = subscriber.flusher();
    let drain = || {
        flusher.flush(Duration::from_secs(30));
        let _ = processor.force_flush();
    };
    let dispatch = Dispatch::new(subscriber);
    bench_acm(
        &mut group,
        "acm_span_via_processor",
        clock,
        dispatch,
        &drain,
    );
    report_exported("acm_span_via_processor", &exported.0);

    let exported = Discard::default();
    let processor = Arc::new(batch_processor(exported.clone()));
    let drain = || {
        let _ = processor.force_flush();
    };
    let layer = acm_trace::AcmLayer::new(processor.clone());
    let dispatch = Dispatch::new(tracing_subscriber::registry().with(layer));
    bench_acm(&mut group, "acm_span_lean_layer", clock, dispatch, &drain);
    report_exported("acm_span_lean_layer", &exported.0);

    let exported = Discard::default();
    let provider = SdkTracerProvider::builder()
        .with_span_processor(batch_processor(exported.clone()))
        .build();
    let layer = tracing_opentelemetry::layer()
        .with_tracer(provider.tracer("bench"))
        .with_tracked_inactivity(false)
        .with_threads(false);
    let drain = || {
        let _ = provider.force_flush();
    };
    let dispatch = Dispatch::new(tracing_subscriber::registry().with(layer));
    tracing::dispatcher::with_default(&dispatch, || {
        let root = |body: &mut dyn FnMut()| tracing::info_span!("pipeline.run").in_scope(body);
        group.bench_function("tracing_instrument_otel_layer", |b| {
            b.iter_custom(|n| run(&clock(), n, &root, instrument, &drain))
        });
        // The same acm spans through tracing-opentelemetry: the compatibility path.
        let root = |body: &mut dyn FnMut()| acm_trace::span!("pipeline.run").in_scope(body);
        group.bench_function("acm_span_otel_layer", |b| {
            b.iter_custom(|n| run(&clock(), n, &root, acm, &drain))
        });
    });
    let _ = provider.shutdown();
    report_exported("tracing-opentelemetry (both variants)", &exported.0);

    let reported = Arc::new(AtomicU64::new(0));
    fastrace::set_reporter(
        FastraceDiscard(reported.clone()),
        fastrace::collector::Config::default(),
    );
    let root = |body: &mut dyn FnMut()| {
        let root = fastrace::Span::root("pipeline.run", fastrace::prelude::SpanContext::random());
        let _guard = root.set_local_parent();
        body();
    };
    group.bench_function("fastrace", |b| {
        b.iter_custom(|n| run(&clock(), n, &root, fastrace_traced, &fastrace::flush))
    });
    report_exported("fastrace", &reported);
    group.finish();
}

/// Runs acm spans under `dispatch` as variant `name`, then drops the subscriber so that its
/// collector thread ends before the next variant.
fn bench_acm(
    group: &mut BenchmarkGroup<'_, CpuClock>,
    name: &str,
    clock: fn() -> CpuClock,
    dispatch: Dispatch,
    drain: &dyn Fn(),
) {
    tracing::dispatcher::with_default(&dispatch, || {
        let root = |body: &mut dyn FnMut()| acm_trace::span!("pipeline.run").in_scope(body);
        group.bench_function(name, |b| {
            b.iter_custom(|n| run(&clock(), n, &root, acm, drain))
        });
    });
}

/// Runs `f` under `dispatch` as variant `name`, each call a span under a root per 100.
fn bench_acm_fn(
    group: &mut BenchmarkGroup<'_, CpuClock>,
    name: &str,
    clock: fn() -> CpuClock,
    dispatch: &Dispatch,
    f: fn(u64) -> u64,
    drain: &dyn Fn(),
) {
    tracing::dispatcher::with_default(dispatch, || {
        let root = |body: &mut dyn FnMut()| acm_trace::span!("pipeline.run").in_scope(body);
        group.bench_function(name, |b| {
            b.iter_custom(|n| run(&clock(), n, &root, f, drain))
        });
    });
}

/// What reached the exporter, against what was opened: a variant that dropped spans under
/// load would look cheaper than it is.
fn report_exported(what: &str, exported: &AtomicU64) {
    std::thread::sleep(Duration::from_millis(500));
    eprintln!(
        "{what}: {} of {} spans exported",
        exported.swap(0, Ordering::Relaxed),
        CALLS.swap(0, Ordering::Relaxed)
    );
}

fn disabled_thread(c: &mut Criterion<CpuClock>) {
    disabled(c, "disabled/thread_cpu", CpuClock::thread);
}

fn disabled_process(c: &mut Criterion<CpuClock>) {
    disabled(c, "disabled/process_cpu", CpuClock::process);
}

fn enabled_thread(c: &mut Criterion<CpuClock>) {
    enabled(c, "enabled/thread_cpu", CpuClock::thread);
}

fn enabled_process(c: &mut Criterion<CpuClock>) {
    enabled(c, "enabled/process_cpu", CpuClock::process);
}

criterion_group! {
    name = disabled_calling_thread;
    config = Criterion::default().with_measurement(CpuClock::thread());
    targets = disabled_thread
}

criterion_group! {
    name = disabled_whole_process;
    config = Criterion::default().with_measurement(CpuClock::process());
    targets = disabled_process
}

criterion_group! {
    name = enabled_calling_thread;
    config = Criterion::default().with_measurement(CpuClock::thread());
    targets = enabled_thread
}

criterion_group! {
    name = enabled_whole_process;
    config = Criterion::default().with_measurement(CpuClock::process());
    targets = enabled_process
}

criterion_main!(
    disabled_calling_thread,
    disabled_whole_process,
    enabled_calling_thread,
    enabled_whole_process
);
