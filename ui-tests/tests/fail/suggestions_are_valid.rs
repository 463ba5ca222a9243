// Every fix an error proposes is itself accepted: following it never leads to another error.
use acm_trace::acm_span;

#[acm_span("Fit.PCA")]
fn upper() {}

#[acm_span(" fit.pca")]
fn padded() {}

#[acm_span("load-data.csv")]
fn hyphen() {}

#[acm_span("fit.HTTPRequest")]
fn acronym() {}

#[acm_span("fit_pca.model.v2")]
fn glued_category() {}

#[acm_span("fit.pca", phase = Phase::Fit)]
fn phase_path() {}

#[acm_span("fit.pca", phase = "fitting")]
fn phase_longer() {}

#[acm_span("fit.pca", kind = Kind::Internal)]
fn kind_path() {}

#[acm_span("fit.pca", kind = "Client")]
fn kind_string() {}

fn main() {
    upper();
    padded();
    hyphen();
    acronym();
    glued_category();
    phase_path();
    phase_longer();
    kind_path();
    kind_string();
}
