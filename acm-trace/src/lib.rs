//! acm-trace
