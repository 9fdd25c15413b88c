//! The session of a Zendesk pull: the `Authorization` value (an API token, a bearer token,
//! or an OAuth token minted with client credentials, again once on a 401) and the page
//! requests, with Zendesk's refusals turned into [`PullError`]s that say what to check.

use serde::Deserialize;

use super::{Auth, Config, SCOPE};
use crate::pull::http::{base64, without_query, Client, Request, Response};
use crate::pull::{Progress, PullError, Secret};

/// The answer of `/oauth/tokens` (other fields, such as `expires_in`, are not relied on:
/// a 401 re-mints).
#[derive(Deserialize)]
struct Token {
    access_token: String,
}

/// The running pull: client, credentials, the current access token.
pub(super) struct Session<'a> {
    pub(super) config: &'a Config,
    pub(super) client: &'a mut Client,
    /// The value of the `Authorization` header.
    pub(super) authorization: Option<Secret>,
}

impl Session<'_> {
    /// Every secret that could show up in a message.
    fn secrets(&self) -> Vec<&Secret> {
        secrets_of(self.config, self.authorization.as_ref())
    }

    pub(super) fn base(&self) -> &str {
        self.config.base_url.trim_end_matches('/')
    }

    /// Set the `Authorization` header value (minting an OAuth token when needed).
    pub(super) fn authenticate(&mut self, progress: &mut dyn Progress) -> Result<(), PullError> {
        let value = match &self.config.auth {
            Auth::Token { email, token } => Secret::new(format!(
                "Basic {}",
                base64(format!("{email}/token:{}", token.expose()).as_bytes())
            )),
            Auth::Bearer(t) => Secret::new(format!("Bearer {}", t.expose())),
            Auth::ClientCredentials {
                client_id,
                secret,
                scope,
            } => {
                let body = serde_json::json!({
                    "grant_type": "client_credentials",
                    "client_id": client_id,
                    "client_secret": secret.expose(),
                    "scope": scope,
                });
                let req = Request {
                    method: "POST",
                    url: format!("{}/oauth/tokens", self.base()),
                    headers: vec![("Accept", "application/json".into())],
                    authorization: None,
                    body: Some(("application/json", body.to_string().into_bytes())),
                };
                let secrets = secrets_of(self.config, self.authorization.as_ref());
                let resp = self.client.send(&req, &secrets, progress)?;
                let body = || resp.body_excerpt(&self.secrets());
                if let Some(said) =
                    resp.not_a_token_endpoint("--subdomain (or --base-url)", &body())
                {
                    return Err(PullError::Api(format!(
                        "POST {}/oauth/tokens: {}: {said}",
                        self.base(),
                        resp.status
                    )));
                }
                if resp.status != 200 && resp.status != 201 {
                    let body = body();
                    return Err(PullError::Auth(format!(
                        "POST {}/oauth/tokens: the OAuth client was refused ({}): {body}; check \
                         --client-id, the client secret, and that the client may request the \
                         scope {scope}",
                        self.base(),
                        resp.status
                    )));
                }
                let t: Token = serde_json::from_slice(&resp.body).map_err(|e| {
                    PullError::Api(format!(
                        "POST {}/oauth/tokens: no access_token in the answer ({e})",
                        self.base()
                    ))
                })?;
                Secret::new(format!("Bearer {}", t.access_token))
            }
        };
        self.authorization = Some(value);
        Ok(())
    }

    /// GET one page; 401/403 become [`PullError::Auth`], other non-200 answers
    /// [`PullError::Api`].
    pub(super) fn get(
        &mut self,
        url: &str,
        progress: &mut dyn Progress,
    ) -> Result<Response, PullError> {
        let mut reminted = false;
        loop {
            let mut req = Request::get(url.to_owned());
            req.authorization.clone_from(&self.authorization);
            let secrets = secrets_of(self.config, self.authorization.as_ref());
            let resp = self.client.send(&req, &secrets, progress)?;
            let body = || resp.body_excerpt(&self.secrets());
            match resp.status {
                200 => return Ok(resp),
                401 if !reminted && matches!(self.config.auth, Auth::ClientCredentials { .. }) => {
                    // The token may have expired: mint another, once.
                    reminted = true;
                    self.authenticate(progress)?;
                }
                401 => {
                    let how = match &self.config.auth {
                        Auth::Token { .. } => {
                            "check --email and the API token (Zendesk retires API tokens on \
                             2027-04-30: prefer OAuth client credentials)"
                        }
                        Auth::ClientCredentials { .. } => "the freshly minted token was refused",
                        Auth::Bearer(_) => "the bearer token is invalid or expired",
                    };
                    return Err(PullError::Auth(format!(
                        "GET {}: authentication refused (401): {}; {how}",
                        without_query(url),
                        body()
                    )));
                }
                403 => {
                    return Err(PullError::Auth(format!(
                        "GET {}: permission refused (403): {}; reading audit logs needs an admin \
                         of an account on the Enterprise plan (audit log access), and with \
                         OAuth the scope {SCOPE}",
                        without_query(url),
                        body()
                    )))
                }
                status => {
                    let said = match (
                        status,
                        resp.redirected("--base-url (in place of --subdomain)"),
                    ) {
                        (_, Some(redirect)) => redirect,
                        (404, None) => format!(
                            "{}; is the subdomain right, and is the account on the Enterprise \
                             plan?",
                            body()
                        ),
                        _ => body(),
                    };
                    // The URL requested, not the path meant: a base URL with a path shows in it.
                    return Err(PullError::Api(format!(
                        "GET {}: {status}: {said}",
                        without_query(url)
                    )));
                }
            }
        }
    }
}

/// The secrets of `config`, and the current `Authorization` value.
fn secrets_of<'a>(config: &'a Config, authorization: Option<&'a Secret>) -> Vec<&'a Secret> {
    let mut v: Vec<&Secret> = Vec::new();
    match &config.auth {
        Auth::Token { token, .. } => v.push(token),
        Auth::ClientCredentials { secret, .. } => v.push(secret),
        Auth::Bearer(t) => v.push(t),
    }
    v.extend(authorization);
    v
}
