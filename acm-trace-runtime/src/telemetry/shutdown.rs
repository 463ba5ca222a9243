//! Bounded flush and shutdown, run off the caller's thread.
//!
//! The SDK's flush blocks until its export thread answers, and a gRPC export only finishes
//! while the runtime that owns the channel runs. Called on a runtime thread (a current-thread
//! runtime, `#[tokio::main]` with one worker, or any `drop` in async code) that can deadlock
//! for the SDK's full five seconds. Here the work runs on a plain thread and the caller waits
//! for it at most the bound; if the bound passes, the thread is left to finish alone.

use std::fmt;
use std::io::Write as _;
use std::sync::PoisonError;
use std::sync::mpsc::sync_channel;
use std::time::{Duration, Instant};

use super::options::ExportDestination;
use super::pipeline::{Pipeline, TreeOutput};
use crate::export::delivery::DeliveryCounts;
use crate::export::tree::render_tree;

/// What [`Telemetry::shutdown`](crate::Telemetry::shutdown) achieved.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ShutdownReport {
    /// Spans that ended and were recorded.
    pub ended: u64,
    /// Spans the backend (or the trace file) accepted.
    pub exported: u64,
    /// Spans in export requests that failed.
    pub failed: u64,
    /// Spans dropped because the queue in front of the exporter was full.
    pub dropped: u64,
    /// Spans that were not delivered: failed, dropped because the queue was full, or still in
    /// flight when the bound was reached.
    pub undelivered: u64,
    /// Whether the shutdown finished within the bound and the SDK reported no error (such as
    /// its own timeout). Spans whose export failed are counted in `failed`, not here.
    pub completed: bool,
    /// How long the shutdown took.
    pub elapsed: Duration,
    /// Errors reported by the SDK while shutting down.
    pub errors: Vec<String>,
    /// Why the latest failed export failed (an HTTP status, a refused connection, a bad
    /// frame...), as the exporter reported it; `None` when no export failed.
    pub last_failure: Option<String>,
}

impl ShutdownReport {
    fn new(
        counts: DeliveryCounts,
        completed: bool,
        elapsed: Duration,
        errors: Vec<String>,
        last_failure: Option<String>,
        dropped: u64,
    ) -> Self {
        Self {
            last_failure,
            dropped,
            ended: counts.ended,
            exported: counts.exported,
            failed: counts.failed,
            undelivered: counts.undelivered,
            completed,
            elapsed,
            errors,
        }
    }
}

impl fmt::Display for ShutdownReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} of {} spans exported, {} undelivered ({} in failed exports)",
            self.exported, self.ended, self.undelivered, self.failed
        )?;
        if self.dropped > 0 {
            write!(f, "; {} dropped by a full queue", self.dropped)?;
        }
        if let Some(reason) = &self.last_failure {
            write!(f, "; last export failure: {reason}")?;
        }
        if !self.completed {
            write!(
                f,
                "; stopped after {:.1?}: {}",
                self.elapsed,
                self.errors.join("; ")
            )?;
        }
        Ok(())
    }
}

/// Runs `work` on a new thread and waits for its result at most `bound`.
///
/// `None` when the bound passed, the thread could not be started, or `work` panicked: the
/// caller never blocks longer than the bound and never sees a panic.
pub(crate) fn run_bounded<T, F>(name: &str, bound: Duration, work: F) -> Option<T>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    let (tx, rx) = sync_channel(1);
    std::thread::Builder::new()
        .name(name.to_string())
        .spawn(move || {
            let _ = tx.send(work());
        })
        .ok()?;
    rx.recv_timeout(bound).ok()
}

fn remaining(deadline: Instant) -> Duration {
    deadline.saturating_duration_since(Instant::now())
}

/// Shuts the pipeline down within its bound and reports; prints the tree if there is one.
pub(crate) fn shutdown(pipeline: Pipeline) -> ShutdownReport {
    let started = Instant::now();
    let bound = pipeline.shutdown_timeout;
    let deadline = started + bound;
    let flusher = pipeline.flusher.clone();
    let counters = pipeline.counters.clone();
    let tree = pipeline.tree;
    let destination = pipeline.destination;
    let tracer_provider = pipeline.tracer_provider;
    #[cfg(feature = "otlp")]
    let logger_provider = pipeline.logger_provider;
    #[cfg(feature = "otlp-grpc")]
    let runtime = pipeline.runtime;

    let counted = flusher.clone();
    let errors = run_bounded("acm-telemetry-shutdown", bound, move || {
        let mut errors = Vec::new();
        // The collector's spans go to the processor before it shuts down.
        if let Some(flusher) = &flusher
            && !flusher.flush(remaining(deadline))
        {
            errors.push("traces: spans still waiting in the collector".to_owned());
        }
        // Traces first, then logs, as the SDK's own examples do: span export may log.
        if let Err(err) = tracer_provider.shutdown_with_timeout(remaining(deadline)) {
            errors.push(format!("traces: {err}"));
        }
        #[cfg(feature = "otlp")]
        if let Some(Err(err)) =
            logger_provider.map(|p| p.shutdown_with_timeout(remaining(deadline)))
        {
            errors.push(format!("logs: {err}"));
        }
        // Only after the providers: their last export needs the channel's tasks.
        #[cfg(feature = "otlp-grpc")]
        if let Some(runtime) = runtime {
            runtime.shutdown_timeout(remaining(deadline));
        }
        errors
    });
    let completed = errors.as_ref().is_some_and(Vec::is_empty);
    let report = ShutdownReport::new(
        super::pipeline::delivery_counts(&counters, counted.as_ref()),
        completed,
        started.elapsed(),
        errors.unwrap_or_else(|| vec![format!("shutdown did not finish within {bound:?}")]),
        counters.last_failure(),
        counted.as_ref().map_or(0, crate::SpanFlusher::dropped),
    );
    if let Some(tree) = tree {
        print_tree(&tree, &destination, &report);
    }
    report
}

fn print_tree(tree: &TreeOutput, destination: &ExportDestination, report: &ShutdownReport) {
    let mut text = {
        let log = tree.records.lock().unwrap_or_else(PoisonError::into_inner);
        let mut text = render_tree(&log.records, tree.color);
        if log.omitted > 0 {
            text.push_str(&format!("… {} more spans not shown\n", log.omitted));
        }
        text
    };
    if let ExportDestination::File { path } = destination {
        text.push_str(&format!("{report}; written to {}\n", path.display()));
    }
    // A closed stderr must not turn a clean shutdown into a panic, as `eprint!` would.
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_bounded_gives_up_on_time_and_survives_panics() {
        let started = Instant::now();
        let slow = run_bounded("t-slow", Duration::from_millis(50), || {
            std::thread::sleep(Duration::from_secs(2));
        });
        assert!(slow.is_none());
        assert!(started.elapsed() < Duration::from_secs(1));

        let panicked: Option<()> =
            run_bounded("t-panic", Duration::from_secs(5), || panic!("boom"));
        assert!(panicked.is_none());

        assert_eq!(run_bounded("t-ok", Duration::from_secs(5), || 7), Some(7));
    }
}
