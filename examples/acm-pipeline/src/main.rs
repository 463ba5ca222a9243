use std::process::ExitCode;

use acm_pipeline::cli::{self, Command};

fn main() -> ExitCode {
    let mut cfg = match cli::parse(std::env::args().skip(1)) {
        Ok(Command::Run(cfg)) => cfg,
        Ok(Command::Help) => {
            println!("{}", cli::USAGE);
            return ExitCode::SUCCESS;
        }
        Ok(Command::Version) => {
            println!("acm-pipeline {}", env!("CARGO_PKG_VERSION"));
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("error: {e}");
            eprintln!(
                "Usage: acm-pipeline [--equipment NAME] [--batches N] [--rows N] [--out DIR] [--fail-stage NAME]"
            );
            return ExitCode::from(2);
        }
    };
    // One run id names the trace file, the database rows and every span's `acm.run_id`.
    let run_id = cfg
        .run_id
        .get_or_insert_with(acm_pipeline::startup::new_run_id)
        .clone();
    // Exports over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set (transport from
    // OTEL_EXPORTER_OTLP_PROTOCOL); otherwise writes OTLP/JSON lines under --out and prints
    // the span tree at shutdown.
    let telemetry = match acm_trace::init()
        .default_service_name(acm_pipeline::SERVICE_NAME)
        .out_dir(&cfg.out_dir)
        .run_id(&run_id)
        .start()
    {
        Ok(telemetry) => telemetry,
        Err(e) => {
            eprintln!("error: telemetry: {e}");
            return ExitCode::from(2);
        }
    };
    let telemetry = std::sync::Arc::new(telemetry);
    let on_signal = flush_on_termination(&telemetry);
    let result = acm_pipeline::run(&cfg);
    if let Some(on_signal) = on_signal {
        on_signal.stop();
    }
    let Ok(telemetry) = std::sync::Arc::try_unwrap(telemetry) else {
        unreachable!("the signal thread has ended and dropped its handle");
    };
    let to_collector = matches!(
        telemetry.destination(),
        acm_trace::ExportDestination::Otlp { .. }
    );
    let report = telemetry.shutdown();
    // The embedded default prints the same line under its span tree.
    if to_collector {
        eprintln!("telemetry: {report}");
    }
    match result {
        Ok(summary) => {
            println!("{summary}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            let mut source = std::error::Error::source(&e);
            while let Some(s) = source {
                eprintln!("  caused by: {s}");
                source = s.source();
            }
            ExitCode::FAILURE
        }
    }
}

/// The thread that flushes telemetry on SIGTERM or Ctrl-C, until stopped.
#[cfg(unix)]
struct SignalThread {
    handle: signal_hook::iterator::Handle,
    thread: std::thread::JoinHandle<()>,
}

#[cfg(unix)]
impl SignalThread {
    fn stop(self) {
        self.handle.close();
        let _ = self.thread.join();
    }
}

/// On SIGTERM or SIGINT, exports every span that has ended, says how many were exported, and
/// exits with 128 + the signal, as the shell reports a process killed by it. Without this, the
/// spans still waiting in the collector would be lost with the process.
#[cfg(unix)]
fn flush_on_termination(telemetry: &std::sync::Arc<acm_trace::Telemetry>) -> Option<SignalThread> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let mut signals = match signal_hook::iterator::Signals::new([SIGTERM, SIGINT]) {
        Ok(signals) => signals,
        Err(e) => {
            eprintln!("warning: no flush on SIGTERM/Ctrl-C: {e}");
            return None;
        }
    };
    let handle = signals.handle();
    let telemetry = telemetry.clone();
    let thread = std::thread::spawn(move || {
        if let Some(signal) = signals.forever().next() {
            let flushed = telemetry.flush();
            let counts = telemetry.delivery();
            eprintln!(
                "telemetry: signal {signal}: flushed, {} spans exported{}",
                counts.exported,
                flushed
                    .err()
                    .map_or_else(String::new, |e| format!(" ({e})"))
            );
            std::process::exit(128 + signal);
        }
    });
    Some(SignalThread { handle, thread })
}

#[cfg(not(unix))]
struct SignalThread;

#[cfg(not(unix))]
impl SignalThread {
    fn stop(self) {}
}

#[cfg(not(unix))]
fn flush_on_termination(_: &std::sync::Arc<acm_trace::Telemetry>) -> Option<SignalThread> {
    None
}
