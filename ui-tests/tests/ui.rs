//! trybuild cases: every function shape of SHAPES.md compiles and runs (`pass/`), and every
//! naming or option mistake gives the exact error in its `.stderr` (`fail/`).
//!
//! Regenerate the expected errors after a deliberate message change with
//! `TRYBUILD=overwrite cargo test -p acm-trace-ui-tests`, then read every changed `.stderr`.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("tests/pass/*.rs");
    t.compile_fail("tests/fail/*.rs");
}
