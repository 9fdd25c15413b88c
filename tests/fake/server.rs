//! What the fakes share: a hand-written HTTP/1.1 server on `127.0.0.1:0` that reads each
//! request, hands it to the vendor's router ([`Api`]) and logs it ([`Logged`]), one
//! connection at a time (`Connection: close`), as the client is sequential; and the
//! encodings the vendors' answers are made of (percent-decoding, base64, RFC 3339, the
//! forms of `Retry-After`).
#![allow(dead_code)] // each test binary uses part of it
#![allow(clippy::cast_possible_truncation, clippy::format_push_string)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// One request as received, and the status answered (0 for a reset).
#[derive(Debug, Clone)]
pub struct Logged {
    pub at: Instant,
    pub method: String,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub authorization: Option<String>,
    pub body: String,
    pub status: u16,
}

impl Logged {
    /// The first value of the query parameter `name`.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// An answer: status, headers and body.
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Answer {
    /// A JSON answer with the vendor's own `Content-Type` value.
    pub fn json(status: u16, content_type: &str, body: &str) -> Answer {
        Answer {
            status,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: body.to_owned(),
        }
    }
}

/// The form of a 429's `Retry-After`.
#[derive(Debug, Clone, Copy)]
pub enum RetryAfter {
    Seconds(u64),
    /// An HTTP-date this many seconds ahead.
    HttpDate(u64),
    /// An RFC 3339 instant this many seconds ahead (Zoom's daily limit).
    Rfc3339(u64),
    Missing,
}

impl RetryAfter {
    /// The header's value, from now; `None` for [`RetryAfter::Missing`].
    pub fn value(self) -> Option<String> {
        let at =
            |s: u64| chrono::Utc::now() + chrono::Duration::seconds(i64::try_from(s).unwrap_or(0));
        match self {
            RetryAfter::Seconds(s) => Some(s.to_string()),
            RetryAfter::HttpDate(s) => Some(at(s).format("%a, %d %b %Y %H:%M:%S GMT").to_string()),
            RetryAfter::Rfc3339(s) => Some(at(s).format("%Y-%m-%dT%H:%M:%SZ").to_string()),
            RetryAfter::Missing => None,
        }
    }
}

/// A fake vendor API: its state, behind the server's lock.
pub trait Api: Send + 'static {
    /// The answer to a request; `None` closes the connection without one (a reset).
    fn route(
        &mut self,
        method: &str,
        path: &str,
        query: &[(String, String)],
        authorization: Option<&str>,
        body: &str,
    ) -> Option<Answer>;
    /// Where requests are logged.
    fn log(&mut self) -> &mut Vec<Logged>;
    /// Time spent building answers (routing, filtering, JSON), for timings.
    fn busy(&mut self) -> &mut Duration;
    /// How far the server's clock is from this machine's, in seconds (its `Date` header).
    fn clock_offset(&self) -> i64 {
        0
    }
}

/// A running fake: its base URL and its state.
pub struct Server<A> {
    pub url: String,
    inner: Arc<Mutex<A>>,
}

impl<A: Api> Server<A> {
    /// Serve `api` on a free loopback port, on a thread of its own.
    pub fn serve(api: A) -> Server<A> {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let inner = Arc::new(Mutex::new(api));
        let shared = Arc::clone(&inner);
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(conn) = conn else { continue };
                serve_one(conn, &shared);
            }
        });
        Server { url, inner }
    }

    /// The fake's state, to inspect or change between requests.
    pub fn inner(&self) -> MutexGuard<'_, A> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

fn serve_one<A: Api>(mut conn: TcpStream, shared: &Mutex<A>) {
    let mut reader = BufReader::new(conn.try_clone().expect("clone"));
    let mut first = String::new();
    if reader.read_line(&mut first).is_err() {
        return;
    }
    let mut parts = first.split_whitespace();
    let method = parts.next().unwrap_or_default().to_owned();
    let target = parts.next().unwrap_or_default().to_owned();
    let mut authorization = None;
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            let k = k.trim().to_ascii_lowercase();
            if k == "authorization" {
                authorization = Some(v.trim().to_owned());
            } else if k == "content-length" {
                length = v.trim().parse().unwrap_or(0);
            }
        }
    }
    let mut body = vec![0u8; length];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    let body = String::from_utf8_lossy(&body).into_owned();
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let query = parse_query(query);
    let mut api = shared
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let started = Instant::now();
    let answer = api.route(&method, path, &query, authorization.as_deref(), &body);
    *api.busy() += started.elapsed();
    api.log().push(Logged {
        at: Instant::now(),
        method,
        path: path.to_owned(),
        query,
        authorization,
        body,
        status: answer.as_ref().map_or(0, |a| a.status),
    });
    let date = chrono::DateTime::from_timestamp(now_secs() + api.clock_offset(), 0).expect("time");
    drop(api);
    let Some(a) = answer else {
        return; // a reset: close without a word
    };
    let reason = match a.status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        429 => "Too Many Requests",
        503 => "Service Unavailable",
        _ => "Status",
    };
    // Every answer says the server's time, as the vendors' do.
    let mut out = format!(
        "HTTP/1.1 {} {reason}\r\nDate: {}\r\n",
        a.status,
        date.format("%a, %d %b %Y %H:%M:%S GMT")
    );
    for (k, v) in &a.headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        a.body.len()
    ));
    out.push_str(&a.body);
    let _ = conn.write_all(out.as_bytes());
    let _ = conn.flush();
}

/// `a=1&b=x%20y` as `[("a", "1"), ("b", "x y")]`.
pub fn parse_query(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|s| !s.is_empty())
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            (pct_decode(k), pct_decode(v))
        })
        .collect()
}

fn pct_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(if b[i] == b'+' { b' ' } else { b[i] });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Standard base64, padded.
pub fn b64(input: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in input.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= c.len() {
                out.push(char::from(ABC[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The current time in Unix seconds, for datasets in the recent past.
pub fn now_secs() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Unix seconds as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn rfc3339(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0)
        .expect("time")
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}
