//! Compile-pass and compile-fail cases of `#[acm_span]`, run by trybuild.
