//! The embedded default: OTLP/JSON lines on disk, readable by the OpenTelemetry Collector's
//! `otlpjsonfile` receiver.
//!
//! Each line is one `ExportTraceServiceRequest` in the protobuf JSON mapping (camelCase field
//! names, trace and span ids as hex strings, enums as integers, 64-bit integers as strings).
//! opentelemetry-proto's serde support produces exactly that mapping, and its transform is the
//! one the OTLP exporters use, so the file holds what a collector would have received.

use std::fs::File;
use std::future::{Future, ready};
use std::io::{Seek, SeekFrom, Write};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
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

/// A file of whole lines: a line that cannot be written whole (a full disk) is cut back off,
/// so the file stays valid JSON lines whatever fails.
#[derive(Debug)]
struct Lines<F> {
    file: F,
    /// Length of the file up to its last whole line.
    whole: u64,
}

/// What [`Lines`] needs of a file; a trait so that a failing disk can be tested.
trait LineFile: Write {
    /// Cuts the file to `len` bytes and writes from there on.
    fn cut_to(&mut self, len: u64) -> std::io::Result<()>;
}

impl LineFile for File {
    fn cut_to(&mut self, len: u64) -> std::io::Result<()> {
        self.set_len(len)?;
        self.seek(SeekFrom::Start(len)).map(|_| ())
    }
}

impl<F: LineFile> Lines<F> {
    fn append(&mut self, line: &[u8]) -> std::io::Result<()> {
        match self.file.write_all(line).and_then(|()| self.file.flush()) {
            Ok(()) => {
                self.whole += line.len() as u64;
                Ok(())
            }
            Err(err) => {
                // If even the cut fails, the next append tries again from the same place.
                let _ = self.file.cut_to(self.whole);
                Err(err)
            }
        }
    }
}

/// Writes each batch as one JSON line and keeps a record of each span for the tree.
#[derive(Debug)]
pub(crate) struct JsonLinesExporter {
    out: Mutex<Lines<File>>,
    resource: ResourceAttributesWithSchema,
    records: SharedRecords,
    /// Set by shutdown: nothing is written to the file after `Telemetry::shutdown` returns.
    closed: AtomicBool,
}

impl JsonLinesExporter {
    /// Creates the file (and its directory) now, so a bad location fails at start.
    pub(crate) fn create(path: &Path, records: SharedRecords) -> std::io::Result<Self> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let file = File::create(path)?;
        Ok(Self {
            out: Mutex::new(Lines { file, whole: 0 }),
            resource: ResourceAttributesWithSchema::default(),
            records,
            closed: AtomicBool::new(false),
        })
    }

    fn write_batch(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        if self.closed.load(Ordering::Acquire) {
            return Err(OTelSdkError::AlreadyShutdown);
        }
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
        if self.closed.load(Ordering::Acquire) {
            return Err(OTelSdkError::AlreadyShutdown);
        }
        // Written whole per batch, unbuffered, so the file is readable while the program runs.
        out.append(&line)
            .map_err(|e| OTelSdkError::InternalFailure(format!("writing trace file: {e}")))
    }
}

impl SpanExporter for JsonLinesExporter {
    fn export(&self, batch: Vec<SpanData>) -> impl Future<Output = OTelSdkResult> + Send {
        ready(self.write_batch(batch))
    }

    fn force_flush(&self) -> OTelSdkResult {
        // Every line is flushed as it is written.
        Ok(())
    }

    fn shutdown_with_timeout(&self, _timeout: std::time::Duration) -> OTelSdkResult {
        // Taken under the file's lock, so a batch being written finishes first and none
        // starts after.
        let _out = self.out.lock().unwrap_or_else(PoisonError::into_inner);
        self.closed.store(true, Ordering::Release);
        Ok(())
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.resource = resource.into();
    }
}

#[cfg(test)]
mod tests {
    use super::{LineFile, Lines};

    /// A disk with room for `room` more bytes: a write past it stores what fits and fails.
    struct SmallDisk {
        bytes: Vec<u8>,
        room: usize,
    }

    impl std::io::Write for SmallDisk {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            let fits = buf.len().min(self.room.saturating_sub(self.bytes.len()));
            if fits == 0 && !buf.is_empty() {
                return Err(std::io::Error::from(std::io::ErrorKind::StorageFull));
            }
            self.bytes.extend_from_slice(&buf[..fits]);
            Ok(fits)
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl LineFile for SmallDisk {
        fn cut_to(&mut self, len: u64) -> std::io::Result<()> {
            self.bytes.truncate(usize::try_from(len).expect("small"));
            Ok(())
        }
    }

    #[test]
    fn nothing_is_written_after_shutdown() {
        use opentelemetry_sdk::trace::SpanExporter as _;
        let dir = std::env::temp_dir().join(format!("acm-jsonl-closed-{}", std::process::id()));
        let path = dir.join("run.jsonl");
        let exporter = super::JsonLinesExporter::create(&path, Default::default()).expect("file");
        exporter
            .shutdown_with_timeout(std::time::Duration::from_secs(1))
            .expect("shut down");
        let late = futures_executor::block_on(exporter.export(Vec::new()));
        assert!(late.is_err(), "an export after shutdown is refused");
        assert_eq!(std::fs::read(&path).expect("file").len(), 0);
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_full_disk_leaves_whole_lines_only() {
        let mut lines = Lines {
            file: SmallDisk {
                bytes: Vec::new(),
                room: 20,
            },
            whole: 0,
        };
        lines.append(b"{\"a\":1}\n").expect("fits");
        assert!(lines.append(b"{\"b\":\"long line\"}\n").is_err());
        assert_eq!(
            lines.file.bytes, b"{\"a\":1}\n",
            "the partial line was cut off"
        );
        lines.file.room = 100;
        lines.append(b"{\"c\":3}\n").expect("room again");
        assert_eq!(lines.file.bytes, b"{\"a\":1}\n{\"c\":3}\n");
    }
}
