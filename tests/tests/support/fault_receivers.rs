//! Receivers that fail in one way each, on plain std sockets on 127.0.0.1: an HTTP answer of
//! one status with `Retry-After`, a connection reset in the middle of a request, and a plain
//! TCP server where the exporter expects TLS.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

/// How a [`FaultyReceiver`] treats each connection.
#[derive(Debug, Clone, Copy)]
pub enum Fault {
    /// Reads each request and answers this HTTP status with `Retry-After: 1`.
    Status(u16),
    /// Reads the start of a request and closes with the rest unread, which makes the kernel
    /// reset the connection.
    ResetMidRequest,
    /// Answers plain text at once and closes: a TLS client's handshake fails.
    NotTls,
}

pub struct FaultyReceiver {
    pub addr: SocketAddr,
    fault: Fault,
    /// Connections accepted so far.
    connections: Arc<AtomicUsize>,
    stopping: Arc<AtomicBool>,
    acceptor: Option<JoinHandle<()>>,
}

impl FaultyReceiver {
    pub fn start(fault: Fault) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
        let addr = listener.local_addr().expect("its address");
        let connections = Arc::new(AtomicUsize::new(0));
        let stopping = Arc::new(AtomicBool::new(false));
        let acceptor = {
            let (connections, stopping) = (connections.clone(), stopping.clone());
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stopping.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    connections.fetch_add(1, Ordering::SeqCst);
                    std::thread::spawn(move || serve(stream, fault));
                }
            })
        };
        Self {
            addr,
            fault,
            connections,
            stopping,
            acceptor: Some(acceptor),
        }
    }

    /// The endpoint, `https://` for [`Fault::NotTls`].
    pub fn endpoint(&self) -> String {
        match self.fault {
            Fault::NotTls => format!("https://{}", self.addr),
            Fault::Status(_) | Fault::ResetMidRequest => format!("http://{}", self.addr),
        }
    }

    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

impl Drop for FaultyReceiver {
    fn drop(&mut self) {
        self.stopping.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
    }
}

fn serve(mut stream: TcpStream, fault: Fault) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    match fault {
        Fault::Status(status) => {
            while read_request(&mut stream) {
                let reason = match status {
                    429 => "Too Many Requests",
                    503 => "Service Unavailable",
                    _ => "Error",
                };
                let head = format!(
                    "HTTP/1.1 {status} {reason}\r\nRetry-After: 1\r\nContent-Length: 0\r\n\r\n"
                );
                if stream.write_all(head.as_bytes()).is_err() {
                    return;
                }
            }
        }
        Fault::ResetMidRequest => {
            let mut start = [0u8; 16];
            let _ = stream.read_exact(&mut start);
            // Give the client time to send the rest, so it is unread when the socket closes.
            std::thread::sleep(Duration::from_millis(50));
        }
        Fault::NotTls => {
            let _ = stream.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
        }
    }
}

/// Reads one HTTP/1.1 request with a `Content-Length` body (what the OTLP HTTP exporter
/// sends); false when the connection ends or the request cannot be read.
fn read_request(stream: &mut TcpStream) -> bool {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return false,
        }
        if head.len() > 64 * 1024 {
            return false;
        }
    }
    let head = String::from_utf8_lossy(&head).to_ascii_lowercase();
    let length = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; length];
    stream.read_exact(&mut body).is_ok()
}
