//! The session of a Zoom pull: the Server-to-Server OAuth token (minted once, again near
//! its expiry or once on a 401) and the report requests, with Zoom's refusals turned into
//! [`PullError`]s that name the missing scope or role.

use std::time::{Duration, Instant};

use serde::Deserialize;

use super::{Config, LogKind, CLASSIC_SCOPE};
use crate::pull::http::{pct, without_query, Client, Request, Response};
use crate::pull::{Progress, PullError, Secret};

#[derive(Deserialize)]
struct Token {
    access_token: String,
    /// Read as any JSON value: an `expires_in` that is not a count of seconds (negative, a
    /// fraction, text) is as if missing, not a reason to refuse the token.
    #[serde(default)]
    expires_in: Option<serde_json::Value>,
}

/// The longest token lifetime taken from an answer: Zoom's last an hour; a longer one is
/// re-minted after a day (`expires_in` near 2⁶⁴ overflowed the clock and panicked: review
/// s43-h4 HIGH-3).
const LONGEST_TOKEN_LIFE: Duration = Duration::from_secs(86_400);

/// The lifetime an answer's `expires_in` gives a token: a whole number of seconds, at most
/// [`LONGEST_TOKEN_LIFE`]; an hour when it is missing, zero or not a count.
fn token_life(expires_in: Option<&serde_json::Value>) -> Duration {
    let secs = expires_in
        .and_then(serde_json::Value::as_u64)
        .filter(|s| *s > 0)
        .unwrap_or(3600);
    Duration::from_secs(secs).min(LONGEST_TOKEN_LIFE)
}

#[derive(Deserialize, Default)]
struct ZoomError {
    #[serde(default)]
    code: Option<i64>,
    #[serde(default)]
    message: Option<String>,
}

/// The answer to a report request.
pub(super) enum Answer {
    Page(Response),
    /// A 4xx to a request with a page token: the token expired.
    TokenExpired(String),
    /// A window's first page refused as a query Zoom will not serve (400, code 300): the
    /// error, for the caller to give or to try other dates (see `super::run`).
    Refused(PullError),
}

/// The running pull: client, credentials, the current access token.
pub(super) struct Session<'a> {
    pub(super) config: &'a Config,
    pub(super) client: &'a mut Client,
    /// `Basic base64(CLIENT_ID:SECRET)`.
    pub(super) basic: Secret,
    /// `Bearer TOKEN`.
    pub(super) bearer: Option<Secret>,
    /// When to mint the next one.
    pub(super) refresh_at: Instant,
    pub(super) minted: u64,
}

