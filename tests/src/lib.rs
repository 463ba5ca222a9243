//! Integration tests of acm-trace live in `tests/`.
