//! Proc macros of acm-trace: `#[acm_span]` and `span!`. Users reach them through the
//! `acm-trace` crate, whose documentation describes them.

#![allow(clippy::needless_pass_by_value)]

extern crate proc_macro;

mod ast;
mod attr;
mod errors;
mod expand;
mod impl_block;
mod returns;
mod site;
#[cfg(test)]
mod size_tests;
mod span_macro;
mod tracing_options;
mod valid;

use proc_macro::TokenStream;

// `#[acm_span("category.operation", ...)]` on a function or an impl block. Its documentation
// is on the `acm-trace` re-export (`acm-trace/src/docs/acm_span.md`): docs written here would
// be appended to it.
#[proc_macro_attribute]
pub fn acm_span(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::attribute(args.into(), item.into()).into()
}

// `span!("category.operation", ...)`: a span for a block, closure or future. Documented on the
// `acm-trace` re-export, for the same reason.
#[proc_macro]
pub fn span(input: TokenStream) -> TokenStream {
    span_macro::expand(input.into()).into()
}
