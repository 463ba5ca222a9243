//! The colour-coded tree of a run, printed by the embedded default at shutdown.
//!
//! Colours follow the kind of each span, with the palette of `Kind::colour`: CLIENT blue,
//! INTERNAL green, SERVER purple, PRODUCER orange, CONSUMER yellow. Grafana colours by service,
//! so this view is where the kind shows at a glance.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::time::{Duration, SystemTime};

use opentelemetry::trace::{SpanId, SpanKind, Status, TraceId};
use opentelemetry_sdk::trace::SpanData;

/// What the tree needs to know of one finished span.
#[derive(Debug, Clone, PartialEq)]
pub struct SpanRecord {
    /// The span's trace.
    pub trace_id: TraceId,
    /// The span itself.
    pub span_id: SpanId,
    /// [`SpanId::INVALID`] for a root span.
    pub parent_span_id: SpanId,
    /// The span name.
    pub name: String,
    /// The span kind, which picks the colour.
    pub kind: SpanKind,
    /// Start time.
    pub start: SystemTime,
    /// End time.
    pub end: SystemTime,
    /// The `acm.outcome` attribute (`success`, `fail`, `noop`, `skip`), if set.
    pub outcome: Option<String>,
    /// Whether the span status is `Error`.
    pub error: bool,
}

impl SpanRecord {
    /// The record of an exported span.
    pub fn from_span(span: &SpanData) -> Self {
        let outcome = span
            .attributes
            .iter()
            .find(|kv| kv.key.as_str() == "acm.outcome")
            .map(|kv| kv.value.as_str().into_owned());
        Self {
            trace_id: span.span_context.trace_id(),
            span_id: span.span_context.span_id(),
            parent_span_id: span.parent_span_id,
            name: span.name.to_string(),
            kind: span.span_kind.clone(),
            start: span.start_time,
            end: span.end_time,
            outcome,
            error: matches!(span.status, Status::Error { .. }),
        }
    }

    fn duration(&self) -> Duration {
        self.end.duration_since(self.start).unwrap_or_default()
    }
}

const RESET: &str = "\x1b[0m";
const DIM: &str = "\x1b[2m";
const RED: &str = "\x1b[31m";

/// The ANSI colour of a span kind.
fn kind_colour(kind: &SpanKind) -> &'static str {
    match kind {
        SpanKind::Client => "\x1b[34m",
        SpanKind::Internal => "\x1b[32m",
        SpanKind::Server => "\x1b[35m",
        SpanKind::Producer => "\x1b[38;5;208m",
        SpanKind::Consumer => "\x1b[33m",
    }
}

fn kind_label(kind: &SpanKind) -> &'static str {
    match kind {
        SpanKind::Client => "CLIENT",
        SpanKind::Internal => "INTERNAL",
        SpanKind::Server => "SERVER",
        SpanKind::Producer => "PRODUCER",
        SpanKind::Consumer => "CONSUMER",
    }
}

fn format_duration(d: Duration) -> String {
    if d < Duration::from_millis(1) {
        format!("{} µs", d.as_micros())
    } else if d < Duration::from_secs(1) {
        format!("{:.1} ms", d.as_secs_f64() * 1e3)
    } else {
        format!("{:.2} s", d.as_secs_f64())
    }
}

