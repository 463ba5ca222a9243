//! Built with `-D warnings -W clippy::pedantic` in CI.
