//! Authentication as a profile describes it (`auth`): none, `Authorization: Bearer <token>`
//! (Ping), or a bare credential in a header (Veeva's `Authorization: {SESSION_ID}`).
//!
//! Checked before anything else in [`crate::Server::handle`], and only when the profile
//! configures a token or secret: built-in profiles document the vendor's scheme without
//! making every playground request carry a credential.

use crate::error::ScimError;
use crate::http::{self, Request, Response};
use crate::profile::types::{Auth, Profile};

/// RFC 7644 §2: authentication is the deployment's choice; the profile's `auth` says
/// which scheme, and it is checked only when a credential is configured. A failure is a
/// 401 with `WWW-Authenticate` (RFC 9110 §11.6.1) and a SCIM error body (RFC 7644 §3.12).
pub(crate) fn check(profile: &Profile, req: &Request) -> Result<(), Response> {
    if !profile.auth.is_enforced() {
        return Ok(());
    }
    let media = http::negotiate(req.header_value("accept"), &profile.media.default_response).unwrap_or(http::SCIM_JSON);
    let (challenge, detail) = match &profile.auth {
        Auth::Bearer { token: Some(token) } => {
            let sent = req.header_value("authorization").map(str::trim);
            let given = sent.and_then(|v| {
                let (scheme, rest) = v.split_once(' ')?;
                scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim())
            });
            match (sent, given) {
                (_, Some(t)) if same_secret(t, token) => return Ok(()),
                (None, _) => (
                    r#"Bearer realm="SCIM""#.to_string(),
                    r#"This service requires "Authorization: Bearer <token>" (RFC 6750 §2.1); the request has no Authorization header."#.to_string(),
                ),
                (Some(_), None) => (
                    r#"Bearer realm="SCIM", error="invalid_request""#.to_string(),
                    r#"The Authorization header must be "Bearer <token>" (RFC 6750 §2.1)."#.to_string(),
                ),
                (Some(_), Some(_)) => (
                    r#"Bearer realm="SCIM", error="invalid_token""#.to_string(),
                    "The bearer token is not valid for this service (RFC 6750 §3.1); send the token it was configured with (the profile's auth.token, or the native server's --token).".to_string(),
                ),
            }
        }
        Auth::RawHeader { header, secret: Some(secret), challenge } => {
            let challenge = challenge.clone().unwrap_or_else(|| r#"Session realm="SCIM""#.to_string());
            match req.header_value(header).map(str::trim) {
                Some(v) if same_secret(v, secret) => return Ok(()),
                None => (
                    challenge,
                    format!(
                        r#"This service requires the session id in the {header} header ("{header}: <session id>"); the request has none."#
                    ),
                ),
                Some(_) => (
                    challenge,
                    format!(
                        "The session id in the {header} header is not valid for this service; check the profile's auth.secret."
                    ),
                ),
            }
        }
        _ => return Ok(()),
    };
    Err(Response {
        status: 401,
        headers: vec![("Content-Type".into(), media.into()), ("WWW-Authenticate".into(), challenge)],
        body: ScimError::new(401, None, detail).to_json().to_string(),
        ..Response::default()
    })
}

/// Compares a presented credential with the configured one in time that depends only on the
/// presented one's length: every presented byte is compared (with the configured bytes
/// repeated), so neither the position of the first difference nor the configured
/// credential's length shows in how long the answer takes.
fn same_secret(given: &str, want: &str) -> bool {
    let (given, want) = (given.as_bytes(), want.as_bytes());
    // A length difference is folded in as data, not as an early return.
    let mut diff = u8::from(given.len() != want.len());
    let cycled = want.iter().cycle();
    for (x, y) in given.iter().zip(cycled) {
        diff |= std::hint::black_box(x ^ y);
    }
    // An empty configured credential never matches (the profile refuses one anyway).
    diff |= u8::from(want.is_empty());
    std::hint::black_box(diff) == 0
}

#[cfg(test)]
mod tests {
    use super::same_secret;

    #[test]
    fn only_the_same_secret_matches() {
        assert!(same_secret("s3cret", "s3cret"));
        for given in ["", "s", "s3cre", "s3cret ", "s3cres", "S3cret", "s3crets3cret", "s3crets3cre"] {
            assert!(!same_secret(given, "s3cret"), "{given:?}");
        }
        assert!(!same_secret("", ""), "an empty credential never matches");
        assert!(!same_secret("x", ""));
    }
}
