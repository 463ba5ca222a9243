//! The documented trace of the `acm-pipeline` demo (see `examples/acm-pipeline/src/lib.rs`),
//! asserted on OTLP protobuf spans, whichever way they arrived: a gRPC or HTTP receiver, or
//! the JSON-lines file of the embedded default.
//!
//! The expected tree is built from the documented shape and what a run reports about itself
//! (whether it generated the sensor history, its rows, its episodes), then compared with the
//! spans as text, so a failure shows both trees. Every span's kind, standard attributes,
//! caller attributes, status and timing are then checked, and every problem is reported at
//! once rather than only the first.

#![allow(dead_code)] // each test binary uses a different part

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

use acm_pipeline::{Config, PipelineError, RunSummary};
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::KeyValue;
use opentelemetry_proto::tonic::common::v1::any_value::Value;
use opentelemetry_proto::tonic::trace::v1::Span;
use opentelemetry_proto::tonic::trace::v1::span::SpanKind;
use opentelemetry_proto::tonic::trace::v1::status::StatusCode;

/// `service.name` and `acm.service` when nothing sets them.
pub const DEFAULT_SERVICE: &str = "acm-pipeline";
/// Small settings that keep a debug run to about a second.
pub const ROWS: usize = 3_000;
pub const BATCHES: usize = 2;

// ---- running the demo ----------------------------------------------------------------------

/// The run context is process-wide, so runs of the pipeline in one test binary take turns.
static ONE_RUN: Mutex<()> = Mutex::new(());

pub fn one_run_at_a_time() -> MutexGuard<'static, ()> {
    ONE_RUN.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The demo's configuration with small settings and a known run id, writing under `dir`.
pub fn config(dir: &Path) -> Config {
    Config {
        rows: ROWS,
        batches: BATCHES,
        out_dir: dir.to_path_buf(),
        run_id: Some(acm_pipeline::startup::new_run_id()),
        ..Config::default()
    }
}

/// Every span of every request, in arrival order.
pub fn spans_of(requests: &[ExportTraceServiceRequest]) -> Vec<Span> {
    requests
        .iter()
        .flat_map(|r| &r.resource_spans)
        .flat_map(|rs| &rs.scope_spans)
        .flat_map(|ss| ss.spans.clone())
        .collect()
}

/// Every resource and scope of `requests` names `service` and acm-trace.
pub fn assert_resource(requests: &[ExportTraceServiceRequest], service: &str) {
    assert!(!requests.is_empty(), "no export requests");
    for rs in requests.iter().flat_map(|r| &r.resource_spans) {
        let resource = rs.resource.as_ref().expect("every batch has a resource");
        assert_eq!(
            string_attr(&resource.attributes, "service.name").as_deref(),
            Some(service),
            "service.name of {:?}",
            resource.attributes
        );
        for ss in &rs.scope_spans {
            let scope = ss.scope.as_ref().map(|s| s.name.as_str());
            assert_eq!(scope, Some("acm-trace"), "instrumentation scope");
        }
    }
}

// ---- attribute access ----------------------------------------------------------------------

pub fn attr<'a>(attrs: &'a [KeyValue], key: &str) -> Option<&'a Value> {
    attrs
        .iter()
        .find(|kv| kv.key == key)
        .and_then(|kv| kv.value.as_ref())
        .and_then(|v| v.value.as_ref())
}

pub fn string_attr(attrs: &[KeyValue], key: &str) -> Option<String> {
    match attr(attrs, key) {
        Some(Value::StringValue(s)) => Some(s.clone()),
        _ => None,
    }
}

pub fn int_attr(attrs: &[KeyValue], key: &str) -> Option<i64> {
    match attr(attrs, key) {
        Some(Value::IntValue(v)) => Some(*v),
        _ => None,
    }
}

