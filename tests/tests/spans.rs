//! `#[acm_span]` spans, captured through tracing-opentelemetry into the OpenTelemetry SDK's
//! in-memory exporter: names, kinds, parents, attributes, status and outcome.

#[path = "support/capture.rs"]
mod support;

use std::fmt;

use acm_trace::{Outcome, acm_span, set_outcome, span};
use opentelemetry::trace::{SpanKind, Status};
use support::{attr, attr_str, capture_async_in, capture_in, each_mode, find, is_child_of};

#[derive(Debug)]
struct FitError {
    rows: usize,
}

impl fmt::Display for FitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot fit on {} rows", self.rows)
    }
}

#[derive(Debug)]
struct DebugOnly;

struct Opaque;

/// An error whose `Debug` dump holds what the function never chose to show.
#[derive(Debug)]
#[allow(dead_code)]
struct Credentials {
    password: &'static str,
}

#[acm_span("load.credentials")]
fn load_credentials() -> Result<(), Credentials> {
    Err(Credentials {
        password: "hunter2",
    })
}

#[acm_span("fit.pca")]
fn fit_pca(rows: usize) -> Result<usize, FitError> {
    if rows < 2 {
        return Err(FitError { rows });
    }
    Ok(rows * 2)
}

#[acm_span("score.pca")]
fn score_debug_only() -> Result<(), DebugOnly> {
    Err(DebugOnly)
}

#[acm_span("score.omr")]
fn score_opaque() -> Result<u8, Opaque> {
    Err(Opaque)
}

#[acm_span("models.fit")]
fn fit_all(rows: usize) -> usize {
    fit_pca(rows).unwrap_or(0) + fit_pca(rows + 1).unwrap_or(0)
}

#[acm_span("fit.{detector}", n_samples = x.len(), label = %detector, shape = ?(x.len(), 1))]
fn fit_detector(detector: &str, x: &[f64]) -> f64 {
    x.iter().sum()
}

#[acm_span("forecast.fit_degradation", kind = internal, phase = "fit")]
fn fit_degradation() {}

#[acm_span("thresholds.calculate")]
fn thresholds(empty: bool) {
    if empty {
        set_outcome(Outcome::Noop);
    }
}

#[acm_span("episodes.detect")]
fn explode() -> u32 {
    panic!("boom")
}

#[acm_span("persist.scores", track_resources)]
fn persist_scores(n: usize) -> Vec<u64> {
    (0..n as u64).collect()
}

#[test]
fn static_name_kind_and_standard_attributes() {
    each_mode(|mode| {
        let (out, spans) = capture_in(mode, || fit_pca(10));
        assert_eq!(out.unwrap(), 20);
        let s = find(&spans, "fit.pca");
        assert_eq!(s.span_kind, SpanKind::Internal);
        assert_eq!(attr_str(s, "acm.category").as_deref(), Some("fit"));
        assert_eq!(attr_str(s, "acm.phase").as_deref(), Some("fit"));
        assert_eq!(attr_str(s, "acm.outcome").as_deref(), Some("success"));
        assert_eq!(
            attr_str(s, "code.function.name").as_deref(),
            Some("fit_pca")
        );
        assert!(attr_str(s, "code.file.path").is_some_and(|f| f.ends_with("spans.rs")));
        assert_eq!(s.status, Status::Unset);
    });
}

#[test]
fn err_sets_fail_status_and_error_type() {
    each_mode(|mode| {
        let (out, spans) = capture_in(mode, || fit_pca(1));
        assert!(out.is_err());
        let s = find(&spans, "fit.pca");
        assert_eq!(attr_str(s, "acm.outcome").as_deref(), Some("fail"));
        assert!(
            attr_str(s, "acm.error_type").is_some_and(|t| t.ends_with("FitError")),
            "{:?}",
            s.attributes
        );
        assert_eq!(s.status, Status::error("cannot fit on 1 rows"));
    });
}

#[test]
fn error_without_display_uses_its_type_name() {
    each_mode(|mode| {
        let (_, spans) = capture_in(mode, || {
            let _ = score_debug_only();
            let _ = score_opaque();
        });
        assert_eq!(find(&spans, "score.pca").status, Status::error("DebugOnly"));
        let opaque = find(&spans, "score.omr");
        assert!(
            matches!(&opaque.status, Status::Error { description } if description.ends_with("Opaque"))
        );
        assert_eq!(attr_str(opaque, "acm.outcome").as_deref(), Some("fail"));
    });
}

/// A `Debug` dump would record every field: the status names the type instead.
#[test]
fn debug_dumps_are_never_recorded() {
    each_mode(|mode| {
        let (_, spans) = capture_in(mode, || {
            let _ = load_credentials();
        });
        let span = find(&spans, "load.credentials");
        assert_eq!(span.status, Status::error("Credentials"));
        assert!(!format!("{:?}", span.attributes).contains("hunter2"));
    });
}

