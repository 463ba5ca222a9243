//! The size of the expansion of a one-line function, through the macro's real entry point.
//! Measured as the output token text (`TokenStream::to_string`), before rustc expands the
//! runtime's `site!` macro (the site's static) and the `line!()` the output still contains.
//! Reported in `acm-trace/benches/compile-time/README.md`.

use crate::tracing_options::compact;
use proc_macro2::TokenStream;

/// Upper bound of the output token text of `#[acm_span("fit.pca")] fn f() -> u32 { 1 }`: a
/// regression past it fails CI. It was 685 bytes before the site's static moved into the
/// runtime's `site!` macro; for scale, the peers' attributes alone (`-Zmacro-stats`): tracing
/// about 1.1 KB, fastrace about 0.14 KB.
const BUDGET: usize = 384;

#[test]
fn one_line_fn_expansion_size() {
    let args: TokenStream = r#""fit.pca""#.parse().unwrap();
    let item: TokenStream = "fn f() -> u32 { 1 }".parse().unwrap();
    let out = crate::expand::attribute(args, item.clone()).to_string();
    let compact = compact(&out);
    println!(
        "one-line fn: {} bytes of token text ({} without optional spaces; enable = {}):\n{out}",
        out.len(),
        compact.len(),
        cfg!(feature = "enable"),
    );
    assert!(!out.contains("compile_error"), "{out}");
    if cfg!(feature = "enable") {
        assert!(compact.contains("::acm_trace::__private"), "{out}");
        assert!(out.len() <= BUDGET, "{} bytes > {BUDGET}: {out}", out.len());
    } else {
        // Without `enable` the function comes back as it was.
        assert_eq!(out, item.to_string());
    }
}
