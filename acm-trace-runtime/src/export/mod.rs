//! Exporters and their wrappers: OTLP, the embedded OTLP/JSON lines file, the tree of a run,
//! delivery counting and attribute truncation.

pub(crate) mod counting;
pub(crate) mod jsonl;
#[cfg(feature = "otlp")]
pub(crate) mod otlp;
pub(crate) mod tree;
pub(crate) mod truncate;

pub use counting::DeliveryCounts;
pub use tree::{SpanRecord, render_tree};
pub use truncate::truncate_utf8;
