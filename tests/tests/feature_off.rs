//! The `enable` feature off: functions are left as they were, warning-free, and names and
//! attribute values are still checked.
//! The fixtures are separate workspaces built here, because inside this workspace cargo would
//! unify the feature back on.

#[path = "support/fixture.rs"]
mod fixture;

use fixture::{cargo, fixture};

#[test]
fn annotated_code_runs_unchanged_without_spans() {
    let out = cargo(&["test", "--quiet"], &fixture("feature-off"));
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("1 passed"), "{text}");
}

#[test]
fn names_are_still_checked() {
    let out = cargo(&["check", "--quiet"], &fixture("feature-off-bad-name"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("unknown span category `fuse`; did you mean `fusion`?"),
        "{stderr}"
    );
    assert!(
        stderr.contains("the trait bound `Model: ") && stderr.contains("Value` is not satisfied"),
        "{stderr}"
    );
}
