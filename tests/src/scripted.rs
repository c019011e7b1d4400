//! A scripted HTTP/1.1 server on 127.0.0.1 for fault injection: each request
//! it reads gets the next step of its script (an answer, a reset, a stall, a
//! connection closed mid-body), and it records every request it read.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// An answer to write.
#[derive(Clone, Debug)]
pub struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Answer {
    /// An answer with a JSON body.
    pub fn json(status: u16, body: &Value) -> Self {
        Answer {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.to_string().into_bytes(),
        }
    }

    /// An answer with a raw body and content type.
    pub fn raw(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        Answer { status, headers: vec![("content-type".into(), content_type.into())], body: body.into() }
    }

    /// Adds a header.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    fn head(&self, content_length: Option<usize>) -> Vec<u8> {
        let mut head = format!("HTTP/1.1 {} Scripted\r\n", self.status);
        for (name, value) in &self.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        match content_length {
            Some(length) => head.push_str(&format!("content-length: {length}\r\n")),
            None => head.push_str("transfer-encoding: chunked\r\n"),
        }
        head.push_str("\r\n");
        head.into_bytes()
    }
}

/// What the server does with one request.
#[derive(Clone, Debug)]
pub enum Step {
    /// Writes the answer and keeps the connection open.
    Answer(Answer),
    /// Waits, then writes the answer.
    Delay(Duration, Answer),
    /// Resets the connection (RST) before writing any byte.
    Reset,
    /// Writes the head announcing the answer's whole body, then the first
    /// `sent` bytes of it, then closes the connection.
    CloseMidBody(Answer, usize),
    /// Writes the head and the first `sent` body bytes, then waits `stall`
    /// before closing.
    StallBody(Answer, usize, Duration),
    /// Writes a head announcing `announced` body bytes, then the body bytes
    /// it has, then waits `stall`.
    Announce(Answer, u64, Duration),
    /// Writes the body as `chunks` chunks of the answer's body, chunked.
    Chunked(Answer, usize),
}

/// A request as the server read it.
#[derive(Clone, Debug)]
pub struct Seen {
    /// `GET`, `POST`, ...
    pub method: String,
    /// Path and query, exactly as sent.
    pub target: String,
    /// Headers, names lowercased, in order.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
    /// When the request's head was complete.
    pub at: Instant,
}

impl Seen {
    /// The value of a header.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

struct State {
    script: VecDeque<Step>,
    seen: Vec<Seen>,
}

/// The server; it stops when dropped.
pub struct ScriptedServer {
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
    task: JoinHandle<()>,
}

impl ScriptedServer {
    /// Starts a server on 127.0.0.1 (port 0) playing `script`; requests past
    /// its end get a 599 answer the tests never expect.
    pub async fn start(script: Vec<Step>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("address");
        let state = Arc::new(Mutex::new(State { script: script.into(), seen: Vec::new() }));
        let shared = Arc::clone(&state);
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, Arc::clone(&shared)));
            }
        });
        ScriptedServer { addr, state, task }
    }

    /// The base URL to give a client: `http://127.0.0.1:PORT/v1`.
    pub fn base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    /// A client builder for this server with the test key and a backoff of
    /// milliseconds, so retried tests stay fast.
    pub fn client_builder(&self) -> conductor::ClientBuilder {
        conductor::Client::builder()
            .api_key(crate::KEY)
            .base_url(self.base_url())
            .retry_backoff(Duration::from_millis(1), Duration::from_millis(5))
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Every request read so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.state.lock().unwrap().seen.clone()
    }
}

impl Drop for ScriptedServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(mut stream: TcpStream, state: Arc<Mutex<State>>) {
    let mut buffer = Vec::new();
    loop {
        let Some(seen) = read_request(&mut stream, &mut buffer).await else { return };
        let step = {
            let mut state = state.lock().unwrap();
            state.seen.push(seen);
            state.script.pop_front()
        };
        let step = step.unwrap_or_else(|| Step::Answer(Answer::raw(599, "text/plain", "script exhausted")));
        if !act(&mut stream, step).await {
            return;
        }
    }
}

/// Performs one step; false when the connection is finished.
async fn act(stream: &mut TcpStream, step: Step) -> bool {
    match step {
        Step::Answer(answer) => write_answer(stream, &answer).await,
        Step::Delay(wait, answer) => {
            tokio::time::sleep(wait).await;
            write_answer(stream, &answer).await
        }
        Step::Reset => {
            let _ = stream.set_zero_linger();
            false
        }
        Step::CloseMidBody(answer, sent) => {
            let _ = stream.write_all(&answer.head(Some(answer.body.len()))).await;
            let _ = stream.write_all(&answer.body[..sent]).await;
            let _ = stream.shutdown().await;
            false
        }
        Step::StallBody(answer, sent, stall) => {
            let _ = stream.write_all(&answer.head(Some(answer.body.len()))).await;
            let _ = stream.write_all(&answer.body[..sent]).await;
            let _ = stream.flush().await;
            tokio::time::sleep(stall).await;
            false
        }
        Step::Announce(answer, announced, stall) => {
            let _ = stream.write_all(&answer.head(Some(announced as usize))).await;
            let _ = stream.write_all(&answer.body).await;
            tokio::time::sleep(stall).await;
            false
        }
        Step::Chunked(answer, chunks) => {
            if stream.write_all(&answer.head(None)).await.is_err() {
                return false;
            }
            for _ in 0..chunks {
                let mut chunk = format!("{:x}\r\n", answer.body.len()).into_bytes();
                chunk.extend_from_slice(&answer.body);
                chunk.extend_from_slice(b"\r\n");
                if stream.write_all(&chunk).await.is_err() {
                    return false;
                }
            }
            stream.write_all(b"0\r\n\r\n").await.is_ok()
        }
    }
}

async fn write_answer(stream: &mut TcpStream, answer: &Answer) -> bool {
    let mut bytes = answer.head(Some(answer.body.len()));
    bytes.extend_from_slice(&answer.body);
    stream.write_all(&bytes).await.is_ok()
}

/// Reads one request (head and `content-length` body); `None` at end of
/// stream.
async fn read_request(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> Option<Seen> {
    let head_end = loop {
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break end;
        }
        let mut chunk = [0u8; 8192];
        let read = stream.read(&mut chunk).await.ok()?;
        if read == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..read]);
    };
    let at = Instant::now();
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    buffer.drain(..head_end + 4);
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next()?.split(' ');
    let method = request_line.next()?.to_owned();
    let target = request_line.next()?.to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    let length = headers
        .iter()
        .find(|(name, _)| name == "content-length")
        .and_then(|(_, value)| value.parse::<usize>().ok())
        .unwrap_or(0);
    while buffer.len() < length {
        let mut chunk = [0u8; 8192];
        let read = stream.read(&mut chunk).await.ok()?;
        if read == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..read]);
    }
    let body = buffer.drain(..length).collect();
    Some(Seen { method, target, headers, body, at })
}