#[test]
fn children_have_their_parent() {
    each_mode(|mode| {
        let (_, spans) = capture_in(mode, || fit_all(5));
        let parent = find(&spans, "models.fit");
        assert_eq!(parent.span_kind, SpanKind::Server);
        let children: Vec<_> = spans.iter().filter(|s| s.name == "fit.pca").collect();
        assert_eq!(children.len(), 2);
        assert!(children.iter().all(|c| is_child_of(c, parent)));
    });
}

/// A dynamic value that breaks the grammar becomes a valid segment, and the name as the
/// program gave it is kept in `acm.name.original` (acm-trace's subscriber and lean layer).
#[test]
fn dynamic_values_are_made_valid_and_the_original_kept() {
    for mode in [support::Mode::Native, support::Mode::Lean] {
        for (value, name) in [
            ("Isolation Forest", "fit.isolation_forest"),
            ("", "fit.unknown"),
            ("a.b", "fit.a_b"),
        ] {
            let (_, spans) = capture_in(mode, || fit_detector(value, &[1.0]));
            let s = find(&spans, name);
            assert_eq!(
                attr_str(s, acm_trace::ORIGINAL_NAME_KEY).as_deref(),
                Some(format!("fit.{value}").as_str()),
                "{mode:?}"
            );
        }
        let (_, spans) = capture_in(mode, || fit_detector("pca", &[1.0]));
        let s = find(&spans, "fit.pca");
        assert_eq!(attr_str(s, acm_trace::ORIGINAL_NAME_KEY), None, "{mode:?}");
    }
}

#[test]
fn dynamic_name_and_caller_attributes() {
    each_mode(|mode| {
        let (sum, spans) = capture_in(mode, || fit_detector("iforest", &[1.0, 2.0]));
        assert!((sum - 3.0).abs() < f64::EPSILON);
        let s = find(&spans, "fit.iforest");
        assert_eq!(s.span_kind, SpanKind::Internal);
        assert_eq!(support::attr_int(s, "acm.n_samples"), Some(2));
        assert_eq!(attr_str(s, "acm.label").as_deref(), Some("iforest"));
        assert_eq!(attr_str(s, "acm.shape").as_deref(), Some("(2, 1)"));
    });
}

#[test]
fn kind_and_phase_overrides() {
    each_mode(|mode| {
        let (_, spans) = capture_in(mode, fit_degradation);
        let s = find(&spans, "forecast.fit_degradation");
        assert_eq!(s.span_kind, SpanKind::Internal);
        assert_eq!(attr_str(s, "acm.phase").as_deref(), Some("fit"));
        assert_eq!(attr_str(s, "acm.category").as_deref(), Some("forecast"));
    });
}

#[test]
fn explicit_outcome_wins() {
    each_mode(|mode| {
        let (_, spans) = capture_in(mode, || {
            thresholds(true);
            thresholds(false);
        });
        let outcomes: Vec<_> = spans
            .iter()
            .map(|s| attr_str(s, "acm.outcome").unwrap())
            .collect();
        assert_eq!(outcomes, ["noop", "success"]);
    });
}

#[test]
fn panic_marks_fail_and_unwinds() {
    each_mode(|mode| {
        let (caught, spans) = capture_in(mode, || std::panic::catch_unwind(explode));
        assert!(caught.is_err(), "the panic must unwind on as before");
        let s = find(&spans, "episodes.detect");
        assert_eq!(s.span_kind, SpanKind::Consumer);
        assert_eq!(attr_str(s, "acm.outcome").as_deref(), Some("fail"));
        assert_eq!(attr_str(s, "acm.error_type").as_deref(), Some("panic"));
        assert!(matches!(s.status, Status::Error { .. }));
    });
}

#[test]
fn track_resources_records_measurements() {
    each_mode(|mode| {
        let (v, spans) = capture_in(mode, || persist_scores(100_000));
        assert_eq!(v.len(), 100_000);
        let s = find(&spans, "persist.scores");
        assert!(attr(s, "acm.duration_s").is_some());
        if cfg!(target_os = "linux") {
            for key in ["acm.mem_mb", "acm.mem_delta_mb", "acm.cpu_pct"] {
                assert!(attr(s, key).is_some(), "{key} missing: {:?}", s.attributes);
            }
        }
    });
}

