//! An upload's body on its way from the front end's task that receives it to the blocking
//! thread that parses it, chunk by chunk through a bounded channel: a few chunks wait
//! between the two at most, so that a body is parsed as it arrives and never held whole.
//! The byte limit holds as the bytes arrive, and a client that stalls or breaks off gets an
//! error of its own, not a parse error about a cut-off body.

use std::fmt::Display;
use std::io::{self, Read};
use std::pin::pin;
use std::time::Duration;

use bytes::{Buf, Bytes};
use driftguard_core::DomainError;
use futures_util::future::{Either, select};
use futures_util::{Stream, StreamExt};
use tokio::sync::mpsc;

use crate::data::UploadData;

/// How long a body may send nothing before it is refused: nginx's `client_body_timeout`.
/// While it waits, the body holds an upload slot and a blocking thread.
pub const IDLE_LIMIT: Duration = Duration::from_secs(60);

/// Chunks in flight between the receiving task and the parser. actix hands out chunks of
/// up to 64 KiB or so: a quarter of a mebibyte waits at most, and the receiver keeps ahead
/// of a parser that reads 16 MiB blocks.
const CHUNKS_IN_FLIGHT: usize = 4;

/// What the receiving side sends.
#[derive(Debug)]
enum Piece {
    Chunk(Bytes),
    /// The body ended here, complete.
    End,
}

/// A channel for one body: the sending half for the task that receives it, the reading
/// half for the use case. `len` = the length the client announced, when it did.
pub fn channel(len: Option<u64>) -> (BodySender, BodyReader) {
    let (tx, rx) = mpsc::channel(CHUNKS_IN_FLIGHT);
    let reader = BodyReader {
        rx,
        current: Bytes::new(),
        len,
        ended: false,
    };
    (BodySender(tx), reader)
}

/// The receiving task's half.
#[derive(Debug)]
pub struct BodySender(mpsc::Sender<Piece>);

/// The reader has gone: the use case stopped reading (it failed, or finished without the
/// rest of the body), so the rest need not be received.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReaderGone;

impl BodySender {
    /// Hands over the next chunk, waiting while the parser is behind.
    pub async fn send(&self, chunk: Bytes) -> Result<(), ReaderGone> {
        if chunk.is_empty() {
            return Ok(());
        }
        self.0
            .send(Piece::Chunk(chunk))
            .await
            .map_err(|_| ReaderGone)
    }

    /// Says the body is complete. A sender dropped without it (a limit went past, the
    /// client's stream broke or stalled) makes the reader fail instead of taking what came
    /// as the whole body.
    pub async fn finish(self) {
        // A reader that has gone needs no end.
        let _ = self.0.send(Piece::End).await;
    }
}

/// The use case's half: the body as a [`Read`], to be read on a blocking thread (it
/// waits for the chunks).
#[derive(Debug)]
pub struct BodyReader {
    rx: mpsc::Receiver<Piece>,
    current: Bytes,
    len: Option<u64>,
    ended: bool,
}

impl BodyReader {
    /// The length the client announced, when it did.
    pub fn announced_len(&self) -> Option<u64> {
        self.len
    }
}

impl Read for BodyReader {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while self.current.is_empty() && !self.ended {
            match self.rx.blocking_recv() {
                Some(Piece::Chunk(chunk)) => self.current = chunk,
                Some(Piece::End) => self.ended = true,
                None => {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "the request body ended before it was complete",
                    ));
                }
            }
        }
        let n = out.len().min(self.current.len());
        out[..n].copy_from_slice(&self.current[..n]);
        self.current.advance(n);
        Ok(n)
    }
}

/// Why a body could not be received whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyError {
    /// More bytes than the limit.
    TooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// Nothing arrived for [`IDLE_LIMIT`].
    Stalled,
    /// The client's stream broke off; how.
    Broken(String),
}

/// What refused an upload read as it arrives.
#[derive(Debug)]
pub enum Refusal {
    /// Its body: the front end answers in its own words (a 413, a 408, a 400).
    Body(BodyError),
    /// The use case.
    UseCase(DomainError),
}

/// Runs `use_case` on a body as it arrives from `body` (at most `limit` bytes; `announced`
/// = the length the client announced), receiving it beside the use case: the use case
/// parses on a blocking thread what this task receives. A body that fails is the answer,
/// whatever the use case made of the part it got; a use case that stops reading (it
/// failed, or found no such model) is the answer, and the rest of the body is not read.
pub async fn streamed<T, E: Display, F: Future<Output = Result<T, DomainError>>>(
    body: impl Stream<Item = Result<Bytes, E>>,
    announced: Option<u64>,
    limit: usize,
    use_case: impl FnOnce(UploadData) -> F,
) -> Result<T, Refusal> {
    streamed_within(body, announced, limit, IDLE_LIMIT, use_case).await
}

/// [`streamed`] with a body refused after `idle` without a byte.
async fn streamed_within<T, E: Display, F: Future<Output = Result<T, DomainError>>>(
    body: impl Stream<Item = Result<Bytes, E>>,
    announced: Option<u64>,
    limit: usize,
    idle: Duration,
    use_case: impl FnOnce(UploadData) -> F,
) -> Result<T, Refusal> {
    let (sender, reader) = channel(announced);
    let work = pin!(use_case(reader.into()));
    let receiving = pin!(receive(body, sender, limit, idle));
    match select(work, receiving).await {
        Either::Left((answer, _)) => answer.map_err(Refusal::UseCase),
        Either::Right((Ok(()), work)) => work.await.map_err(Refusal::UseCase),
        Either::Right((Err(e), _)) => Err(Refusal::Body(e)),
    }
}

