//! The reference text that restates the taxonomy is checked against it, so the docs cannot
//! drift from the code: the category table is rendered from [`CATEGORIES`] and compared with
//! the file the crate documentation includes, and the `#[acm_span]` reference must name every
//! key acm-trace writes and the attribute limit.
//!
//! After a deliberate change to the taxonomy, regenerate the table with
//! `ACM_TRACE_REGENERATE_DOCS=1 cargo test -p acm-trace --test doc_tables`.

use std::path::PathBuf;

use acm_trace_taxonomy::{CATEGORIES, MAX_CALLER_ATTRIBUTES, STANDARD_FIELDS};

const REGENERATE: &str = "ACM_TRACE_REGENERATE_DOCS";

fn docs_file(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("src/docs")
        .join(name)
}

fn read(name: &str) -> String {
    let path = docs_file(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The category table as Markdown: one row per category, in the order of [`CATEGORIES`].
fn render_categories() -> String {
    let mut out = String::from(
        "| category | kind | colour | default phase |\n\
         |----------|------|--------|---------------|\n",
    );
    for c in &CATEGORIES {
        out.push_str(&format!(
            "| `{}` | {} | {} | `{}` |\n",
            c.name,
            c.kind.as_str(),
            c.kind.colour(),
            c.phase.as_str()
        ));
    }
    out
}

#[test]
fn category_table_matches_the_taxonomy() {
    let rendered = render_categories();
    if std::env::var_os(REGENERATE).is_some() {
        std::fs::write(docs_file("categories.md"), &rendered).expect("write categories.md");
    }
    let written = read("categories.md");
    assert!(
        written == rendered,
        "src/docs/categories.md differs from the table rendered from CATEGORIES; regenerate it \
         with `{REGENERATE}=1 cargo test -p acm-trace --test doc_tables` and review the diff.\n\
         rendered:\n{rendered}\nwritten:\n{written}"
    );
    assert_eq!(rendered.lines().count(), CATEGORIES.len() + 2);
}

#[test]
fn crate_docs_include_the_table_and_the_reference() {
    let lib = std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs"))
        .expect("read lib.rs");
    for file in ["categories.md", "acm_span.md"] {
        let include = format!("include_str!(\"docs/{file}\")");
        assert!(
            lib.contains(&include),
            "lib.rs must include {file} as docs: `{include}`"
        );
    }
}

#[test]
fn reference_names_every_reserved_key_and_the_limit() {
    let reference = read("acm_span.md");
    let written_at_export = [
        acm_trace::ORIGINAL_NAME_KEY,
        "code.file.path",
        "code.line.number",
        "code.module.name",
    ];
    for key in STANDARD_FIELDS.iter().chain(&written_at_export) {
        assert!(
            reference.contains(&format!("`{key}`")),
            "src/docs/acm_span.md does not name the reserved key `{key}`"
        );
    }
    let limit = format!("at most {MAX_CALLER_ATTRIBUTES} attributes");
    assert!(
        reference.contains(&limit),
        "src/docs/acm_span.md must state the attribute limit as \"{limit}\""
    );
}
