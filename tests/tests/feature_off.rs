//! The `enable` feature off: functions are left as they were, warning-free, and names and
//! attribute values are still checked.
//! The fixtures are separate workspaces built here, because inside this workspace cargo would
//! unify the feature back on. They start from this workspace's lock file and share its target
//! directory, so the dependencies they have in common are built once.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

/// The target directory this test was built in: it runs from `<target>/<profile>/deps/`.
fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test executable's path");
    exe.ancestors()
        .nth(3)
        .expect("the test runs from <target>/<profile>/deps")
        .to_path_buf()
}

fn cargo(args: &[&str], dir: &Path) -> Output {
    let workspace_lock = Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.lock");
    std::fs::copy(workspace_lock, dir.join("Cargo.lock")).expect("the lock file copies");
    let target = target_dir();
    Command::new(env!("CARGO"))
        .args(args)
        .arg("--manifest-path")
        .arg(dir.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(target)
        .env_remove("RUSTFLAGS")
        .output()
        .expect("cargo runs")
}

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
