//! The demo as a newcomer runs it: the `acm-pipeline` binary on its embedded default, in a
//! temporary working directory, with no `OTEL_*` variables and stderr not a terminal. It
//! prints the span tree (without colours), writes the JSON-lines trace file and the SQLite
//! database, and a failing stage shows in the tree and in the exit code.

#[path = "../../../tests/tests/support/demo_trace.rs"]
mod demo_trace;
#[path = "../../../tests/tests/support/temp_dir.rs"]
mod temp_dir;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use demo_trace::{BatchShape, Node};
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use temp_dir::TempDir;

const ROWS: usize = 3_000;

/// The demo binary, built by cargo for this package's tests.
fn demo_binary() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_acm-pipeline"))
}

/// Runs the demo in `dir` as a fresh terminal session would, minus the terminal: no `OTEL_*`
/// variables, `NO_COLOR` unset, a `TERM` that supports colour, stdout and stderr piped.
fn run_demo(dir: &Path, args: &[&str]) -> Output {
    let mut cmd = Command::new(demo_binary());
    cmd.current_dir(dir)
        .args(["--rows", &ROWS.to_string(), "--out"])
        .arg(dir.join("out"))
        .args(args)
        .env_remove("NO_COLOR")
        .env("TERM", "xterm-256color")
        .stdin(Stdio::null());
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("OTEL_") {
            cmd.env_remove(name);
        }
    }
    cmd.output().expect("the demo starts")
}

/// What a run printed and wrote.
struct Run {
    stdout: String,
    stderr: String,
    /// `trace <id>` lines of the tree.
    trace_ids: Vec<String>,
    /// The tree's span lines without their durations, as [`demo_trace::render`] draws them.
    tree: String,
    /// The spans of the trace file.
    spans: Vec<opentelemetry_proto::tonic::trace::v1::Span>,
}