pub fn double_attr(attrs: &[KeyValue], key: &str) -> Option<f64> {
    match attr(attrs, key) {
        Some(Value::DoubleValue(v)) => Some(*v),
        _ => None,
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

// ---- the documented shape ------------------------------------------------------------------

/// Kind and `acm.phase` of each category the demo uses: the seed's mapping, written out here
/// rather than read from the taxonomy crate, so the test is an independent statement of it.
fn category_kind_phase(category: &str) -> Option<(SpanKind, &'static str)> {
    Some(match category {
        "load" => (SpanKind::Client, "load"),
        "sql" | "persist" => (SpanKind::Client, "persist"),
        "fit" | "regimes" => (SpanKind::Internal, "fit"),
        "score" => (SpanKind::Internal, "score"),
        "pipeline" => (SpanKind::Server, "pipeline"),
        "startup" => (SpanKind::Server, "startup"),
        "models" => (SpanKind::Server, "fit"),
        "finalize" => (SpanKind::Server, "finalize"),
        "features" => (SpanKind::Producer, "features"),
        "forecast" => (SpanKind::Producer, "forecast"),
        "analytics" => (SpanKind::Producer, "analytics"),
        "fusion" | "thresholds" => (SpanKind::Consumer, "fusion"),
        _ => return None,
    })
}

/// The label the terminal tree prints for a kind.
pub fn kind_label(kind: SpanKind) -> &'static str {
    match kind {
        SpanKind::Client => "CLIENT",
        SpanKind::Internal => "INTERNAL",
        SpanKind::Server => "SERVER",
        SpanKind::Producer => "PRODUCER",
        SpanKind::Consumer => "CONSUMER",
        SpanKind::Unspecified => "UNSPECIFIED",
    }
}

/// The kind a span name must have.
pub fn expected_kind(name: &str) -> SpanKind {
    let category = name.split('.').next().unwrap_or_default();
    category_kind_phase(category)
        .unwrap_or_else(|| panic!("`{name}` is not a span of the demo"))
        .0
}

/// The function (and its file under `examples/acm-pipeline/src/`) behind each span, as the
/// table in the demo's crate documentation lists them.
fn site(name: &str) -> Option<(&'static str, &'static str)> {
    Some(match name {
        "pipeline.run" => ("run_batch", "pipeline.rs"),
        "startup" => ("startup", "startup.rs"),
        "load.data" => ("load_data", "load.rs"),
        "features.compute" => ("compute_features", "features.rs"),
        "models.fit" => ("fit_models", "detectors/mod.rs"),
        "models.score" => ("score_models", "detectors/mod.rs"),
        n if n.starts_with("fit.") => ("fit", "detectors/mod.rs"),
        n if n.starts_with("score.") => ("score", "detectors/mod.rs"),
        "regimes.fit" => ("fit_regimes", "regimes.rs"),
        "fusion.combine" => ("combine", "fusion.rs"),
        "thresholds.calculate" => ("calculate", "thresholds.rs"),
        "fusion.detect_episodes" => ("detect_episodes", "fusion.rs"),
        "forecast.run" => ("run_forecast", "forecast.rs"),
        "forecast.fit_degradation" => ("fit_degradation", "forecast.rs"),
        "forecast.estimate_rul" => ("estimate_rul", "forecast.rs"),
        "analytics.generate" => ("generate", "analytics.rs"),
        "persist.scores" => ("persist_scores", "persist.rs"),
        "persist.episodes" => ("persist_episodes", "persist.rs"),
        "sql.bulk_insert" => ("bulk_insert", "db.rs"),
        "finalize" => ("finalize", "finalize.rs"),
        _ => return None,
    })
}

pub const DETECTORS: [&str; 5] = ["ar1", "pca", "iforest", "gmm", "omr"];

/// What decides the shape of one batch's tree beyond the documented skeleton.
#[derive(Debug, Clone, Copy)]
pub struct BatchShape {
    pub batch_num: usize,
    pub batch_total: usize,
    /// All rows of the run: what `load.data` stores when it generates the history.
    pub total_rows: usize,
    /// Whether `load.data` generated and stored the history (`sql.bulk_insert` under it).
    pub generated: bool,
    /// Rows the detectors are fitted on (`acm.n_samples` of `fit.*`).
    pub baseline_rows: usize,
    /// Rows of the batch (`acm.n_samples` of `score.*`, rows persisted by `persist.scores`).
    pub rows: usize,
    /// Episodes found (rows persisted by `persist.episodes`).
    pub episodes: usize,
    /// Analytics rows written by `finalize`: one per detector and one per regime.
    pub analytics_rows: usize,
}

impl BatchShape {
    /// The shapes of a finished run's batches.
    pub fn of_run(cfg: &Config, summary: &RunSummary) -> Vec<BatchShape> {
        summary
            .batches
            .iter()
            .map(|b| BatchShape {
                batch_num: b.batch_num,
                batch_total: b.batch_total,
                total_rows: cfg.rows,
                generated: b.generated_data,
                baseline_rows: cfg.baseline_rows(),
                rows: b.rows,
                episodes: b.episodes,
                analytics_rows: DETECTORS.len() + b.regimes,
            })
            .collect()
    }

    /// Batch 1 of a run on a fresh output directory that stops before persisting anything:
    /// what the run would have stored is unknown and does not matter.
    pub fn first_on_fresh_dir(cfg: &Config) -> BatchShape {
        let (start, end) = cfg.batch_range(1);
        BatchShape {
            batch_num: 1,
            batch_total: cfg.batches,
            total_rows: cfg.rows,
            generated: true,
            baseline_rows: cfg.baseline_rows(),
            rows: end - start,
            episodes: 0,
            analytics_rows: DETECTORS.len() + cfg.tuning.regimes_k,
        }
    }
}

/// One expected span: its name, its parent's index in the pre-order list, its outcome, and for
/// `sql.bulk_insert` the table and row count.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub name: String,
    pub parent: Option<usize>,
    pub outcome: &'static str,
    pub insert: Option<(&'static str, usize)>,
}

fn chunks(rows: usize) -> Vec<usize> {
    let chunk = acm_pipeline::db::BULK_CHUNK;
    (0..rows.div_ceil(chunk))
        .map(|i| chunk.min(rows - i * chunk))
        .collect()
}

/// The tree of one batch in pre-order, children in the order they run. With `fail_stage`, the
/// tree stops at the first span of that name, which fails together with all its ancestors:
/// the error propagates with `?` and nothing after it runs.
pub fn expected_batch(shape: &BatchShape, fail_stage: Option<&str>) -> Vec<Node> {
    let mut nodes = Vec::new();
    let mut push = |name: &str, parent: Option<usize>, insert: Option<(&'static str, usize)>| {
        nodes.push(Node {
            name: name.to_owned(),
            parent,
            outcome: "success",
            insert,
        });
        nodes.len() - 1
    };
    let root = push("pipeline.run", None, None);
    push("startup", Some(root), None);
    let load = push("load.data", Some(root), None);
    if shape.generated {
        for n in chunks(shape.total_rows) {
            push("sql.bulk_insert", Some(load), Some(("sensor_data", n)));
        }
    }
    push("features.compute", Some(root), None);
    let fit = push("models.fit", Some(root), None);
    for d in DETECTORS {
        push(&format!("fit.{d}"), Some(fit), None);
    }
    let score = push("models.score", Some(root), None);
    for d in DETECTORS {
        push(&format!("score.{d}"), Some(score), None);
    }
    push("regimes.fit", Some(root), None);
    push("fusion.combine", Some(root), None);
    push("thresholds.calculate", Some(root), None);
    push("fusion.detect_episodes", Some(root), None);
    let forecast = push("forecast.run", Some(root), None);
    push("forecast.fit_degradation", Some(forecast), None);
    push("forecast.estimate_rul", Some(forecast), None);
    push("analytics.generate", Some(root), None);
    let scores = push("persist.scores", Some(root), None);
    for n in chunks(shape.rows) {
        push("sql.bulk_insert", Some(scores), Some(("scores", n)));
    }
    let episodes = push("persist.episodes", Some(root), None);
    for n in chunks(shape.episodes) {
        push("sql.bulk_insert", Some(episodes), Some(("episodes", n)));
    }
    let finalize = push("finalize", Some(root), None);
    for n in chunks(shape.analytics_rows) {
        push("sql.bulk_insert", Some(finalize), Some(("analytics", n)));
    }

    if let Some(stage) = fail_stage {
        let at = nodes
            .iter()
            .position(|n| n.name == stage)
            .unwrap_or_else(|| panic!("`{stage}` is not in the tree"));
        nodes.truncate(at + 1);
        let mut failing = Some(at);
        while let Some(i) = failing {
            nodes[i].outcome = "fail";
            failing = nodes[i].parent;
        }
    }
    nodes
}

/// The tree as the terminal view draws it, without durations:
/// `├── name  KIND  outcome`, one line per span.
pub fn render(nodes: &[Node]) -> String {
    let mut children: HashMap<Option<usize>, Vec<usize>> = HashMap::new();
    for (i, n) in nodes.iter().enumerate() {
        children.entry(n.parent).or_default().push(i);
    }
    let mut out = String::new();
    let mut stack: Vec<(usize, String, Option<bool>)> = children
        .get(&None)
        .map(|roots| {
            roots
                .iter()
                .rev()
                .map(|&r| (r, String::new(), None))
                .collect()
        })
        .unwrap_or_default();
    while let Some((i, prefix, last)) = stack.pop() {
        let branch = match last {
            None => "",
            Some(true) => "└── ",
            Some(false) => "├── ",
        };
        let n = &nodes[i];
        let _ = writeln!(
            out,
            "{prefix}{branch}{}  {}  {}",
            n.name,
            kind_label(expected_kind(&n.name)),
            n.outcome
        );
        let child_prefix = match last {
            None => prefix,
            Some(true) => format!("{prefix}    "),
            Some(false) => format!("{prefix}│   "),
        };
        if let Some(kids) = children.get(&Some(i)) {
            for (k, &kid) in kids.iter().enumerate().rev() {
                stack.push((kid, child_prefix.clone(), Some(k + 1 == kids.len())));
            }
        }
    }
    out
}

/// Panics with both trees, one span a line, when the received tree is not the documented one.
pub fn assert_same_tree(received: &str, documented: &str, what: &str) {
    assert!(
        received == documented,
        "the tree of {what} is not the documented one\n\
         received:\n{received}\n\
         documented:\n{documented}"
    );
}

/// The spans of one trace as [`Node`]s in pre-order, siblings by start time, plus the span
/// behind each node. Panics on a span whose parent is not in the trace, or a second root.
fn actual_tree<'a>(spans: &[&'a Span]) -> (Vec<Node>, Vec<&'a Span>) {
    let ids: HashSet<&[u8]> = spans.iter().map(|s| s.span_id.as_slice()).collect();
    assert_eq!(ids.len(), spans.len(), "span ids are unique within a trace");
    let mut children: HashMap<&[u8], Vec<&'a Span>> = HashMap::new();
    let mut roots = Vec::new();
    for s in spans {
        if s.parent_span_id.is_empty() {
            roots.push(*s);
        } else {
            assert!(
                ids.contains(s.parent_span_id.as_slice()),
                "`{}` has a parent {} that is not in its trace",
                s.name,
                hex(&s.parent_span_id)
            );
            children.entry(&s.parent_span_id).or_default().push(*s);
        }
    }
    assert_eq!(roots.len(), 1, "one root per trace: {roots:#?}");
    for kids in children.values_mut() {
        kids.sort_by_key(|s| (s.start_time_unix_nano, s.end_time_unix_nano));
    }
    let mut nodes = Vec::new();
    let mut order = Vec::new();
    let mut stack = vec![(roots[0], None)];
    while let Some((s, parent)) = stack.pop() {
        let index = nodes.len();
        let outcome = match string_attr(&s.attributes, "acm.outcome").as_deref() {
            Some("success") => "success",
            Some("fail") => "fail",
            Some("noop") => "noop",
            Some("skip") => "skip",
            Some("cancelled") => "cancelled",
            _ => "<no outcome>",
        };
        let insert = (s.name == "sql.bulk_insert").then(|| {
            let table = string_attr(&s.attributes, "acm.table").unwrap_or_default();
            let table: &'static str = match table.as_str() {
                "sensor_data" => "sensor_data",
                "scores" => "scores",
                "episodes" => "episodes",
                "analytics" => "analytics",
                _ => "<other table>",
            };
            let n = int_attr(&s.attributes, "acm.n_operations").map_or(usize::MAX, |n| n as usize);
            (table, n)
        });
        nodes.push(Node {
            name: s.name.clone(),
            parent,
            outcome,
            insert,
        });
        order.push(s);
        if let Some(kids) = children.get(s.span_id.as_slice()) {
            for kid in kids.iter().rev() {
                stack.push((*kid, Some(index)));
            }
        }
    }
    (nodes, order)
}