#[test]
fn run_context_is_on_every_span() {
    each_mode(|mode| {
        let (_, spans) = capture_in(mode, || {
            acm_trace::context::set(
                acm_trace::RunContext::new("FD_FAN")
                    .with_equip_id("7")
                    .with_batches(2, 3)
                    .with_run_id("run-1"),
            );
            let _ = fit_pca(3);
            acm_trace::context::clear();
        });
        let s = find(&spans, "fit.pca");
        assert_eq!(attr_str(s, "acm.equipment").as_deref(), Some("FD_FAN"));
        assert_eq!(attr_str(s, "acm.equip_id").as_deref(), Some("7"));
        assert_eq!(attr_str(s, "acm.run_id").as_deref(), Some("run-1"));
        // No telemetry started in this test: the OpenTelemetry default service name.
        assert!(
            attr_str(s, "acm.service").is_some_and(|s| s.starts_with("unknown_service:")),
            "{:?}",
            s.attributes
        );
        assert_eq!(attr(s, "acm.batch_num"), Some(2_i64.into()));
        assert_eq!(attr(s, "acm.batch_total"), Some(3_i64.into()));
    });
}

#[test]
fn span_macro_in_scope_and_entered() {
    each_mode(|mode| {
        let (n, spans) = capture_in(mode, || {
            let rows = [1, 2, 3];
            let n = span!("sql.bulk_insert", n_operations = rows.len())
                .in_scope(|| fit_all(rows.len()));
            let _g = span!("persist.episodes").entered();
            n
        });
        assert_eq!(n, 14);
        let sql = find(&spans, "sql.bulk_insert");
        assert_eq!(sql.span_kind, SpanKind::Client);
        assert_eq!(support::attr_int(sql, "acm.n_operations"), Some(3));
        assert!(is_child_of(find(&spans, "models.fit"), sql));
        assert!(find(&spans, "persist.episodes").span_kind == SpanKind::Client);
    });
}

struct Detector;

#[acm_span("score.{fn}")]
impl Detector {
    fn ar1(&self) -> u32 {
        1
    }

    #[acm_span(skip)]
    fn helper(&self) -> u32 {
        2
    }

    #[acm_span("fit.omr")]
    fn own(&self) -> u32 {
        3
    }
}

#[test]
fn impl_block_template_skip_and_own_attribute() {
    each_mode(|mode| {
        let (sum, spans) = capture_in(mode, || {
            let d = Detector;
            d.ar1() + d.helper() + d.own()
        });
        assert_eq!(sum, 6);
        let mut names = support::names(&spans);
        names.sort();
        assert_eq!(names, ["fit.omr", "score.ar1"]);
    });
}

#[test]
fn async_fn_result_outcome() {
    each_mode(|mode| {
        #[acm_span("load.data")]
        async fn load(fail: bool) -> Result<u32, String> {
            tokio::task::yield_now().await;
            if fail {
                Err("no rows".to_owned())
            } else {
                Ok(7)
            }
        }
        let (out, spans) = capture_async_in(mode, async { (load(false).await, load(true).await) });
        assert_eq!(out.0, Ok(7));
        assert!(out.1.is_err());
        let outcomes: Vec<_> = spans
            .iter()
            .map(|s| attr_str(s, "acm.outcome").unwrap())
            .collect();
        assert_eq!(outcomes, ["success", "fail"]);
        assert!(spans.iter().all(|s| s.span_kind == SpanKind::Client));
        assert_eq!(spans[1].status, Status::error("no rows"));
    });
}

#[test]
fn span_macro_result_forms_fail_on_err() {
    each_mode(|mode| {
        let (out, spans) = capture_in(mode, || {
            let ok: Result<u32, String> = span!("sql.bulk_insert").in_scope_result(|| Ok(1));
            let err: Result<u32, String> =
                span!("persist.scores").in_scope_result(|| Err("disk full".to_owned()));
            let plain =
                span!("persist.episodes").in_scope(|| Err::<u32, String>("ignored".to_owned()));
            (ok, err, plain)
        });
        assert_eq!(out.0, Ok(1));
        assert!(out.1.is_err() && out.2.is_err());
        assert_eq!(
            attr_str(find(&spans, "sql.bulk_insert"), "acm.outcome").as_deref(),
            Some("success")
        );
        let failed = find(&spans, "persist.scores");
        assert_eq!(
            attr_str(failed, "acm.outcome").as_deref(),
            Some("fail"),
            "{mode:?}"
        );
        assert_eq!(failed.status, Status::error("disk full"));
        assert!(attr_str(failed, "acm.error_type").is_some_and(|t| t.contains("String")));
        // `in_scope` does not look at the value it returns.
        assert_eq!(
            attr_str(find(&spans, "persist.episodes"), "acm.outcome").as_deref(),
            Some("success")
        );

        let (out, spans) = capture_async_in(mode, async {
            span!("fetch.history")
                .instrument_result(async { Err::<(), _>("timeout") })
                .await
        });
        assert_eq!(out, Err("timeout"));
        let s = find(&spans, "fetch.history");
        assert_eq!(attr_str(s, "acm.outcome").as_deref(), Some("fail"));
        assert_eq!(s.status, Status::error("timeout"));
    });
}