fn read_run(dir: &Path, out: &Output) -> Run {
    let stdout = String::from_utf8(out.stdout.clone()).expect("stdout is UTF-8");
    let stderr = String::from_utf8(out.stderr.clone()).expect("stderr is UTF-8");
    assert!(
        !stderr.contains("\x1b[") && !stdout.contains("\x1b["),
        "no colours when stderr is not a terminal:\n{stderr:?}"
    );

    let mut trace_ids = Vec::new();
    let mut tree = String::new();
    let mut report = None;
    for line in stderr.lines() {
        if let Some(id) = line.strip_prefix("trace ") {
            assert!(
                id.len() == 32 && id.chars().all(|c| c.is_ascii_hexdigit()),
                "{line:?}"
            );
            trace_ids.push(id.to_owned());
        } else if line.contains(" spans exported, ") {
            report = Some(line.to_owned());
        } else if !trace_ids.is_empty() && report.is_none() {
            // `{prefix}{name}  {KIND}  {duration}  {outcome}`; the prefix has spaces too.
            let mut parts = line.rsplitn(3, "  ");
            let outcome = parts.next().unwrap_or_default();
            let duration = parts.next().unwrap_or_default();
            let rest = parts.next().unwrap_or_default();
            let duration_ok = duration.split_once(' ').is_some_and(|(n, unit)| {
                n.parse::<f64>().is_ok() && ["µs", "ms", "s"].contains(&unit)
            });
            assert!(duration_ok, "a duration in {line:?}");
            let _ = writeln!(tree, "{rest}  {outcome}");
        }
    }

    // The file named by the report line is the run's only trace file, under --out.
    let report = report.unwrap_or_else(|| panic!("no delivery report in stderr:\n{stderr}"));
    let files: Vec<PathBuf> = std::fs::read_dir(dir.join("out"))
        .expect("the output directory exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let run_id = files[0].file_stem().unwrap().to_string_lossy().into_owned();
    assert!(
        report.ends_with(&format!("{run_id}.jsonl")),
        "the report names the file: {report}"
    );
    let text = std::fs::read_to_string(&files[0]).unwrap();
    let requests: Vec<ExportTraceServiceRequest> = text
        .lines()
        .map(|line| serde_json::from_str(line).expect("each line is an export request"))
        .collect();
    demo_trace::assert_resource(&requests, demo_trace::DEFAULT_SERVICE);
    let spans = demo_trace::spans_of(&requests);
    assert!(
        report.starts_with(&format!(
            "{0} of {0} spans exported, 0 undelivered",
            spans.len()
        )),
        "{report}"
    );
    for s in &spans {
        assert_eq!(
            demo_trace::string_attr(&s.attributes, "acm.run_id").as_deref(),
            Some(run_id.as_str()),
            "the file is named after the run id of its spans"
        );
    }

    // The database is a real SQLite file.
    let db = std::fs::read(dir.join("out").join(acm_pipeline::db::DB_FILE))
        .expect("the SQLite database exists");
    assert!(db.starts_with(b"SQLite format 3\0"), "a SQLite header");

    Run {
        stdout,
        stderr,
        trace_ids,
        tree,
        spans,
    }
}

/// The shape of a one-batch run of `ROWS` rows on a fresh directory that found `episodes`.
fn shape(episodes: usize) -> BatchShape {
    let cfg = acm_pipeline::Config {
        rows: ROWS,
        ..acm_pipeline::Config::default()
    };
    BatchShape {
        episodes,
        rows: ROWS,
        ..BatchShape::first_on_fresh_dir(&cfg)
    }
}

/// The number before ` episode` in the summary the demo prints on stdout.
fn episodes_in(stdout: &str) -> usize {
    let before = stdout
        .split(" episode")
        .next()
        .filter(|s| s.len() < stdout.len())
        .unwrap_or_else(|| panic!("no episode count in {stdout:?}"));
    before
        .rsplit(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no episode count in {stdout:?}"))
}

#[test]
fn prints_the_tree_and_writes_the_trace_file_and_the_database() {
    let dir = TempDir::new("demo-binary");
    let out = run_demo(dir.path(), &[]);
    let run = read_run(dir.path(), &out);
    assert_eq!(out.status.code(), Some(0), "stderr:\n{}", run.stderr);
    assert!(
        run.stdout.contains("equipment FD_FAN") && run.stdout.contains("batch 1/1"),
        "{}",
        run.stdout
    );

    let want: Vec<Node> = demo_trace::expected_batch(&shape(episodes_in(&run.stdout)), None);
    demo_trace::assert_same_tree(&run.tree, &demo_trace::render(&want), "the printed tree");
    assert!(run.tree.starts_with("pipeline.run  SERVER  success\n"));
    assert!(run.tree.contains("├── load.data  CLIENT  success\n"));
    assert!(run.tree.contains("│   ├── fit.ar1  INTERNAL  success\n"));
    assert!(run.tree.contains("└── finalize  SERVER  success\n"));
    assert_eq!(run.trace_ids.len(), 1, "one trace for one batch");
    assert_eq!(
        run.spans.len(),
        want.len(),
        "every span of the tree is in the file"
    );
}

#[test]
fn a_failing_stage_shows_in_the_tree_and_the_exit_code() {
    let dir = TempDir::new("demo-binary-fail");
    let out = run_demo(dir.path(), &["--fail-stage", "score.pca"]);
    let run = read_run(dir.path(), &out);
    assert_eq!(out.status.code(), Some(1), "stderr:\n{}", run.stderr);
    assert!(
        run.stderr
            .contains("error: stage `score.pca` failed because --fail-stage asked it to"),
        "{}",
        run.stderr
    );

    let want = demo_trace::expected_batch(&shape(0), Some("score.pca"));
    demo_trace::assert_same_tree(&run.tree, &demo_trace::render(&want), "the printed tree");
    assert!(run.tree.starts_with("pipeline.run  SERVER  fail\n"));
    assert!(run.tree.contains("    ├── score.ar1  INTERNAL  success\n"));
    assert!(run.tree.contains("    └── score.pca  INTERNAL  fail\n"));
    assert!(run.tree.contains("└── models.score  SERVER  fail\n"));
    assert_eq!(run.spans.len(), want.len());
}

/// SIGTERM in the middle of a long run: the spans that ended before it are flushed to the
/// trace file, which holds exactly what the demo reports as exported, in whole lines.
#[cfg(unix)]
#[test]
fn sigterm_flushes_the_spans_that_ended() {
    let dir = TempDir::new("sigterm");
    let child = Command::new(demo_binary())
        .current_dir(dir.path())
        .args(["--rows", "400000", "--batches", "2000", "--out"])
        .arg(dir.path().join("out"))
        .env_remove("NO_COLOR")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the demo starts");
    // Spans end in this time and wait in the collector's batch (the export delay is 5 s), so
    // only the flush on the signal can write them.
    std::thread::sleep(std::time::Duration::from_millis(2000));
    let pid = libc::pid_t::try_from(child.id()).expect("a pid");
    // SAFETY: sends a signal to the child this test started and has not reaped yet.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0, "SIGTERM sent");
    let out = child.wait_with_output().expect("the demo exits");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(128 + libc::SIGTERM), "{stderr}");
    let exported: usize = stderr
        .lines()
        .find_map(|l| l.strip_prefix("telemetry: signal 15: flushed, "))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no flush report in stderr:\n{stderr}"));
    let files: Vec<PathBuf> = std::fs::read_dir(dir.path().join("out"))
        .expect("the output directory exists")
        .map(|e| e.expect("an entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let text = std::fs::read_to_string(&files[0]).expect("the trace file");
    let requests: Vec<ExportTraceServiceRequest> = text
        .lines()
        .map(|line| serde_json::from_str(line).expect("each line is a whole export request"))
        .collect();
    let spans = demo_trace::spans_of(&requests);
    assert!(!spans.is_empty(), "spans ended before the signal");
    assert_eq!(
        spans.len(),
        exported,
        "the file holds what was reported exported"
    );
}