/// Who ran: the values every span's run attributes must hold.
#[derive(Debug, Clone)]
pub struct RunIdentity {
    pub run_id: String,
    pub equipment: String,
    pub equip_id: String,
    pub service: String,
}

impl RunIdentity {
    pub fn of_run(summary: &RunSummary) -> Self {
        RunIdentity {
            run_id: summary.run_id.clone(),
            equipment: summary.equipment.clone(),
            equip_id: summary.equip_id.to_string(),
            service: DEFAULT_SERVICE.to_owned(),
        }
    }
}

/// Splits spans into traces, ordered by the start of their root.
pub fn traces(spans: &[Span]) -> Vec<Vec<&Span>> {
    let mut by_trace: HashMap<&[u8], Vec<&Span>> = HashMap::new();
    for s in spans {
        assert_eq!(s.trace_id.len(), 16, "trace id of `{}`", s.name);
        assert_eq!(s.span_id.len(), 8, "span id of `{}`", s.name);
        by_trace.entry(&s.trace_id).or_default().push(s);
    }
    let mut traces: Vec<Vec<&Span>> = by_trace.into_values().collect();
    let root_start = |t: &Vec<&Span>| {
        t.iter()
            .filter(|s| s.parent_span_id.is_empty())
            .map(|s| s.start_time_unix_nano)
            .min()
            .unwrap_or(u64::MAX)
    };
    traces.sort_by_key(root_start);
    traces
}

