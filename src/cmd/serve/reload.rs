//! Live reload over server-sent events, on the same port as the site.
//!
//! Each open browser tab holds one stream (`GET /__hindsight/events`) served by its own
//! thread. On connecting, a stream gets `event: hello` with the site's current
//! generation; after every rebuild that changed something, `event: reload` with the new
//! one. The page's script compares it with the generation it was served from, so a
//! reload that happened while the page was loading is not lost. A comment line every
//! few seconds detects closed tabs, whose threads then end.

use std::io::Write;
use std::sync::Mutex;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::Duration;

/// How often an idle stream is probed; a failed write ends its thread.
const KEEPALIVE: Duration = Duration::from_secs(10);

/// The set of open streams.
#[derive(Debug, Default)]
pub(crate) struct Broadcaster {
    clients: Mutex<Option<Vec<Sender<u64>>>>,
}

impl Broadcaster {
    pub(crate) fn new() -> Broadcaster {
        Broadcaster {
            clients: Mutex::new(Some(Vec::new())),
        }
    }

    /// A new stream's end of the channel. After `close`, the receiver is already closed.
    pub(crate) fn subscribe(&self) -> Receiver<u64> {
        let (sender, receiver) = mpsc::channel();
        if let Some(clients) = self
            .clients
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_mut()
        {
            clients.push(sender);
        }
        receiver
    }

    /// Tell every open stream that the site is now at `generation`; returns how many
    /// streams were told (closed ones are forgotten on the way).
    pub(crate) fn notify(&self, generation: u64) -> usize {
        let mut guard = self.clients.lock().unwrap_or_else(|e| e.into_inner());
        let Some(clients) = guard.as_mut() else {
            return 0;
        };
        clients.retain(|c| c.send(generation).is_ok());
        clients.len()
    }

    /// End every stream (server shutdown); later subscribers get a closed channel.
    pub(crate) fn close(&self) {
        self.clients
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
    }
}

/// Serve one event stream until the client goes away or the server closes.
pub(crate) fn stream(mut writer: Box<dyn Write + Send>, receiver: Receiver<u64>, generation: u64) {
    if write_event_stream_head(&mut writer).is_err() {
        return;
    }
    // `retry` makes the browser reconnect quickly after a server restart.
    if write_event(
        &mut writer,
        &format!("retry: 500\nevent: hello\ndata: {generation}\n\n"),
    )
    .is_err()
    {
        return;
    }
    loop {
        let message = match receiver.recv_timeout(KEEPALIVE) {
            Ok(generation) => format!("event: reload\ndata: {generation}\n\n"),
            Err(RecvTimeoutError::Timeout) => ": keep-alive\n\n".to_string(),
            Err(RecvTimeoutError::Disconnected) => return,
        };
        if write_event(&mut writer, &message).is_err() {
            return;
        }
    }
}

fn write_event(writer: &mut dyn Write, text: &str) -> std::io::Result<()> {
    writer.write_all(text.as_bytes())?;
    writer.flush()
}

/// Write the head of an event-stream response by hand: tiny_http would buffer a chunked
/// body, and events must leave at once.
pub(crate) fn write_event_stream_head(writer: &mut dyn Write) -> std::io::Result<()> {
    writer.write_all(
        b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nConnection: close\r\nX-Accel-Buffering: no\r\n\r\n",
    )?;
    writer.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notify_reaches_subscribers_and_forgets_closed_ones() {
        let b = Broadcaster::new();
        let r1 = b.subscribe();
        let r2 = b.subscribe();
        drop(r2);
        assert_eq!(b.notify(3), 1);
        assert_eq!(r1.try_recv(), Ok(3));
        b.close();
        assert!(r1.recv().is_err(), "closing ends the streams");
        assert!(b.subscribe().recv().is_err());
        assert_eq!(b.notify(4), 0);
    }

    #[derive(Clone, Default)]
    struct Sink(std::sync::Arc<Mutex<Vec<u8>>>);
    impl Write for Sink {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn stream_says_hello_then_reloads_until_closed() {
        let b = Broadcaster::new();
        let sink = Sink::default();
        let receiver = b.subscribe();
        b.notify(2);
        b.close();
        stream(Box::new(sink.clone()), receiver, 1);
        let text = String::from_utf8(sink.0.lock().unwrap().clone()).unwrap();
        assert!(
            text.starts_with("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"),
            "{text}"
        );
        assert!(
            text.ends_with(
                "\r\n\r\nretry: 500\nevent: hello\ndata: 1\n\nevent: reload\ndata: 2\n\n"
            ),
            "{text}"
        );
    }
}
