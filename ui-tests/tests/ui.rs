//! trybuild cases: every supported function shape compiles and runs (`pass/`), and every
//! naming or option mistake gives the exact error in its `.stderr` (`fail/`).
//!
//! Regenerate the expected errors after a deliberate message change with
//! `TRYBUILD=overwrite cargo test -p acm-trace-ui-tests`, then read every changed `.stderr`.

use std::path::Path;

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("tests/pass/*.rs");
    t.compile_fail("tests/fail/*.rs");
}

/// rustc quotes the standard library's source (`--> $RUST/core/src/result.rs` followed by the
/// line itself) only when the toolchain has the `rust-src` component, which rust-analyzer
/// installs. An expected `.stderr` that mentions std's source therefore passes on some
/// machines and fails on others: each case must show its point with the user's own types.
#[test]
fn expected_errors_do_not_depend_on_std_source() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fail");
    let mut offending = Vec::new();
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).expect("tests/fail is readable") {
        let path = entry.expect("a directory entry").path();
        if path.extension().is_none_or(|e| e != "stderr") {
            continue;
        }
        checked += 1;
        let text = std::fs::read_to_string(&path).expect("a .stderr is UTF-8 text");
        for (i, line) in text.lines().enumerate() {
            if line.contains("$RUST/") {
                let file = path.file_name().unwrap_or_default().to_string_lossy();
                offending.push(format!("{file}:{}: {}", i + 1, line.trim()));
            }
        }
    }
    assert!(checked > 0, "no .stderr found under tests/fail");
    assert!(
        offending.is_empty(),
        "these expected errors quote the standard library's source, which only toolchains \
         with `rust-src` show; change the case to use a type of its own file instead of a std \
         type, then regenerate with `TRYBUILD=overwrite cargo test -p acm-trace-ui-tests`:\n{}",
        offending.join("\n")
    );
}

/// No expected error names an item of the macros' hidden support module: a user reads about
/// their own code and the crate's public API only.
#[test]
fn expected_errors_name_no_private_item() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fail");
    let mut offending = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("tests/fail is readable") {
        let path = entry.expect("a directory entry").path();
        if path.extension().is_none_or(|e| e != "stderr") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("a .stderr is UTF-8 text");
        for (i, line) in text.lines().enumerate() {
            if line.contains("__private") {
                let file = path.file_name().unwrap_or_default().to_string_lossy();
                offending.push(format!("{file}:{}: {}", i + 1, line.trim()));
            }
        }
    }
    assert!(
        offending.is_empty(),
        "these expected errors name `__private` items:\n{}",
        offending.join("\n")
    );
}
