//! A bare HTTP/1.1 client, one TCP connection a request. The hostile cases need what a
//! well-behaved client library will not do — announce a length and send none of it, send a
//! compressed body, a head larger than any server takes — and must read the answer while
//! still sending, as an attacker's client would: a server that answers early is the point.

use anyhow::{Context, bail};
use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

/// Size of the chunks of a chunked body.
const CHUNK: usize = 1 << 20;

/// What follows the head.
pub enum Payload {
    /// No body.
    Empty,
    /// These bytes, with their length announced.
    Bytes(Vec<u8>),
    /// `Content-Length: n`, and none of the n bytes sent: only a server that refuses the
    /// length before reading answers at all.
    Announced(u64),
    /// `Transfer-Encoding: chunked`, no length announced: a line `a` then this many bytes of
    /// `0\n` lines, so that only counting while reading can stop it.
    Chunked(u64),
}

/// One request.
pub struct Request {
    /// `GET`, `PUT`, …
    pub method: &'static str,
    /// Path and query.
    pub path: String,
    /// Headers besides `Host`, `Connection` and the body's framing.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub payload: Payload,
}

impl Request {
    /// A request without headers or body.
    pub fn new(method: &'static str, path: impl Into<String>) -> Self {
        Self {
            method,
            path: path.into(),
            headers: Vec::new(),
            payload: Payload::Empty,
        }
    }

    /// With one more header.
    pub fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_owned(), value.into()));
        self
    }

    /// With this body and `Content-Type`.
    pub fn body(self, content_type: &str, bytes: Vec<u8>) -> Self {
        self.header("Content-Type", content_type)
            .payload(Payload::Bytes(bytes))
    }

    /// With this payload.
    pub fn payload(mut self, payload: Payload) -> Self {
        self.payload = payload;
        self
    }

    fn head(&self) -> Vec<u8> {
        let mut head = format!(
            "{} {} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n",
            self.method, self.path
        );
        for (name, value) in &self.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        match &self.payload {
            Payload::Empty => {}
            Payload::Bytes(bytes) => head.push_str(&format!("Content-Length: {}\r\n", bytes.len())),
            Payload::Announced(n) => head.push_str(&format!("Content-Length: {n}\r\n")),
            Payload::Chunked(_) => head.push_str("Transfer-Encoding: chunked\r\n"),
        }
        head.push_str("\r\n");
        head.into_bytes()
    }
}

/// The server's answer.
pub struct Answer {
    /// HTTP status.
    pub status: u16,
    /// The body (what arrived of it, when the server reset the connection after answering).
    pub body: Vec<u8>,
    /// From connecting to the last byte of the answer.
    pub elapsed: Duration,
}

impl Answer {
    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body as JSON (`null` when it is not JSON).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_default()
    }
}

/// Sends `request` to `addr` (`127.0.0.1:port`) and waits at most `timeout` between bytes
/// of the answer.
pub fn send(addr: &str, request: Request, timeout: Duration) -> anyhow::Result<Answer> {
    let started = Instant::now();
    let stream = TcpStream::connect(addr).with_context(|| format!("connecting to {addr}"))?;
    stream.set_nodelay(true)?;
    stream.set_read_timeout(Some(timeout))?;
    let mut writer = stream.try_clone()?;
    // The body goes out from a thread of its own, so that an answer given before the body is
    // read is read at once; the writer's error once the server has hung up is expected.
    let sending = thread::spawn(move || write_request(&mut writer, &request));
    let received = read_answer(&stream, started);
    // Unblocks a writer still sending into a server that has stopped reading.
    let _ = stream.shutdown(Shutdown::Both);
    let sent = sending.join();
    match (received, sent) {
        (Ok(answer), _) => Ok(answer),
        (Err(e), Ok(Err(write))) => Err(e.context(format!("sending failed too: {write}"))),
        (Err(e), _) => Err(e),
    }
}

fn write_request(out: &mut TcpStream, request: &Request) -> io::Result<()> {
    out.write_all(&request.head())?;
    match &request.payload {
        Payload::Empty | Payload::Announced(_) => {}
        Payload::Bytes(bytes) => out.write_all(bytes)?,
        Payload::Chunked(total) => {
            let block = b"0\n".repeat(CHUNK / 2);
            out.write_all(b"2\r\na\n\r\n")?;
            let mut left = *total;
            while left > 0 {
                let n = left.min(CHUNK as u64) as usize;
                write!(out, "{n:x}\r\n")?;
                out.write_all(&block[..n])?;
                out.write_all(b"\r\n")?;
                left -= n as u64;
            }
            out.write_all(b"0\r\n\r\n")?;
        }
    }
    out.flush()
}

/// Reads until the announced length of the answer's body is in, or the server closes.
fn read_answer(mut stream: &TcpStream, started: Instant) -> anyhow::Result<Answer> {
    let mut data = Vec::new();
    let mut buffer = vec![0u8; 64 << 10];
    loop {
        if let Some(answer) = parse(&data, false, started)? {
            return Ok(answer);
        }
        match stream.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => data.extend_from_slice(&buffer[..n]),
            // A server that answers before reading the body may reset the connection right
            // after its answer; what arrived of the answer stands.
            Err(e) if e.kind() == io::ErrorKind::ConnectionReset => break,
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                bail!(
                    "no answer after {:.1} s ({} bytes of it received)",
                    started.elapsed().as_secs_f64(),
                    data.len()
                )
            }
            Err(e) => return Err(e).context("reading the answer"),
        }
    }
    parse(&data, true, started)?.with_context(|| {
        format!(
            "the connection closed after {} bytes, before an answer",
            data.len()
        )
    })
}

/// The answer in `data` once it is complete (or, `at_end`, whatever of it arrived).
fn parse(data: &[u8], at_end: bool, started: Instant) -> anyhow::Result<Option<Answer>> {
    let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") else {
        return Ok(None);
    };
    let head = String::from_utf8_lossy(&data[..end]);
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse::<u16>().ok())
        .with_context(|| format!("not an HTTP answer: {head:?}"))?;
    let length = head.lines().find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.eq_ignore_ascii_case("content-length")
            .then(|| value.trim().parse::<usize>().ok())?
    });
    let body = &data[end + 4..];
    let complete = match length {
        Some(n) => body.len() >= n,
        None => false,
    };
    if !complete && !at_end {
        return Ok(None);
    }
    let body = length.map_or(body, |n| &body[..n.min(body.len())]);
    Ok(Some(Answer {
        status,
        body: body.to_vec(),
        elapsed: started.elapsed(),
    }))
}
