//! Cargo run on a fixture: a separate workspace under `tests/fixtures/`, built with this
//! workspace's lock file and in its target directory, so the dependencies they share are
//! built once.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn fixture(name: &str) -> PathBuf {
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

/// Runs `cargo ARGS --manifest-path DIR/Cargo.toml` on the fixture in `dir`.
pub fn cargo(args: &[&str], dir: &Path) -> Output {
    let workspace_lock = Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.lock");
    std::fs::copy(workspace_lock, dir.join("Cargo.lock")).expect("the lock file copies");
    Command::new(env!("CARGO"))
        .args(args)
        .arg("--manifest-path")
        .arg(dir.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(target_dir())
        .env_remove("RUSTFLAGS")
        .output()
        .expect("cargo runs")
}
