//! Real OTLP receivers on 127.0.0.1 ephemeral ports: a tonic gRPC server implementing the
//! trace and logs services, a minimal HTTP/1.1 server decoding the protobuf bodies, and a
//! "black hole" that accepts connections and never answers.

#![allow(dead_code)] // each test binary uses a different part

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

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
use prost::Message;

/// Everything a receiver got.
#[derive(Debug, Default)]
pub struct Received {
    pub traces: Vec<ExportTraceServiceRequest>,
    pub logs: Vec<ExportLogsServiceRequest>,
    /// Request headers (gRPC metadata), lower-cased names, of every request.
    pub headers: Vec<(String, String)>,
}

#[derive(Debug, Clone, Default)]
pub struct Inbox(Arc<Mutex<Received>>);

impl Inbox {
    fn with<R>(&self, f: impl FnOnce(&mut Received) -> R) -> R {
        f(&mut self.0.lock().unwrap())
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
        self.0.with(|r| r.traces.push(request.into_inner()));
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

// ---- HTTP ----------------------------------------------------------------------------------

/// A minimal HTTP/1.1 OTLP receiver: keep-alive, Content-Length or chunked bodies, protobuf.
pub struct HttpCollector {
    pub addr: SocketAddr,
    inbox: Inbox,
    stopping: Arc<AtomicBool>,
    connections: Arc<Mutex<Vec<TcpStream>>>,
    acceptor: Option<JoinHandle<()>>,
}

impl HttpCollector {
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let inbox = Inbox::default();
        let stopping = Arc::new(AtomicBool::new(false));
        let connections = Arc::new(Mutex::new(Vec::new()));
        let acceptor = {
            let (inbox, stopping, connections) =
                (inbox.clone(), stopping.clone(), connections.clone());
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stopping.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    connections
                        .lock()
                        .unwrap()
                        .push(stream.try_clone().unwrap());
                    let inbox = inbox.clone();
                    std::thread::spawn(move || serve_connection(stream, inbox));
                }
            })
        };
        Self {
            addr,
            inbox,
            stopping,
            connections,
            acceptor: Some(acceptor),
        }
    }

    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn inbox(&self) -> Inbox {
        self.inbox.clone()
    }

    /// Stops abruptly: the listener closes and open connections are reset.
    pub fn kill(&mut self) {
        if let Some(acceptor) = self.acceptor.take() {
            self.stopping.store(true, Ordering::SeqCst);
            // Wakes the blocking accept so the loop sees the flag and drops the listener.
            let _ = TcpStream::connect(self.addr);
            let _ = acceptor.join();
            for conn in self.connections.lock().unwrap().drain(..) {
                let _ = conn.shutdown(std::net::Shutdown::Both);
            }
        }
    }
}

impl Drop for HttpCollector {
    fn drop(&mut self) {
        self.kill();
    }
}

fn serve_connection(stream: TcpStream, inbox: Inbox) {
    let mut writer = match stream.try_clone() {
        Ok(w) => w,
        Err(_) => return,
    };
    let mut reader = BufReader::new(stream);
    while let Some((path, headers, body)) = read_request(&mut reader) {
        inbox.with(|r| r.headers.extend(headers.iter().cloned()));
        let response_body = match path.as_str() {
            "/v1/traces" => match ExportTraceServiceRequest::decode(body.as_slice()) {
                Ok(req) => {
                    inbox.with(|r| r.traces.push(req));
                    Some(ExportTraceServiceResponse::default().encode_to_vec())
                }
                Err(_) => None,
            },
            "/v1/logs" => match ExportLogsServiceRequest::decode(body.as_slice()) {
                Ok(req) => {
                    inbox.with(|r| r.logs.push(req));
                    Some(ExportLogsServiceResponse::default().encode_to_vec())
                }
                Err(_) => None,
            },
            _ => None,
        };
        let head = match &response_body {
            Some(b) => format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/x-protobuf\r\nContent-Length: {}\r\n\r\n",
                b.len()
            ),
            None => "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n".to_string(),
        };
        let body = response_body.unwrap_or_default();
        if writer.write_all(head.as_bytes()).is_err() || writer.write_all(&body).is_err() {
            return;
        }
        let _ = writer.flush();
        let close = headers
            .iter()
            .any(|(k, v)| k == "connection" && v.eq_ignore_ascii_case("close"));
        if close {
            return;
        }
    }
}

type Request = (String, Vec<(String, String)>, Vec<u8>);

fn read_request(reader: &mut BufReader<TcpStream>) -> Option<Request> {
    let mut line = String::new();
    if reader.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let mut parts = line.split_whitespace();
    let _method = parts.next()?;
    let path = parts.next()?.to_string();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).ok()? == 0 {
            return None;
        }
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        let (k, v) = h.split_once(':')?;
        headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
    }
    let header = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let body = if let Some(len) = header("content-length") {
        let mut body = vec![0; len.parse().ok()?];
        reader.read_exact(&mut body).ok()?;
        body
    } else if header("transfer-encoding").is_some_and(|v| v.contains("chunked")) {
        read_chunked(reader)?
    } else {
        Vec::new()
    };
    Some((path, headers, body))
}

fn read_chunked(reader: &mut BufReader<TcpStream>) -> Option<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let mut size = String::new();
        reader.read_line(&mut size).ok()?;
        let size = usize::from_str_radix(size.trim().split(';').next()?, 16).ok()?;
        let mut chunk = vec![0; size + 2]; // the chunk and its CRLF
        reader.read_exact(&mut chunk).ok()?;
        if size == 0 {
            return Some(body);
        }
        body.extend_from_slice(&chunk[..size]);
    }
}

// ---- faults --------------------------------------------------------------------------------

/// Accepts TCP connections and never reads or answers: a hung collector.
pub struct BlackHole {
    pub addr: SocketAddr,
    stopping: Arc<AtomicBool>,
    connections: Arc<Mutex<Vec<TcpStream>>>,
    acceptor: Option<JoinHandle<()>>,
}

impl BlackHole {
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let stopping = Arc::new(AtomicBool::new(false));
        let connections = Arc::new(Mutex::new(Vec::new()));
        let acceptor = {
            let (stopping, connections) = (stopping.clone(), connections.clone());
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stopping.load(Ordering::SeqCst) {
                        break;
                    }
                    if let Ok(stream) = stream {
                        connections.lock().unwrap().push(stream);
                    }
                }
            })
        };
        Self {
            addr,
            stopping,
            connections,
            acceptor: Some(acceptor),
        }
    }

    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// How many connections were accepted (and left hanging).
    pub fn accepted(&self) -> usize {
        self.connections.lock().unwrap().len()
    }
}

impl Drop for BlackHole {
    fn drop(&mut self) {
        self.stopping.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
        for conn in self.connections.lock().unwrap().drain(..) {
            let _ = conn.shutdown(std::net::Shutdown::Both);
        }
    }
}

/// An address where nothing listens: bound once to get a free port, then released.
pub fn absent_endpoint() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}")
}