impl Session<'_> {
    fn secrets(&self) -> Vec<&Secret> {
        secrets_of(&self.config.secret, &self.basic, self.bearer.as_ref())
    }

    pub(super) fn mint(&mut self, progress: &mut dyn Progress) -> Result<(), PullError> {
        let base = self.config.oauth_base.trim_end_matches('/');
        let url = format!(
            "{base}/oauth/token?grant_type=account_credentials&account_id={}",
            pct(&self.config.account_id)
        );
        let req = Request {
            method: "POST",
            url,
            headers: vec![("Accept", "application/json".into())],
            authorization: Some(self.basic.clone()),
            body: None,
        };
        let secrets = secrets_of(&self.config.secret, &self.basic, self.bearer.as_ref());
        let resp = self.client.send(&req, &secrets, progress)?;
        let body = resp.body_excerpt(&self.secrets());
        if let Some(said) = resp.not_a_token_endpoint("--oauth-base", &body) {
            return Err(PullError::Api(format!(
                "POST {base}/oauth/token: {}: {said}",
                resp.status
            )));
        }
        match resp.status {
            200 => {}
            400..=499 => {
                return Err(PullError::Auth(format!(
                    "POST {base}/oauth/token: Zoom refused the app's credentials ({}): {body}; \
                     check --account-id, --client-id and the client secret of a \
                     Server-to-Server OAuth app, and that the app is activated",
                    resp.status
                )))
            }
            s => {
                return Err(PullError::Api(format!(
                    "POST {base}/oauth/token: {s}: {body}"
                )))
            }
        }
        let t: Token = serde_json::from_slice(&resp.body).map_err(|e| {
            PullError::Api(format!(
                "POST {base}/oauth/token: no access_token in the answer ({e})"
            ))
        })?;
        // Re-mint a little before expiry: 5 minutes, or half the lifetime of a short one.
        let life = token_life(t.expires_in.as_ref());
        let margin = Duration::from_secs(300).min(life / 2);
        self.refresh_at = Instant::now() + life.saturating_sub(margin);
        self.bearer = Some(Secret::new(format!("Bearer {}", t.access_token)));
        self.minted += 1;
        Ok(())
    }

    /// GET a report page. `paged`: the URL carries a page token.
    pub(super) fn get(
        &mut self,
        kind: LogKind,
        url: &str,
        paged: bool,
        progress: &mut dyn Progress,
    ) -> Result<Answer, PullError> {
        let mut reminted = false;
        loop {
            if self.bearer.is_none() || Instant::now() >= self.refresh_at {
                self.mint(progress)?;
            }
            let mut req = Request::get(url.to_owned());
            req.authorization.clone_from(&self.bearer);
            let secrets = secrets_of(&self.config.secret, &self.basic, self.bearer.as_ref());
            let resp = self.client.send(&req, &secrets, progress)?;
            if resp.status == 200 {
                return Ok(Answer::Page(resp));
            }
            let body = resp.body_excerpt(&self.secrets());
            let err: ZoomError = serde_json::from_slice(&resp.body).unwrap_or_default();
            // The URL requested, not the path meant: a base URL with a path shows in it.
            let what = format!("GET {}", without_query(url));
            match (resp.status, err.code) {
                // 4711: a token without the granular scopes ("does not contain scopes").
                (_, Some(4700 | 4711)) => {
                    return Err(PullError::Auth(format!(
                        "{what}: the app's token lacks a scope ({}): {body}; add the scope {} \
                         (or the classic {CLASSIC_SCOPE}) to the Server-to-Server OAuth app",
                        resp.status,
                        kind.scope()
                    )))
                }
                (400 | 403, Some(200)) | (403, _) => {
                    return Err(PullError::Auth(format!(
                        "{what}: permission refused ({}): {body}; the reports need a Pro plan \
                         or higher, and the app owner's role needs the view permissions \
                         \"Usage reports\" and \"{}\"",
                        resp.status,
                        kind.role_permission()
                    )))
                }
                (401, _) if !reminted => {
                    // The token may have expired early or been invalidated: mint once more.
                    reminted = true;
                    self.mint(progress)?;
                }
                (401, _) => {
                    return Err(PullError::Auth(format!(
                        "{what}: authentication refused (401) with a freshly minted token: \
                         {body}"
                    )))
                }
                (400..=499, _) if paged => return Ok(Answer::TokenExpired(body)),
                (status, _) => {
                    let said = resp.redirected("--api-base").unwrap_or_else(|| {
                        err.message
                            .map_or(body, |m| Secret::redact(&m, &self.secrets()))
                    });
                    let e = PullError::Api(format!("{what}: {status}: {said}"));
                    // 400 with code 300: Zoom's answer to a query it will not serve.
                    return match (status, err.code) {
                        (400, Some(300)) => Ok(Answer::Refused(e)),
                        _ => Err(e),
                    };
                }
            }
        }
    }
}

/// Every secret that could show up in a message: the client secret, the Basic header
/// value (its base64 holds the secret) and the access token.
fn secrets_of<'a>(
    secret: &'a Secret,
    basic: &'a Secret,
    bearer: Option<&'a Secret>,
) -> Vec<&'a Secret> {
    let mut v = vec![secret, basic];
    v.extend(bearer);
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_lifetimes() {
        let life = |v: serde_json::Value| token_life(Some(&v));
        assert_eq!(life(serde_json::json!(3599)), Duration::from_secs(3599));
        assert_eq!(life(serde_json::json!(u64::MAX)), LONGEST_TOKEN_LIFE);
        for odd in [
            serde_json::json!(-100),
            serde_json::json!(0),
            serde_json::json!(1.5e308),
            serde_json::json!("3599"),
            serde_json::Value::Null,
        ] {
            assert_eq!(life(odd.clone()), Duration::from_secs(3600), "{odd}");
        }
        assert_eq!(token_life(None), Duration::from_secs(3600));
    }
}
