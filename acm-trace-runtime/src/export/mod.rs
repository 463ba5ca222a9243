//! Exporters and what every exporter sits behind: the embedded OTLP/JSON lines file, the tree
//! of a run, and the one wrapper that cuts long values and counts delivery (`delivery.rs`,
//! with its helpers in `truncate.rs`). (The OTLP exporters are the SDK's, built from the
//! configuration in `telemetry/otlp.rs`.)

pub(crate) mod delivery;
pub(crate) mod jsonl;
pub(crate) mod tree;
pub(crate) mod truncate;

pub use delivery::DeliveryCounts;
pub use tree::{SpanRecord, render_tree};
pub use truncate::truncate_utf8;
