//! Load and fault runs of the default pipeline (`init().start()`, the native subscriber)
//! against a real OTLP receiver on 127.0.0.1, reported as figures (`tests/README.md`).
//!
//! ```text
//! cargo run --release -p acm-trace-tests --example soak -- soak grpc 200000 10 [QUEUE]
//! cargo run --release -p acm-trace-tests --example soak -- down http 100000 60
//! ```
//!
//! `soak`: spans at RATE a second from four threads for SECONDS into a live receiver; prints
//! what was produced, received and dropped, and checks that every span is accounted for.
//! `down`: the same into a port where nothing listens; prints the peak memory, the rate the
//! program kept, how long shutdown took and the undelivered count.

#[path = "../tests/support/collector.rs"]
mod collector;

use std::process::ExitCode;
use std::time::{Duration, Instant};

use acm_trace_runtime::Protocol;
use collector::{GrpcCollector, HttpCollector, Inbox};

const THREADS: u64 = 4;
const SHUTDOWN_BOUND: Duration = Duration::from_secs(30);

enum Receiver {
    Grpc(GrpcCollector),
    Http(HttpCollector),
    Absent(String),
}

impl Receiver {
    fn start(protocol: Protocol, live: bool) -> Self {
        match (live, protocol) {
            (false, _) => Receiver::Absent(collector::absent_endpoint()),
            (true, Protocol::Grpc) => Receiver::Grpc(GrpcCollector::start()),
            (true, _) => Receiver::Http(HttpCollector::start()),
        }
    }

    fn endpoint(&self) -> String {
        match self {
            Receiver::Grpc(c) => c.endpoint(),
            Receiver::Http(c) => c.endpoint(),
            Receiver::Absent(endpoint) => endpoint.clone(),
        }
    }

    fn inbox(&self) -> Option<Inbox> {
        match self {
            Receiver::Grpc(c) => Some(c.inbox()),
            Receiver::Http(c) => Some(c.inbox()),
            Receiver::Absent(_) => None,
        }
    }
}

/// Emits `rate` spans a second in all, from [`THREADS`] threads, for `seconds`; returns the
/// number emitted and the time it took.
fn produce(rate: u64, seconds: u64) -> (u64, Duration) {
    let started = Instant::now();
    let per_thread_ms = (rate / THREADS).div_ceil(1000).max(1);
    let ticks = seconds * 1000;
    let produced: u64 = std::thread::scope(|s| {
        let workers: Vec<_> = (0..THREADS)
            .map(|_| {
                s.spawn(move || {
                    let mut emitted = 0u64;
                    for tick in 0..ticks {
                        for _ in 0..per_thread_ms {
                            acm_trace::span!("compute.soak").in_scope(|| {});
                        }
                        emitted += per_thread_ms;
                        let due = started + Duration::from_millis(tick + 1);
                        if let Some(wait) = due.checked_duration_since(Instant::now()) {
                            std::thread::sleep(wait);
                        }
                    }
                    emitted
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().expect("worker")).sum()
    });
    (produced, started.elapsed())
}

/// The process's peak resident memory, in MiB, from `/proc/self/status`.
fn peak_rss_mib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024)
}

fn protocol(name: &str) -> Option<Protocol> {
    match name {
        "grpc" => Some(Protocol::Grpc),
        "http" => Some(Protocol::HttpProtobuf),
        _ => None,
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: soak (soak|down) (grpc|http) RATE SECONDS [QUEUE]";
    let (Some(mode), Some(protocol), Some(rate), Some(seconds)) = (
        args.first().map(String::as_str),
        args.get(1).and_then(|p| protocol(p)),
        args.get(2).and_then(|r| r.parse::<u64>().ok()),
        args.get(3).and_then(|s| s.parse::<u64>().ok()),
    ) else {
        eprintln!("{usage}");
        return ExitCode::from(2);
    };
    let queue = args.get(4).and_then(|q| q.parse::<usize>().ok());
    let live = match mode {
        "soak" => true,
        "down" => false,
        _ => {
            eprintln!("{usage}");
            return ExitCode::from(2);
        }
    };

    let receiver = Receiver::start(protocol, live);
    if let Some(inbox) = receiver.inbox() {
        inbox.discard_contents();
    }
    let mut builder = acm_trace_runtime::init()
        .env(std::collections::HashMap::<String, String>::new())
        .service_name("acm-soak")
        .protocol(protocol)
        .endpoint(receiver.endpoint())
        .shutdown_timeout(SHUTDOWN_BOUND);
    if let Some(queue) = queue {
        builder = builder
            .max_queue_size(queue)
            .max_export_batch_size(512.min(queue));
    }
    let telemetry = match builder.start() {
        Ok(t) => t,
        Err(err) => {
            eprintln!("start: {err}");
            return ExitCode::FAILURE;
        }
    };

    let (produced, took) = produce(rate, seconds);
    let kept_rate = produced as f64 / took.as_secs_f64();
    let shutdown_started = Instant::now();
    let report = telemetry.shutdown();
    let shutdown_took = shutdown_started.elapsed();
    // Let the receiver take the last requests it was sent.
    std::thread::sleep(Duration::from_millis(200));
    let received = receiver.inbox().map_or(0, |inbox| inbox.span_count());

    println!(
        "mode={mode} protocol={} rate={rate}/s seconds={seconds} queue={}",
        protocol.as_str(),
        queue.map_or_else(|| "default".to_owned(), |q| q.to_string())
    );
    println!(
        "produced={produced} kept_rate={kept_rate:.0}/s received={received} exported={} \
         dropped={} failed={} undelivered={} shutdown={shutdown_took:.2?} peak_rss={}MiB",
        report.exported,
        report.dropped,
        report.failed,
        report.undelivered,
        peak_rss_mib().map_or_else(|| "?".to_owned(), |m| m.to_string()),
    );
    println!("{report}");

    let accounted = if live {
        produced == received + report.dropped && report.exported == received
    } else {
        report.undelivered == produced && shutdown_took <= SHUTDOWN_BOUND + Duration::from_secs(1)
    };
    if accounted {
        println!("every span accounted for");
        ExitCode::SUCCESS
    } else {
        println!("MISMATCH: spans unaccounted for");
        ExitCode::FAILURE
    }
}