/// Renders spans as one tree per trace: a `trace <id>` line, then one line per span with its
/// name, kind, duration and outcome, indented under its parent, siblings in start order. A span
/// whose parent is not among `records` starts a tree of its own. With `color`, names and kinds
/// carry their kind's ANSI colour and a failed outcome is red.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use acm_trace_runtime::export::{render_tree, SpanRecord};
/// use opentelemetry::trace::{SpanId, SpanKind, TraceId};
///
/// let span = |id: u64, parent: u64, name: &str, kind: SpanKind, ms: u64| SpanRecord {
///     trace_id: TraceId::from(1_u128),
///     span_id: SpanId::from(id),
///     parent_span_id: SpanId::from(parent),
///     name: name.into(),
///     kind,
///     start: UNIX_EPOCH + Duration::from_millis(id),
///     end: UNIX_EPOCH + Duration::from_millis(id + ms),
///     outcome: Some("success".into()),
///     error: false,
/// };
/// let tree = render_tree(
///     &[
///         span(2, 1, "load.data", SpanKind::Client, 12),
///         span(1, 0, "pipeline.run", SpanKind::Server, 1500),
///         span(3, 1, "fit.pca", SpanKind::Internal, 80),
///     ],
///     false,
/// );
/// assert_eq!(
///     tree,
///     "trace 00000000000000000000000000000001\n\
///      pipeline.run  SERVER  1.50 s  success\n\
///      ├── load.data  CLIENT  12.0 ms  success\n\
///      └── fit.pca  INTERNAL  80.0 ms  success\n"
/// );
/// ```
pub fn render_tree(records: &[SpanRecord], color: bool) -> String {
    let index: HashMap<(TraceId, SpanId), usize> = records
        .iter()
        .enumerate()
        .map(|(i, r)| ((r.trace_id, r.span_id), i))
        .collect();
    let mut children: HashMap<usize, Vec<usize>> = HashMap::new();
    let mut roots = Vec::new();
    for (i, r) in records.iter().enumerate() {
        match index.get(&(r.trace_id, r.parent_span_id)) {
            Some(&parent) if r.parent_span_id != SpanId::INVALID && parent != i => {
                children.entry(parent).or_default().push(i)
            }
            _ => roots.push(i),
        }
    }
    let by_start = |a: &usize, b: &usize| records[*a].start.cmp(&records[*b].start);
    roots.sort_by(by_start);
    children.values_mut().for_each(|c| c.sort_by(by_start));

    let mut out = String::new();
    let mut last_trace = None;
    for root in roots {
        let trace_id = records[root].trace_id;
        if last_trace != Some(trace_id) {
            let (dim, reset) = if color { (DIM, RESET) } else { ("", "") };
            let _ = writeln!(out, "{dim}trace {trace_id}{reset}");
            last_trace = Some(trace_id);
        }
        // Depth-first without recursion: a deep chain of spans cannot overflow the stack.
        let mut stack = vec![(root, String::new(), None::<bool>)];
        while let Some((i, prefix, is_last)) = stack.pop() {
            let branch = match is_last {
                None => "",
                Some(true) => "└── ",
                Some(false) => "├── ",
            };
            out.push_str(&prefix);
            out.push_str(branch);
            write_span(&mut out, &records[i], color);
            let child_prefix = match is_last {
                None => prefix,
                Some(true) => format!("{prefix}    "),
                Some(false) => format!("{prefix}│   "),
            };
            if let Some(kids) = children.get(&i) {
                for (n, &kid) in kids.iter().enumerate().rev() {
                    stack.push((kid, child_prefix.clone(), Some(n + 1 == kids.len())));
                }
            }
        }
    }
    out
}

/// Text from the program shown on a terminal: control characters (escape sequences among
/// them) are printed escaped, so a span name cannot move the cursor or recolour the screen.
struct Escaped<'a>(&'a str);

impl std::fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for c in self.0.chars() {
            if c.is_control() {
                write!(f, "{}", c.escape_default())?;
            } else {
                f.write_char(c)?;
            }
        }
        Ok(())
    }
}

