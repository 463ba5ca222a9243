//! Real OTLP receivers on 127.0.0.1 ephemeral ports: a tonic gRPC server implementing the
//! trace and logs services here, and in `tcp_receivers.rs` a minimal HTTP/1.1 server decoding
//! the protobuf bodies and a "black hole" that accepts connections and never answers.

#![allow(dead_code)] // each test binary uses a different part

use std::net::{SocketAddr, TcpListener};
use std::sync::{Arc, Mutex};

use opentelemetry_proto::tonic::collector::logs::v1::logs_service_server::{
    LogsService, LogsServiceServer,
};
use opentelemetry_proto::tonic::collector::logs::v1::{
    ExportLogsServiceRequest, ExportLogsServiceResponse,
};
use opentelemetry_proto::tonic::collector::trace::v1::trace_service_server::{
    TraceService, TraceServiceServer,
};
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use opentelemetry_proto::tonic::logs::v1::LogRecord;
use opentelemetry_proto::tonic::trace::v1::Span;

/// Everything a receiver got.
#[derive(Debug, Default)]
pub struct Received {
    pub traces: Vec<ExportTraceServiceRequest>,
    pub logs: Vec<ExportLogsServiceRequest>,
    /// Request headers (gRPC metadata), lower-cased names, of every request.
    pub headers: Vec<(String, String)>,
    /// Spans received in all trace requests, kept or not.
    pub span_count: u64,
    /// Whether trace requests are only counted, for load tests.
    pub discard: bool,
}

#[derive(Debug, Clone, Default)]
pub struct Inbox(Arc<Mutex<Received>>);

impl Inbox {
    fn with<R>(&self, f: impl FnOnce(&mut Received) -> R) -> R {
        f(&mut self.0.lock().unwrap())
    }

    /// Counts a trace request's spans and keeps it, unless told to discard contents.
    pub fn push_traces(&self, request: ExportTraceServiceRequest) {
        let spans: usize = request
            .resource_spans
            .iter()
            .flat_map(|rs| &rs.scope_spans)
            .map(|ss| ss.spans.len())
            .sum();
        self.with(|r| {
            r.span_count += spans as u64;
            if !r.discard {
                r.traces.push(request);
            }
        });
    }

    /// Keeps only counts from now on: a load test's spans would fill memory.
    pub fn discard_contents(&self) {
        self.with(|r| r.discard = true);
    }

    /// Spans received so far.
    pub fn span_count(&self) -> u64 {
        self.with(|r| r.span_count)
    }

    pub fn traces(&self) -> Vec<ExportTraceServiceRequest> {
        self.with(|r| r.traces.clone())
    }

    pub fn spans(&self) -> Vec<Span> {
        self.with(|r| {
            r.traces
                .iter()
                .flat_map(|t| &t.resource_spans)
                .flat_map(|rs| &rs.scope_spans)
                .flat_map(|ss| ss.spans.clone())
                .collect()
        })
    }

    pub fn log_records(&self) -> Vec<(String, LogRecord)> {
        self.with(|r| {
            r.logs
                .iter()
                .flat_map(|l| &l.resource_logs)
                .flat_map(|rl| &rl.scope_logs)
                .flat_map(|sl| {
                    let scope = sl
                        .scope
                        .as_ref()
                        .map(|s| s.name.clone())
                        .unwrap_or_default();
                    sl.log_records
                        .iter()
                        .map(move |r| (scope.clone(), r.clone()))
                })
                .collect()
        })
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.with(|r| {
            r.headers
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        })
    }
}

// ---- gRPC ----------------------------------------------------------------------------------

struct Sink(Inbox);

fn record_metadata(inbox: &Inbox, metadata: &tonic::metadata::MetadataMap) {
    let headers = metadata.clone().into_headers();
    inbox.with(|r| {
        for (k, v) in &headers {
            r.headers
                .push((k.as_str().to_string(), v.to_str().unwrap_or("").to_string()));
        }
    });
}

#[tonic::async_trait]
impl TraceService for Sink {
    async fn export(
        &self,
        request: tonic::Request<ExportTraceServiceRequest>,
    ) -> Result<tonic::Response<ExportTraceServiceResponse>, tonic::Status> {
        record_metadata(&self.0, request.metadata());
        self.0.push_traces(request.into_inner());
        Ok(tonic::Response::new(ExportTraceServiceResponse::default()))
    }
}

#[tonic::async_trait]
impl LogsService for Sink {
    async fn export(
        &self,
        request: tonic::Request<ExportLogsServiceRequest>,
    ) -> Result<tonic::Response<ExportLogsServiceResponse>, tonic::Status> {
        record_metadata(&self.0, request.metadata());
        self.0.with(|r| r.logs.push(request.into_inner()));
        Ok(tonic::Response::new(ExportLogsServiceResponse::default()))
    }
}

/// A tonic OTLP receiver on its own runtime, so tests stay synchronous.
pub struct GrpcCollector {
    pub addr: SocketAddr,
    inbox: Inbox,
    runtime: Option<tokio::runtime::Runtime>,
}

impl GrpcCollector {
    pub fn start() -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("test-grpc-collector")
            .enable_all()
            .build()
            .unwrap();
        let std_listener = TcpListener::bind("127.0.0.1:0").unwrap();
        std_listener.set_nonblocking(true).unwrap();
        let addr = std_listener.local_addr().unwrap();
        let inbox = Inbox::default();
        {
            // `enter` instead of `block_on`: callers may already be inside a runtime.
            let _entered = runtime.enter();
            let listener = tokio::net::TcpListener::from_std(std_listener).unwrap();
            let incoming = tonic::transport::server::TcpIncoming::from(listener);
            let server = tonic::transport::Server::builder()
                .add_service(TraceServiceServer::new(Sink(inbox.clone())))
                .add_service(LogsServiceServer::new(Sink(inbox.clone())))
                .serve_with_incoming(incoming);
            runtime.spawn(server);
        }
        Self {
            addr,
            inbox,
            runtime: Some(runtime),
        }
    }

    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn inbox(&self) -> Inbox {
        self.inbox.clone()
    }

    /// Stops abruptly, as a crashed collector would: every task and socket is dropped.
    pub fn kill(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

impl Drop for GrpcCollector {
    fn drop(&mut self) {
        self.kill();
    }
}

// The HTTP receiver and the fault receivers, on plain std sockets.
#[path = "tcp_receivers.rs"]
mod tcp_receivers;
#[allow(unused_imports)] // each test binary uses a different part
pub use tcp_receivers::{BlackHole, HttpCollector, absent_endpoint};
