//! One try of a request on the wire: the request built, sent, and its answer read (up to
//! [`MAX_BODY_BYTES`]), as a [`Try`] that the client's retry rules judge.

use super::{Request, Response};

/// A single try's outcome.
pub(super) enum Try {
    Answer(Response),
    /// A network error: its description.
    Failed(String),
    /// What another try would meet again: an answer over the size limit, a request that
    /// cannot be made (a URL too long). Not retried: the same 64 MiB were downloaded once
    /// per try (review s43-h4 LOW-4).
    Refused(String),
}

/// The largest answer body read.
pub(super) const MAX_BODY_BYTES: u64 = 64 << 20;

/// One try of `req` with `agent`.
pub(super) fn try_request(agent: &ureq::Agent, req: &Request) -> Try {
    let mut builder = ureq::http::Request::builder()
        .method(req.method)
        .uri(&req.url);
    for (name, value) in &req.headers {
        builder = builder.header(*name, value);
    }
    if let Some(auth) = &req.authorization {
        builder = builder.header("Authorization", auth.expose());
    }
    let result = match &req.body {
        Some((ctype, body)) => builder
            .header("Content-Type", *ctype)
            .body(body.clone())
            .map_err(|e| Try::Refused(format!("the request cannot be made: {e}")))
            .and_then(|r| agent.run(r).map_err(|e| Try::Failed(describe(&e)))),
        None => builder
            .body(())
            .map_err(|e| Try::Refused(format!("the request cannot be made: {e}")))
            .and_then(|r| agent.run(r).map_err(|e| Try::Failed(describe(&e)))),
    };
    let mut resp = match result {
        Ok(r) => r,
        Err(e) => return e,
    };
    let status = resp.status().as_u16();
    let headers = resp
        .headers()
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_ascii_lowercase(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    match resp
        .body_mut()
        .with_config()
        .limit(MAX_BODY_BYTES)
        .read_to_vec()
    {
        Ok(body) => Try::Answer(Response {
            status,
            headers,
            body,
        }),
        Err(ureq::Error::BodyExceedsLimit(_)) => Try::Refused(format!(
            "the answer (status {status}) is larger than {} MiB, the most a page is read to",
            MAX_BODY_BYTES >> 20
        )),
        Err(e) => Try::Failed(format!("reading the answer: {}", describe(&e))),
    }
}

/// A network error in words (ureq's own text; it holds no header value).
fn describe(e: &ureq::Error) -> String {
    match e {
        // The user knows the flag, not the client's name for the timer (`global`).
        ureq::Error::Timeout(ureq::Timeout::Global) => {
            "no whole answer within --request-timeout".to_owned()
        }
        ureq::Error::Timeout(ureq::Timeout::Connect) => {
            "no connection within the connect timeout".to_owned()
        }
        ureq::Error::Timeout(t) => format!("timed out ({t})"),
        ureq::Error::Io(io) => format!("network error: {io}"),
        other => other.to_string(),
    }
}
