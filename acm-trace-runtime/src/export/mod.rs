//! Exporters and their wrappers: the embedded OTLP/JSON lines file, the tree of a run,
//! delivery counting and attribute truncation. (The OTLP exporters are the SDK's, built from
//! the configuration in `telemetry/otlp.rs`.)

pub(crate) mod counting;
pub(crate) mod jsonl;
pub(crate) mod tree;
pub(crate) mod truncate;

pub use counting::DeliveryCounts;
pub use tree::{SpanRecord, render_tree};
pub use truncate::truncate_utf8;
