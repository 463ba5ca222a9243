//! Scratch directories for tests that write files.

use std::path::{Path, PathBuf};

/// A fresh directory under the system temp dir, removed when the test ends, pass or fail.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(test: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "acm-trace-{test}-{}-{}",
            std::process::id(),
            acm_pipeline::startup::new_run_id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
