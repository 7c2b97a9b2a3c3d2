//! Which endpoint a request is for: the base path (with `{param}` segments), media types
//! (RFC 7644 §3.1, §8.1) and the method table of RFC 7644 §3.2.

use crate::error::ScimError;
use crate::explain::Explanation;
use crate::http::{self, Request, Response};
use crate::profile::types::base_path_prefix;

use super::{Failure, Server};

/// Where a request landed once the base path is stripped.
pub(super) struct Target<'p> {
    /// The base path as the client wrote it (or the profile's default), for `Location`.
    pub base: String,
    pub segments: Vec<&'p str>,
    pub query: Vec<(String, String)>,
}

/// One request as the handlers see it: the request, where it landed, the response media
/// type.
pub(super) struct Ctx<'r> {
    pub req: &'r Request,
    pub target: Target<'r>,
    pub media: &'static str,
}

impl Ctx<'_> {
    /// A query parameter by case-insensitive name.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.target.query.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// A write the router found: what [`Server::route`] runs under `&mut self`.
#[derive(Clone, Copy)]
enum WriteOp {
    Create,
    Replace,
    Patch,
    Delete,
}

/// What routing made of a request: served already (reads, refusals), or a write to run.
enum Routed<'r> {
    Done(Result<Response, Failure>),
    Write { op: WriteOp, kind: String, id: &'r str, cx: Ctx<'r> },
}