/// A successful run: one `pipeline.run` trace per batch with the documented tree, and every
/// span right in kind, attributes, status and timing.
pub fn assert_demo_trace(spans: &[Span], cfg: &Config, summary: &RunSummary) {
    let shapes = BatchShape::of_run(cfg, summary);
    assert_eq!(shapes.len(), cfg.batches, "the run finished every batch");
    let expected: Vec<Vec<Node>> = shapes.iter().map(|s| expected_batch(s, None)).collect();
    assert_run_trace(
        spans,
        &RunIdentity::of_run(summary),
        &shapes,
        &expected,
        None,
    );
}

/// A run that failed at `stage` in its first batch: the tree up to that stage, the stage and
/// its ancestors failing with `error`, nothing after it, and no further batch.
pub fn assert_failed_trace(
    spans: &[Span],
    cfg: &Config,
    identity: &RunIdentity,
    stage: &str,
    error: &PipelineError,
) {
    let shape = BatchShape::first_on_fresh_dir(cfg);
    let expected = vec![expected_batch(&shape, Some(stage))];
    assert_run_trace(spans, identity, &[shape], &expected, Some(error));
}

fn assert_run_trace(
    spans: &[Span],
    identity: &RunIdentity,
    shapes: &[BatchShape],
    expected: &[Vec<Node>],
    error: Option<&PipelineError>,
) {
    let traces = traces(spans);
    let names = |t: &Vec<&Span>| t.iter().map(|s| s.name.clone()).collect::<Vec<_>>();
    assert_eq!(
        traces.len(),
        expected.len(),
        "one trace per batch: {:?}",
        traces.iter().map(names).collect::<Vec<_>>()
    );

    let mut problems = Vec::new();
    let mut kinds = HashSet::new();
    for ((trace, shape), want) in traces.iter().zip(shapes).zip(expected) {
        let (got, order) = actual_tree(trace);
        assert_same_tree(
            &render(&got),
            &render(want),
            &format!("batch {}", shape.batch_num),
        );
        assert_eq!(
            &got, want,
            "rows inserted per `sql.bulk_insert` of batch {}",
            shape.batch_num
        );
        for (node, span) in want.iter().zip(&order) {
            let parent = node.parent.map(|p| order[p]);
            check_span(span, node, parent, shape, identity, error, &mut problems);
            kinds.insert(span.kind);
        }
    }
    if error.is_none() {
        let all = [
            SpanKind::Client,
            SpanKind::Internal,
            SpanKind::Server,
            SpanKind::Producer,
            SpanKind::Consumer,
        ];
        for kind in all {
            if !kinds.contains(&(kind as i32)) {
                problems.push(format!("no span of kind {}", kind_label(kind)));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} problem(s) in the trace:\n  {}",
        problems.len(),
        problems.join("\n  ")
    );
}

/// The attributes a span may carry: the standard ones, the named caller attributes of its
/// function, and those of `track_resources` or a failure. Arguments never appear unnamed.
fn allowed_keys(name: &str, failed: bool) -> HashSet<&'static str> {
    let mut keys: HashSet<&'static str> = [
        "acm.equipment",
        "acm.equip_id",
        "acm.run_id",
        "acm.category",
        "acm.service",
        "acm.phase",
        "acm.batch_num",
        "acm.batch_total",
        "acm.outcome",
        "code.function.name",
        "code.file.path",
        "code.line.number",
        "code.module.name",
    ]
    .into();
    if failed {
        keys.insert("acm.error_type");
    }
    if has_resources(name) {
        keys.extend([
            "acm.duration_s",
            "acm.mem_mb",
            "acm.mem_delta_mb",
            "acm.cpu_pct",
        ]);
    }
    if name.starts_with("fit.") {
        keys.extend(["acm.n_samples", "acm.n_features"]);
    }
    if name.starts_with("score.") {
        keys.insert("acm.n_samples");
    }
    if name == "sql.bulk_insert" {
        keys.extend(["acm.table", "acm.n_operations"]);
    }
    keys
}