fn write_span(out: &mut String, r: &SpanRecord, color: bool) {
    let (colour, reset) = if color {
        (kind_colour(&r.kind), RESET)
    } else {
        ("", "")
    };
    let _ = write!(
        out,
        "{colour}{}  {}{reset}  {}",
        Escaped(&r.name),
        kind_label(&r.kind),
        format_duration(r.duration())
    );
    let outcome = r
        .outcome
        .as_deref()
        .or(if r.error { Some("error") } else { None });
    if let Some(outcome) = outcome {
        let outcome = Escaped(outcome);
        let failed = r.error || outcome.0 == "fail";
        if color && failed {
            let _ = write!(out, "  {RED}{outcome}{RESET}");
        } else {
            let _ = write!(out, "  {outcome}");
        }
    }
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::UNIX_EPOCH;

    fn rec(trace: u128, id: u64, parent: u64, kind: SpanKind, start_ms: u64) -> SpanRecord {
        SpanRecord {
            trace_id: TraceId::from(trace),
            span_id: SpanId::from(id),
            parent_span_id: SpanId::from(parent),
            name: format!("s{id}"),
            kind,
            start: UNIX_EPOCH + Duration::from_millis(start_ms),
            end: UNIX_EPOCH + Duration::from_millis(start_ms + 2),
            outcome: None,
            error: false,
        }
    }

    #[test]
    fn nests_by_parent_and_orders_by_start() {
        let records = [
            rec(1, 4, 2, SpanKind::Internal, 4),
            rec(1, 3, 1, SpanKind::Client, 5),
            rec(1, 2, 1, SpanKind::Producer, 2),
            rec(1, 1, 0, SpanKind::Server, 1),
            rec(1, 5, 2, SpanKind::Consumer, 3),
        ];
        let tree = render_tree(&records, false);
        let lines: Vec<_> = tree.lines().collect();
        assert_eq!(
            lines,
            [
                "trace 00000000000000000000000000000001",
                "s1  SERVER  2.0 ms",
                "├── s2  PRODUCER  2.0 ms",
                "│   ├── s5  CONSUMER  2.0 ms",
                "│   └── s4  INTERNAL  2.0 ms",
                "└── s3  CLIENT  2.0 ms",
            ]
        );
    }

    #[test]
    fn colours_each_kind_with_the_seed_palette() {
        let kinds = [
            (SpanKind::Client, "\x1b[34m"),
            (SpanKind::Internal, "\x1b[32m"),
            (SpanKind::Server, "\x1b[35m"),
            (SpanKind::Producer, "\x1b[38;5;208m"),
            (SpanKind::Consumer, "\x1b[33m"),
        ];
        for (kind, code) in kinds {
            let tree = render_tree(&[rec(1, 1, 0, kind.clone(), 0)], true);
            assert!(tree.contains(&format!("{code}s1  ")), "{kind:?}: {tree:?}");
        }
        let plain = render_tree(&[rec(1, 1, 0, SpanKind::Client, 0)], false);
        assert!(!plain.contains('\x1b'));
    }

    #[test]
    fn orphans_and_separate_traces_become_roots() {
        let mut failed = rec(2, 9, 0, SpanKind::Internal, 0);
        failed.outcome = Some("fail".into());
        failed.error = true;
        let records = [rec(1, 7, 99, SpanKind::Client, 1), failed];
        let tree = render_tree(&records, true);
        assert!(tree.contains("trace 00000000000000000000000000000001"));
        assert!(tree.contains("trace 00000000000000000000000000000002"));
        assert!(tree.contains(&format!("{RED}fail{RESET}")));
    }

    #[test]
    fn durations_pick_a_readable_unit() {
        assert_eq!(format_duration(Duration::from_micros(250)), "250 µs");
        assert_eq!(format_duration(Duration::from_micros(12_340)), "12.3 ms");
        assert_eq!(format_duration(Duration::from_millis(2_500)), "2.50 s");
    }

    #[test]
    fn control_characters_in_names_are_printed_escaped() {
        let mut span = rec(1, 1, 0, SpanKind::Internal, 0);
        span.name = "fit.\u{1b}[2J\u{1b}]0;owned\u{7}\n".into();
        let text = render_tree(&[span], false);
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{7}'),
            "{text:?}"
        );
        assert!(text.contains("\nfit.\\u{1b}[2J"), "{text:?}");
        assert_eq!(
            text.lines().count(),
            2,
            "a trace heading and one span: {text:?}"
        );
    }
}