impl Server {
    /// RFC 7644 §3.1/§8.1: JSON media types in, `application/scim+json` (or the profile's
    /// default) out.
    pub(super) fn negotiate(&self, req: &Request) -> Result<&'static str, ScimError> {
        let strict = self.profile.behaviour.strict_media_types;
        let media = match http::negotiate(req.header_value("accept"), &self.profile.media.default_response) {
            Some(m) => m,
            None if strict => {
                return Err(ScimError::new(
                    406,
                    None,
                    format!(
                        "Accept {:?} allows no media type this server produces; use application/scim+json or application/json (RFC 7644 §8.1).",
                        req.header_value("accept").unwrap_or_default()
                    ),
                ));
            }
            None => http::SCIM_JSON,
        };
        if strict && !req.body.is_empty() {
            if let Some(ct) = req.header_value("content-type") {
                if !http::is_json_media_type(ct) {
                    return Err(ScimError::new(
                        415,
                        None,
                        format!(
                            "Content-Type {ct:?} is not accepted; send application/scim+json or application/json (RFC 7644 §3.1)."
                        ),
                    ));
                }
            }
        }
        Ok(media)
    }

    /// Matches the profile's base path (with `{param}` wildcards). A path without the base
    /// path is taken as relative to it, which keeps the playground's paths short.
    fn target<'p>(&self, path: &'p str) -> Target<'p> {
        let segs: Vec<&'p str> = path.split('/').filter(|s| !s.is_empty()).collect();
        match base_path_prefix(&self.profile.base_path, path) {
            Some(n) if n > 0 => Target {
                base: segs.iter().take(n).fold(String::with_capacity(path.len()), |mut b, s| {
                    b.push('/');
                    b.push_str(s);
                    b
                }),
                segments: segs.iter().skip(n).copied().collect(),
                query: vec![],
            },
            _ => {
                let filled: Vec<String> = self
                    .profile
                    .base_path
                    .split('/')
                    .filter(|s| !s.is_empty())
                    .map(|b| match b.strip_prefix('{').and_then(|x| x.strip_suffix('}')) {
                        Some(name) => {
                            self.profile.base_path_defaults.get(name).cloned().unwrap_or_else(|| name.to_string())
                        }
                        None => b.to_string(),
                    })
                    .collect();
                Target {
                    base: if filled.is_empty() { String::new() } else { format!("/{}", filled.join("/")) },
                    segments: segs,
                    query: vec![],
                }
            }
        }
    }

    pub(super) fn route(&mut self, req: &Request, media: &'static str) -> Result<Response, Failure> {
        // One routing pass: the write's kind, id and context come back from `classify`
        // instead of being worked out a second time.
        match self.classify(req, media) {
            Routed::Done(done) => done,
            Routed::Write { op, kind, id, cx } => match op {
                WriteOp::Create => self.create(&kind, &cx),
                WriteOp::Replace => self.replace(&kind, id, &cx),
                WriteOp::Patch => self.patch(&kind, id, &cx),
                WriteOp::Delete => self.delete(&kind, id, &cx).map_err(|e| (e, None)),
            },
        }
    }

    /// Routes every request that changes nothing (reads, and requests refused before any
    /// write); `None` for the writes [`Server::route`] serves.
    pub(super) fn route_read(&self, req: &Request, media: &'static str) -> Option<Result<Response, Failure>> {
        match self.classify(req, media) {
            Routed::Done(done) => Some(done),
            Routed::Write { .. } => None,
        }
    }

    /// Serves what changes nothing; names the write (operation, resource type, id, context)
    /// for everything else.
    fn classify<'r>(&self, req: &'r Request, media: &'static str) -> Routed<'r> {
        let (path, query) = req.split_path();
        let mut target = self.target(path);
        target.query = query;
        // RFC 9110 §9.1: method names are case-sensitive; `delete` is not `DELETE`.
        let method = req.method.as_str();
        let case_sensitive = self.profile.behaviour.case_sensitive_paths;
        if !case_sensitive {
            // `behaviour.caseSensitivePaths: false`: fixed endpoint names in any case.
            if let Some(first) = target.segments.first_mut() {
                let fixed = ["ServiceProviderConfig", "Schemas", "ResourceTypes", "Bulk", "Me"];
                if let Some(name) = fixed.iter().find(|n| n.eq_ignore_ascii_case(first)) {
                    *first = name;
                }
            }
        }
        let cx = Ctx { req, target, media };
        let plain = |e: ScimError| -> Failure { (e, None) };
        let segments = cx.target.segments.as_slice();
        // The resource type the first segment names, if any.
        let kind = segments.first().and_then(|endpoint| self.registry.kind_at_segment(endpoint, case_sensitive));
        // `resourceTypes[].methods`: a method the resource type does not support.
        if let (Some(k), [_, rest @ ..]) = (kind, segments) {
            let known = crate::profile::knobs::METHODS.contains(&method);
            if known && rest.len() <= 1 && !crate::quirks::allows(k, method) && rest.first() != Some(&".search") {
                let e = crate::quirks::unsupported_method(&self.profile.behaviour, k, method, !rest.is_empty());
                return Routed::Done(Err(plain(e)));
            }
        }
        let write = |op: WriteOp, kind: &crate::profile::registry::ResourceKind, id: &'r str, cx: Ctx<'r>| {
            Routed::Write { op, kind: kind.def.name.clone(), id, cx }
        };
        Routed::Done(match (segments, kind) {
            ([], _) => Err(plain(ScimError::not_found(format!(
                "No resource at the base path; try {}/Users, {0}/Groups or {0}/ServiceProviderConfig (RFC 7644 §3.2).",
                cx.target.base
            )))),
            ([_], Some(k)) => match method {
                "POST" => return write(WriteOp::Create, k, "", cx),
                "GET" => self.list(Some(&k.def.name), &cx).map_err(plain),
                _ => Err(plain(method_not_allowed(method, "GET, POST"))),
            },
            (&[_, id], Some(k)) => {
                if id == ".search" {
                    return Routed::Done(match method {
                        "POST" => self.search(Some(&k.def.name), &cx).map_err(plain),
                        _ => Err(plain(method_not_allowed(method, "POST"))),
                    });
                }
                match method {
                    "GET" => self.get(&k.def.name, id, &cx).map_err(plain),
                    "PUT" => return write(WriteOp::Replace, k, id, cx),
                    "PATCH" => return write(WriteOp::Patch, k, id, cx),
                    "DELETE" => return write(WriteOp::Delete, k, id, cx),
                    _ => Err(plain(method_not_allowed(method, "GET, PUT, PATCH, DELETE"))),
                }
            }
            (["ServiceProviderConfig" | "Schemas" | "ResourceTypes", ..], _) if segments.len() <= 2 => {
                self.discovery(method, segments, &cx).map_err(plain)
            }
            (["Bulk"], _) => Err(plain(not_implemented("Bulk operations (RFC 7644 §3.7)"))),
            (["Me"], _) => Err(plain(not_implemented("/Me (RFC 7644 §3.11)"))),
            ([".search"], _) => match method {
                "POST" => self.search(None, &cx).map_err(plain),
                _ => Err(plain(method_not_allowed(method, "POST"))),
            },
            _ => {
                let endpoints: Vec<String> =
                    self.registry.kinds.iter().map(|k| format!("{}{}", cx.target.base, k.def.endpoint)).collect();
                Err(plain(ScimError::not_found(format!(
                    "No endpoint at {path}; this server serves {} (RFC 7644 §3.2).",
                    endpoints.join(", ")
                ))))
            }
        })
    }

    /// `meta.location` and `Location`: absolute when the request names a host.
    pub(super) fn location(&self, cx: &Ctx<'_>, endpoint: &str, id: &str) -> String {
        let mut out = self.link_base(cx);
        out.reserve(endpoint.len() + 1 + id.len());
        out.push_str(endpoint);
        out.push('/');
        out.push_str(id);
        out
    }

    /// Origin (when the request names a host) and base path: what locations and `$ref`s
    /// start with.
    pub(super) fn link_base(&self, cx: &Ctx<'_>) -> String {
        let base = &cx.target.base;
        let mut out = match cx.req.header_value("host") {
            Some(h) if !h.is_empty() && !h.contains(['/', ' ']) => {
                let scheme = cx
                    .req
                    .header_value("x-forwarded-proto")
                    .filter(|p| *p == "https" || *p == "http")
                    .unwrap_or("http");
                let mut o = String::with_capacity(scheme.len() + 3 + h.len() + base.len() + 48);
                o.push_str(scheme);
                o.push_str("://");
                o.push_str(h);
                o
            }
            _ => String::with_capacity(base.len() + 48),
        };
        out.push_str(base);
        out
    }
}

/// The explanation a failed write keeps, for [`Failure`].
pub(super) fn failed(e: ScimError, expl: Explanation) -> Failure {
    (e, Some(expl))
}

fn not_implemented(what: &str) -> ScimError {
    ScimError::new(501, None, format!("{what} is not implemented by this server yet."))
}

pub(super) fn method_not_allowed(method: &str, allow: &str) -> ScimError {
    let upper = method.to_ascii_uppercase();
    let hint = if upper != method && allow.split(", ").any(|m| m == upper) {
        format!(" Method names are case-sensitive (RFC 9110 §9.1): send {upper}.")
    } else {
        String::new()
    };
    ScimError {
        allow: Some(allow.to_string()),
        ..ScimError::new(
            405,
            None,
            format!(
                "{} is not supported here; this endpoint allows {allow} (RFC 7644 §3.2).{hint}",
                crate::error::excerpt(method)
            ),
        )
    }
}
