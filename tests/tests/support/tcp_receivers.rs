//! Receivers on plain std sockets: a minimal HTTP/1.1 OTLP receiver, a "black hole" that
//! accepts connections and never answers, and an address where nothing listens.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use opentelemetry_proto::tonic::collector::logs::v1::{
    ExportLogsServiceRequest, ExportLogsServiceResponse,
};
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use prost::Message;

use super::Inbox;

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
                    inbox.push_traces(req);
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
