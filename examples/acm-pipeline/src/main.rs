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
    let result = acm_pipeline::run(&cfg);
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