/// The spans declared with `track_resources`.
fn has_resources(name: &str) -> bool {
    matches!(name, "pipeline.run" | "models.fit")
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests package sits in the workspace")
        .to_path_buf()
}

#[allow(clippy::too_many_arguments)]
fn check_span(
    span: &Span,
    node: &Node,
    parent: Option<&Span>,
    shape: &BatchShape,
    who: &RunIdentity,
    error: Option<&PipelineError>,
    problems: &mut Vec<String>,
) {
    let name = span.name.as_str();
    let at = format!("`{name}` (batch {})", shape.batch_num);
    let attrs = &span.attributes;
    let mut check = |ok: bool, what: String| {
        if !ok {
            problems.push(format!("{at}: {what}"));
        }
    };

    // Kind, from the category.
    let category = name.split('.').next().unwrap_or_default();
    let Some((kind, phase)) = category_kind_phase(category) else {
        check(false, format!("unknown category `{category}`"));
        return;
    };
    check(
        span.kind == kind as i32,
        format!(
            "kind {:?}, expected {}",
            SpanKind::try_from(span.kind),
            kind_label(kind)
        ),
    );

    // Standard attributes.
    let strings = [
        ("acm.equipment", who.equipment.as_str()),
        ("acm.equip_id", who.equip_id.as_str()),
        ("acm.run_id", who.run_id.as_str()),
        ("acm.service", who.service.as_str()),
        ("acm.category", category),
        ("acm.phase", phase),
        ("acm.outcome", node.outcome),
    ];
    for (key, want) in strings {
        let got = string_attr(attrs, key);
        check(
            got.as_deref() == Some(want),
            format!("{key} = {got:?}, expected {want:?}"),
        );
    }
    let ints = [
        ("acm.batch_num", shape.batch_num),
        ("acm.batch_total", shape.batch_total),
    ];
    for (key, want) in ints {
        let got = int_attr(attrs, key);
        check(
            got == Some(want as i64),
            format!("{key} = {got:?}, expected {want} as an integer"),
        );
    }

    // Where the span comes from: the function, its file, and the line of its `fn`.
    let (function, file) = site(name).expect("every demo span has a site");
    let got_function = string_attr(attrs, "code.function.name");
    check(
        got_function.as_deref() == Some(function),
        format!("code.function.name = {got_function:?}, expected {function:?}"),
    );
    let path = string_attr(attrs, "code.file.path").unwrap_or_default();
    let want_file = format!("examples/acm-pipeline/src/{file}");
    check(
        path.replace('\\', "/").ends_with(&want_file),
        format!("code.file.path = {path:?}, expected it to end with {want_file:?}"),
    );
    match int_attr(attrs, "code.line.number") {
        Some(line) if line > 0 => {
            let source =
                std::fs::read_to_string(workspace_root().join(&want_file)).unwrap_or_default();
            let text = source.lines().nth(line as usize - 1).unwrap_or_default();
            check(
                text.contains(&format!("fn {function}")),
                format!("code.line.number {line} is {text:?}, not the line of `fn {function}`"),
            );
        }
        other => check(
            false,
            format!("code.line.number = {other:?}, expected a positive integer"),
        ),
    }

    // Nothing else than what the span may carry.
    let failed = node.outcome == "fail";
    let allowed = allowed_keys(name, failed);
    let mut seen = HashSet::new();
    for kv in attrs {
        check(
            allowed.contains(kv.key.as_str()),
            format!("unexpected attribute {} = {:?}", kv.key, kv.value),
        );
        check(seen.insert(kv.key.as_str()), format!("{} twice", kv.key));
    }

    // Status and error.
    let status = span.status.clone().unwrap_or_default();
    if failed {
        let error = error.expect("a failing span belongs to a failed run");
        check(
            status.code == StatusCode::Error as i32,
            format!("status {status:?}, expected ERROR"),
        );
        check(
            status.message == error.to_string(),
            format!(
                "status message {:?}, expected {:?}",
                status.message,
                error.to_string()
            ),
        );
        let want = std::any::type_name::<PipelineError>();
        let got = string_attr(attrs, "acm.error_type");
        check(
            got.as_deref() == Some(want),
            format!("acm.error_type = {got:?}, expected {want:?}"),
        );
    } else {
        check(
            status.code == StatusCode::Unset as i32 && status.message.is_empty(),
            format!("status {status:?} on a successful span"),
        );
    }

    // Caller attributes.
    if name.starts_with("fit.") {
        let got = int_attr(attrs, "acm.n_samples");
        check(
            got == Some(shape.baseline_rows as i64),
            format!(
                "acm.n_samples = {got:?}, expected {} baseline rows",
                shape.baseline_rows
            ),
        );
        check(
            int_attr(attrs, "acm.n_features").is_some_and(|n| n > 0),
            "acm.n_features missing or not positive".to_owned(),
        );
    }
    if name.starts_with("score.") {
        let got = int_attr(attrs, "acm.n_samples");
        check(
            got == Some(shape.rows as i64),
            format!(
                "acm.n_samples = {got:?}, expected the batch's {} rows",
                shape.rows
            ),
        );
    }
    // `acm.table` and `acm.n_operations` of sql.bulk_insert are compared with the tree.

    // Timing: inside the parent.
    check(
        span.end_time_unix_nano >= span.start_time_unix_nano && span.start_time_unix_nano > 0,
        "ends before it starts".to_owned(),
    );
    if let Some(parent) = parent {
        check(
            span.start_time_unix_nano >= parent.start_time_unix_nano
                && span.end_time_unix_nano <= parent.end_time_unix_nano,
            format!("is not within its parent `{}`", parent.name),
        );
        check(
            span.trace_id == parent.trace_id,
            format!("is in another trace than its parent `{}`", parent.name),
        );
    }

    // track_resources.
    if has_resources(name) {
        let wall = (span.end_time_unix_nano - span.start_time_unix_nano) as f64 / 1e9;
        match double_attr(attrs, "acm.duration_s") {
            Some(d) => check(
                d > 0.0 && d <= wall + 1e-3 && d >= wall * 0.9 - 0.02,
                format!("acm.duration_s = {d}, but the span lasted {wall} s"),
            ),
            None => check(false, "no acm.duration_s (a double)".to_owned()),
        }
        if cfg!(target_os = "linux") {
            let mem = double_attr(attrs, "acm.mem_mb");
            check(
                mem.is_some_and(|m| m > 1.0 && m < 65_536.0),
                format!("acm.mem_mb = {mem:?}, expected a plausible RSS in MiB"),
            );
            let delta = double_attr(attrs, "acm.mem_delta_mb");
            check(
                delta.is_some_and(f64::is_finite),
                format!("acm.mem_delta_mb = {delta:?}"),
            );
            let cpu = double_attr(attrs, "acm.cpu_pct");
            check(
                cpu.is_some_and(|c| c.is_finite() && c >= 0.0),
                format!("acm.cpu_pct = {cpu:?}, expected a percentage"),
            );
        }
    }
}
