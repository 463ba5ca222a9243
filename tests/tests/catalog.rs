//! The static catalog: every instrumented site registers itself, and `check` names every pair
//! of sites that use one static name with different kinds.

use acm_trace::{Kind, Phase, acm_span, catalog};

#[acm_span("fit.pca")]
fn fit_pca() {}

// Same name, kind overridden: a conflict `check` must report.
#[acm_span("fit.pca", kind = client)]
fn fit_pca_remote() {}

#[acm_span("score.{detector}")]
fn score(detector: &str) -> usize {
    detector.len()
}

#[acm_span("persist.scores", phase = "finalize")]
fn persist() {}

fn site(name: &str) -> Vec<&'static acm_trace::SpanSite> {
    catalog::sites().filter(|s| s.name == name).collect()
}

#[test]
fn every_site_is_listed_without_running_it() {
    let pca = site("fit.pca");
    assert_eq!(pca.len(), 2, "{pca:?}");
    let local = pca
        .iter()
        .find(|s| s.function == "fit_pca")
        .expect("fit_pca listed");
    assert_eq!(local.kind, Kind::Internal);
    assert_eq!(local.category, "fit");
    assert_eq!(local.phase, Phase::Fit);
    assert!(local.file.ends_with("catalog.rs"));
    assert_eq!(local.module_path, "catalog");
    assert!(local.line > 0);
    let dynamic = site("score.{detector}");
    assert_eq!(dynamic.len(), 1);
    assert!(!dynamic[0].is_static);
    assert_eq!(site("persist.scores")[0].phase, Phase::Finalize);
    // Debug-printable.
    assert!(format!("{:?}", local).contains("fit_pca"));
}

#[test]
fn check_names_conflicting_kinds() {
    let err = catalog::check().expect_err("fit.pca has two kinds");
    assert_eq!(err.conflicts.len(), 1);
    let text = err.to_string();
    assert!(text.contains("`fit.pca`"), "{text}");
    assert!(
        text.contains("fit_pca_remote") && text.contains("internal") && text.contains("client"),
        "{text}"
    );
}

#[test]
fn site_of_maps_metadata_back_to_its_site() {
    let s = site("persist.scores")[0];
    assert!(std::ptr::eq(catalog::site_of(s.metadata()).unwrap(), s));
    // Metadata of a span that is not an acm site.
    let span = tracing::info_span!("plain");
    if let Some(meta) = span.metadata() {
        assert!(catalog::site_of(meta).is_none());
    }
    // Keep the functions used.
    fit_pca();
    fit_pca_remote();
    persist();
    assert_eq!(score("x"), 1);
}
