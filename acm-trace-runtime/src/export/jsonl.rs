//! The embedded default: OTLP/JSON lines on disk, readable by the OpenTelemetry Collector's
//! `otlpjsonfile` receiver.
//!
//! Each line is one `ExportTraceServiceRequest` in the protobuf JSON mapping (camelCase field
//! names, trace and span ids as hex strings, enums as integers, 64-bit integers as strings).
//! opentelemetry-proto's serde support produces exactly that mapping, and its transform is the
//! one the OTLP exporters use, so the file holds what a collector would have received.

use std::fs::File;
use std::future::{Future, ready};
use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::transform::common::tonic::ResourceAttributesWithSchema;
use opentelemetry_proto::transform::trace::tonic::group_spans_by_resource_and_scope;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::error::{OTelSdkError, OTelSdkResult};
use opentelemetry_sdk::trace::{SpanData, SpanExporter};

use super::tree::SpanRecord;

/// Most spans kept for the tree: enough for any run a person reads in a terminal, and a bound
/// on memory for long-running programs.
const MAX_RECORDS: usize = 10_000;

/// Spans kept for the tree printed at shutdown.
#[derive(Debug, Default)]
pub(crate) struct RunRecords {
    pub(crate) records: Vec<SpanRecord>,
    pub(crate) omitted: u64,
}

pub(crate) type SharedRecords = Arc<Mutex<RunRecords>>;

/// Writes each batch as one JSON line and keeps a record of each span for the tree.
#[derive(Debug)]
pub(crate) struct JsonLinesExporter {
    out: Mutex<BufWriter<File>>,
    resource: ResourceAttributesWithSchema,
    records: SharedRecords,
}

impl JsonLinesExporter {
    /// Creates the file (and its directory) now, so a bad location fails at start.
    pub(crate) fn create(path: &Path, records: SharedRecords) -> std::io::Result<Self> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let file = File::create(path)?;
        Ok(Self {
            out: Mutex::new(BufWriter::new(file)),
            resource: ResourceAttributesWithSchema::default(),
            records,
        })
    }

    fn write_batch(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        {
            let mut log = self.records.lock().unwrap_or_else(PoisonError::into_inner);
            for span in &batch {
                if log.records.len() < MAX_RECORDS {
                    log.records.push(SpanRecord::from_span(span));
                } else {
                    log.omitted += 1;
                }
            }
        }
        let request = ExportTraceServiceRequest {
            resource_spans: group_spans_by_resource_and_scope(batch, &self.resource),
        };
        let mut line = serde_json::to_vec(&request)
            .map_err(|e| OTelSdkError::InternalFailure(format!("encoding spans as JSON: {e}")))?;
        line.push(b'\n');
        let mut out = self.out.lock().unwrap_or_else(PoisonError::into_inner);
        // Flushed per batch so the file is readable while the program still runs.
        out.write_all(&line)
            .and_then(|()| out.flush())
            .map_err(|e| OTelSdkError::InternalFailure(format!("writing trace file: {e}")))
    }
}

impl SpanExporter for JsonLinesExporter {
    fn export(&self, batch: Vec<SpanData>) -> impl Future<Output = OTelSdkResult> + Send {
        ready(self.write_batch(batch))
    }

    fn force_flush(&self) -> OTelSdkResult {
        let mut out = self.out.lock().unwrap_or_else(PoisonError::into_inner);
        out.flush()
            .map_err(|e| OTelSdkError::InternalFailure(e.to_string()))
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.resource = resource.into();
    }
}