/// Hands the chunks of `body` to `sender` until it ends, goes past `limit`, stalls (`idle`) or
/// breaks (the sender is then dropped without an end, so that the reader fails too), or
/// the reader goes.
async fn receive<E: Display>(
    body: impl Stream<Item = Result<Bytes, E>>,
    sender: BodySender,
    limit: usize,
    idle: Duration,
) -> Result<(), BodyError> {
    let mut body = pin!(body);
    let mut total = 0usize;
    loop {
        let next = tokio::time::timeout(idle, body.next())
            .await
            .map_err(|_| BodyError::Stalled)?;
        let Some(chunk) = next else {
            sender.finish().await;
            return Ok(());
        };
        let chunk = chunk.map_err(|e| BodyError::Broken(e.to_string()))?;
        total = total.saturating_add(chunk.len());
        if total > limit {
            return Err(BodyError::TooLarge { limit });
        }
        if sender.send(chunk).await.is_err() {
            return Ok(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(mut reader: BodyReader) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        reader.read_to_end(&mut out).map(|_| out)
    }

    #[test]
    fn chunks_read_back_in_order_and_an_unfinished_body_fails() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        let (sender, reader) = channel(Some(9));
        assert_eq!(reader.announced_len(), Some(9));
        let reading = std::thread::spawn(move || read_all(reader));
        runtime.block_on(async {
            for chunk in [&b"a,b"[..], b"", b"\n1,", b"2\n"] {
                sender
                    .send(Bytes::copy_from_slice(chunk))
                    .await
                    .expect("read");
            }
            sender.finish().await;
        });
        let read = reading.join().expect("no panic").expect("complete");
        assert_eq!(read, b"a,b\n1,2\n");

        let (sender, reader) = channel(None);
        let reading = std::thread::spawn(move || read_all(reader));
        runtime.block_on(async {
            sender
                .send(Bytes::from_static(b"a,b\n"))
                .await
                .expect("read");
            drop(sender);
        });
        let error = reading.join().expect("no panic").expect_err("cut short");
        assert_eq!(error.kind(), io::ErrorKind::UnexpectedEof);

        let (sender, reader) = channel(None);
        drop(reader);
        let sent = runtime.block_on(sender.send(Bytes::from_static(b"x")));
        assert_eq!(sent, Err(ReaderGone));
    }

    /// The use case of an evaluation: the rows of the data read.
    async fn rows(data: UploadData) -> Result<usize, DomainError> {
        let options = driftguard_stats::ParseOptions::default();
        crate::data::blocking(move || {
            crate::data::read(data, crate::DataFormat::Csv, &options).map(|d| d.rows())
        })
        .await
    }

    fn chunks(parts: &[&'static [u8]]) -> impl Stream<Item = Result<Bytes, String>> + use<> {
        let parts: Vec<_> = parts.iter().map(|p| Ok(Bytes::from_static(p))).collect();
        futures_util::stream::iter(parts)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_body_is_parsed_as_it_arrives_within_its_limit() {
        let body = [&b"a,b\n1,"[..], b"2\n3,4", b"\n"];
        let read = streamed(chunks(&body), Some(12), 12, rows).await;
        assert_eq!(read.expect("read"), 2);
        let over = streamed(chunks(&body), None, 11, rows).await;
        assert!(
            matches!(over, Err(Refusal::Body(BodyError::TooLarge { limit: 11 }))),
            "{over:?}"
        );
        let broken = chunks(&body[..1]).chain(futures_util::stream::iter([Err("reset".into())]));
        let broken = streamed(broken, None, 100, rows).await;
        assert!(
            matches!(&broken, Err(Refusal::Body(BodyError::Broken(m))) if m == "reset"),
            "{broken:?}"
        );
        let bad = streamed(chunks(&[&b"a,b\n1,2,3\n"[..]]), None, 100, rows).await;
        assert!(
            matches!(bad, Err(Refusal::UseCase(DomainError::Invalid { .. }))),
            "{bad:?}"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_stalled_body_is_refused_and_a_use_case_that_stops_reading_answers() {
        let stalled = chunks(&[&b"a,b\n"[..]]).chain(futures_util::stream::pending());
        let idle = Duration::from_millis(50);
        let answer = streamed_within(stalled, None, 100, idle, rows).await;
        assert!(
            matches!(answer, Err(Refusal::Body(BodyError::Stalled))),
            "{answer:?}"
        );
        // A body that never ends, to a use case that answers without reading it.
        let endless = futures_util::stream::pending::<Result<Bytes, String>>();
        let missing =
            |_data: UploadData| async { Err::<(), _>(DomainError::NotFound("no model".into())) };
        let answer = streamed(endless, None, 100, missing).await;
        assert!(
            matches!(answer, Err(Refusal::UseCase(DomainError::NotFound(_)))),
            "{answer:?}"
        );
    }
}
