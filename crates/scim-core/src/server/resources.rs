//! One resource at a time: create (RFC 7644 §3.3), read (§3.4.1), replace (§3.5.1),
//! patch (§3.5.2) and delete (§3.6), with versions and preconditions (§3.14). The rules of
//! a write live in [`crate::replace`] and [`crate::patch`]; this file runs them against the
//! store and shapes the response.

use serde_json::{Map, Value};

use crate::clock::IdState;
use crate::error::ScimError;
use crate::explain::{Explanation, Outcome};
use crate::groups;
use crate::http::Response;
use crate::json::Node;
use crate::patch;
use crate::profile::registry::ResourceKind;
use crate::profile::types::{DeleteMode, IdStyle, IfMatchUnversioned, PatchResponse};
use crate::project::Projection;
use crate::replace::{self, Mode, Target};
use crate::resource::{Resource, Stamp, Written, assemble, etag_matches, meta_str, revision, same_content, touch};
use crate::store::Store;
use crate::time::format_millis;
use crate::value::field;

use super::routing::{Ctx, failed};
use super::{Failure, Server, lookup_kind};

/// What PUT and PATCH have checked before their engines run (each then parses its body).
struct Update<'s> {
    kind: &'s ResourceKind,
    expl: Explanation,
    proj: Projection,
    old: &'s Resource,
}

impl Server {
    /// A fresh explanation for a write, or one that records nothing when explaining is off.
    fn explanation(&self, operation: impl FnOnce() -> String) -> Explanation {
        if self.explain { Explanation::new(operation(), self.profile.name.clone()) } else { Explanation::off() }
    }

    pub(super) fn parse_body(cx: &Ctx<'_>) -> Result<Value, ScimError> {
        crate::json::parse_body(Self::body_text(cx)?)
    }

    /// [`Server::parse_body`] for the write path: a [`Node`] borrowing from the request.
    fn parse_node<'c>(cx: &'c Ctx<'_>) -> Result<Node<'c>, ScimError> {
        crate::json::parse_node(Self::body_text(cx)?)
    }

    /// The request body as text: not empty, UTF-8.
    fn body_text<'c>(cx: &'c Ctx<'_>) -> Result<&'c str, ScimError> {
        let body = &cx.req.body;
        if body.iter().all(u8::is_ascii_whitespace) {
            return Err(ScimError::invalid_syntax(
                "The request body is empty; send a JSON object (RFC 7644 §3.3, §3.5.1).",
            ));
        }
        std::str::from_utf8(body).map_err(|e| {
            ScimError::invalid_syntax(format!(
                "The request body is not valid UTF-8 (byte {}); SCIM bodies are UTF-8 JSON (RFC 7644 §3.1, RFC 8259 §8.1).",
                e.valid_up_to()
            ))
        })
    }

    fn projection(kind: &ResourceKind, cx: &Ctx<'_>) -> Result<Projection, ScimError> {
        Projection::parse(kind, cx.param("attributes"), cx.param("excludedAttributes"))
    }

    fn etag(&self, r: &Resource) -> Option<String> {
        if !self.profile.behaviour.versioning {
            return None;
        }
        meta_str(r, "version").map(str::to_string)
    }

    /// The resource as a client sees it, with headers.
    fn resource_response(
        &self,
        status: u16,
        kind: &ResourceKind,
        r: &Resource,
        cx: &Ctx<'_>,
        proj: &Projection,
    ) -> Response {
        let id = field(r, "id").and_then(Value::as_str).unwrap_or_default();
        let location = self.location(cx, &kind.def.endpoint, id);
        let needs_decoration = groups::is_group(kind)
            || (groups::is_user(kind)
                && self.registry.kinds.iter().any(|k| groups::is_group(k) && self.store.len(&k.def.name) > 0));
        let plain = proj.is_default() && kind.plain_render && kind.def.never_returned.is_empty();
        let body = if plain && !needs_decoration {
            render_plain(kind, r, &location)
        } else {
            let mut shown = r.clone();
            if needs_decoration {
                let memberships = groups::Memberships::build(&self.store, &self.registry);
                memberships.decorate(&self.store, &self.registry, kind, &mut shown, &self.link_base(cx));
            }
            crate::quirks::strip_never_returned(kind, &mut shown);
            if let Some(Value::Object(meta)) = shown.get_mut("meta") {
                meta.insert("location".into(), Value::String(location.clone()));
            }
            serde_json::to_string(&proj.render(kind, &shown)).unwrap_or_default()
        };
        let mut headers = vec![("Content-Type".to_string(), cx.media.to_string())];
        if status == 201 || status == 200 {
            headers.push(("Location".into(), location));
        }
        if let Some(tag) = self.etag(r) {
            headers.push(("ETag".into(), tag));
        }
        Response { status, headers, body, ..Response::default() }
    }

    pub(super) fn get(&self, kind_name: &str, id: &str, cx: &Ctx<'_>) -> Result<Response, ScimError> {
        let kind = self.kind(kind_name)?;
        let proj = Self::projection(kind, cx)?;
        let r = self.visible(kind_name, id).ok_or_else(|| not_found(kind, id))?;
        if let (Some(tag), Some(inm)) = (self.etag(r), cx.req.header_value("if-none-match")) {
            if etag_matches(inm, &tag) {
                return Ok(Response { status: 304, headers: vec![("ETag".into(), tag)], ..Response::default() });
            }
        }
        Ok(self.resource_response(200, kind, r, cx, &proj))
    }

    /// A stored resource, unless it is deactivated and the profile answers 404 for those
    /// (`behaviour.deactivated: notFound`).
    fn visible(&self, kind_name: &str, id: &str) -> Option<&Resource> {
        self.store.get(kind_name, id).filter(|r| !crate::quirks::hidden(&self.profile.behaviour, r))
    }

    /// RFC 7644 §3.14: `If-Match` must name the current version (`*` matches any). Without
    /// versioning the header is ignored, or a 412 (`behaviour.ifMatchUnversioned: reject`).
    fn check_if_match(&self, cx: &Ctx<'_>, current: &Resource) -> Result<(), ScimError> {
        let b = &self.profile.behaviour;
        if let (false, IfMatchUnversioned::Reject, Some(im)) =
            (b.versioning, b.if_match_unversioned, cx.req.header_value("if-match"))
        {
            if im.trim() != "*" {
                return Err(ScimError::new(
                    412,
                    None,
                    format!(
                        "If-Match {im} cannot match: this service does not version resources (no ETags); send the request without If-Match (RFC 7644 §3.14)."
                    ),
                ));
            }
        }
        let (Some(tag), Some(im)) = (self.etag(current), cx.req.header_value("if-match")) else {
            return Ok(());
        };
        if etag_matches(im, &tag) {
            Ok(())
        } else {
            Err(ScimError::new(
                412,
                None,
                format!(
                    "If-Match {im} does not match the current version {tag}; GET the resource again and retry with its ETag (RFC 7644 §3.14)."
                ),
            ))
        }
    }

    pub(super) fn create(&mut self, kind_name: &str, cx: &Ctx<'_>) -> Result<Response, Failure> {
        let kind = lookup_kind(&self.registry, kind_name).map_err(|e| (e, None))?;
        let mut expl = self.explanation(|| format!("POST {}", kind.def.endpoint));
        let proj = Self::projection(kind, cx).map_err(|e| (e, None))?;
        let body = Self::parse_node(cx).map_err(|e| (e, None))?;
        let mut written =
            match replace::apply(kind, &self.profile.behaviour, Target::new_resource(Mode::Create), &body, &mut expl) {
                Ok(w) => w,
                Err(e) => return Err(failed(e, expl)),
            };
        if let Err(e) = crate::quirks::check_max_values(kind, &written.attributes)
            .and_then(|()| crate::quirks::member_changes(kind, None, &written.attributes))
        {
            return Err(failed(e, expl));
        }
        for path in crate::quirks::rebuild_refs(kind, &mut written.attributes) {
            expl.notes
                .push(format!("{path} was rebuilt from the value (resourceTypes.{}.refTemplates).", kind.def.name));
        }
        if groups::is_group(kind) {
            if let Err(e) = groups::check_members(&self.store, &self.registry, None, &mut written.attributes, &mut expl)
            {
                return Err(failed(e, expl));
            }
        }
        if let Some((attr, other)) = self.store.unique_conflict(kind_name, &written.attributes, None) {
            expl.push(
                attr.clone(),
                Outcome::RejectedUniqueness,
                None,
                written.attributes.get(&attr),
                "RFC 7643 §7 uniqueness",
            );
            return Err(failed(uniqueness_error(&attr, &written.attributes, &other), expl));
        }
        let id = match new_id(&mut self.ids, &mut self.store, &self.profile.id_style, kind_name) {
            Ok(id) => id,
            Err(e) => return Err(failed(e, expl)),
        };
        let now = format_millis(self.time.now());
        let version = self.profile.behaviour.versioning.then_some(1);
        let resource = assemble(kind, written, &id, Stamp { created: &now, modified: &now, version });
        let mut resp = self.resource_response(201, kind, &resource, cx, &proj);
        self.put_resource(kind_name, &id, resource);
        resp.explanation = Some(expl);
        resp.changed = true;
        Ok(resp)
    }

    /// What PUT and PATCH check before their engines run: the resource exists, `If-Match`
    /// names its version (RFC 7644 §3.14), the projection parses.
    fn update_prologue(&self, method: &str, kind_name: &str, id: &str, cx: &Ctx<'_>) -> Result<Update<'_>, Failure> {
        let kind = lookup_kind(&self.registry, kind_name).map_err(|e| (e, None))?;
        let expl = self.explanation(|| format!("{method} {}/{{id}}", kind.def.endpoint));
        let proj = Self::projection(kind, cx).map_err(|e| (e, None))?;
        let old = self.visible(kind_name, id).ok_or_else(|| (not_found(kind, id), None))?;
        self.check_if_match(cx, old).map_err(|e| (e, None))?;
        Ok(Update { kind, expl, proj, old })
    }

    pub(super) fn replace(&mut self, kind_name: &str, id: &str, cx: &Ctx<'_>) -> Result<Response, Failure> {
        let Update { kind, mut expl, proj, old } = self.update_prologue("PUT", kind_name, id, cx)?;
        let mut body = Self::parse_node(cx).map_err(|e| (e, None))?;
        for name in crate::quirks::put_ignores(kind, old, &mut body) {
            expl.notes.push(format!(
                "{name} is accepted but not changed by a PUT on this service (resourceTypes.{}.putIgnores).",
                kind.def.name
            ));
        }
        let target = Target { mode: Mode::Replace, path_id: Some(id), old: Some(old) };
        let written = match replace::apply(kind, &self.profile.behaviour, target, &body, &mut expl) {
            Ok(w) => w,
            Err(e) => return Err(failed(e, expl)),
        };
        self.commit_update(kind_name, id, written, expl, cx, &proj)
    }

    /// PATCH `/{endpoint}/{id}`: RFC 7644 §3.5.2. Answers 200 with the resource, or 204
    /// (`behaviour.patchResponse: noContent`).
    pub(super) fn patch(&mut self, kind_name: &str, id: &str, cx: &Ctx<'_>) -> Result<Response, Failure> {
        let Update { kind, mut expl, proj, old } = self.update_prologue("PATCH", kind_name, id, cx)?;
        let body = Self::parse_body(cx).map_err(|e| (e, None))?;
        crate::quirks::check_patch_operations(kind, &self.profile.behaviour, &body).map_err(|e| (e, None))?;
        let written = match patch::apply(kind, &self.profile.behaviour, old, &body, &mut expl) {
            Ok(w) => w,
            Err(e) => return Err(failed(e, expl)),
        };
        let resp = self.commit_update(kind_name, id, written, expl, cx, &proj)?;
        Ok(match self.profile.behaviour.patch_response {
            PatchResponse::Resource => resp,
            PatchResponse::NoContent => Response { status: 204, headers: vec![], body: String::new(), ..resp },
            PatchResponse::EmptyObject => {
                let headers = vec![("Content-Type".to_string(), cx.media.to_string())];
                Response { status: 200, headers, body: "{}".into(), ..resp }
            }
        })
    }

    /// The end of every update (PUT, PATCH): group members checked, uniqueness (409),
    /// then stored with a new version and `meta.lastModified` unless nothing changed.
    fn commit_update(
        &mut self,
        kind_name: &str,
        id: &str,
        mut written: Written,
        mut expl: Explanation,
        cx: &Ctx<'_>,
        proj: &Projection,
    ) -> Result<Response, Failure> {
        let kind = lookup_kind(&self.registry, kind_name).map_err(|e| (e, None))?;
        let old = self.store.get(kind_name, id).ok_or_else(|| (not_found(kind, id), None))?;
        if let Err(e) = crate::quirks::check_max_values(kind, &written.attributes)
            .and_then(|()| crate::quirks::member_changes(kind, Some(old), &written.attributes))
        {
            return Err(failed(e, expl));
        }
        for path in crate::quirks::rebuild_refs(kind, &mut written.attributes) {
            expl.notes
                .push(format!("{path} was rebuilt from the value (resourceTypes.{}.refTemplates).", kind.def.name));
        }
        if groups::is_group(kind) {
            if let Err(e) =
                groups::check_members(&self.store, &self.registry, Some(id), &mut written.attributes, &mut expl)
            {
                return Err(failed(e, expl));
            }
        }
        if let Some((attr, other)) = self.store.unique_conflict(kind_name, &written.attributes, Some(id)) {
            expl.push(
                attr.clone(),
                Outcome::RejectedUniqueness,
                old.get(&attr),
                written.attributes.get(&attr),
                "RFC 7643 §7 uniqueness",
            );
            return Err(failed(uniqueness_error(&attr, &written.attributes, &other), expl));
        }
        if same_content(old, &written) {
            expl.notes.push("Nothing changed, so meta.lastModified and the version stay as they were.".into());
            let mut resp = self.resource_response(200, kind, old, cx, proj);
            resp.explanation = Some(expl);
            return Ok(resp);
        }
        let created = meta_str(old, "created").unwrap_or_default().to_string();
        let version = self.profile.behaviour.versioning.then(|| revision(old) + 1);
        let now = format_millis(self.time.now());
        let resource = assemble(kind, written, id, Stamp { created: &created, modified: &now, version });
        let mut resp = self.resource_response(200, kind, &resource, cx, proj);
        self.put_resource(kind_name, id, resource);
        resp.explanation = Some(expl);
        resp.changed = true;
        Ok(resp)
    }

    pub(super) fn delete(&mut self, kind_name: &str, id: &str, cx: &Ctx<'_>) -> Result<Response, ScimError> {
        let kind = self.kind(kind_name)?;
        let r = self.visible(kind_name, id).ok_or_else(|| not_found(kind, id))?;
        self.check_if_match(cx, r)?;
        // `behaviour.deleteMode: deactivate`: the resource stays, with `active: false`.
        if self.profile.behaviour.delete_mode == DeleteMode::Deactivate && kind.core.attribute("active").is_some() {
            if r.get("active") == Some(&Value::Bool(false)) {
                return Ok(Response { status: 204, ..Response::default() });
            }
            let mut r = r.clone();
            r.insert("active".into(), Value::Bool(false));
            touch(&mut r, &format_millis(self.time.now()), self.profile.behaviour.versioning);
            self.put_resource(kind_name, id, r);
            return Ok(Response { status: 204, changed: true, ..Response::default() });
        }
        // RFC 7643 §4.2: a deleted resource is no longer a member of any group.
        let touched = groups::without_member(&self.store, &self.registry, id);
        self.remove_resource(kind_name, id);
        if !touched.is_empty() {
            let now = format_millis(self.time.now());
            for (gk, gid, mut g) in touched {
                touch(&mut g, &now, self.profile.behaviour.versioning);
                self.put_resource(&gk, &gid, g);
            }
        }
        Ok(Response { status: 204, changed: true, ..Response::default() })
    }
}

/// A fresh id in the profile's style, not used by any resource of the type.
fn new_id(ids: &mut IdState, store: &mut Store, style: &IdStyle, kind_name: &str) -> Result<String, ScimError> {
    let id = match style {
        IdStyle::Uuid => {
            let mut id = ids.next_id();
            // Only a version 1 snapshot of a seeded server can hold ids ahead of the
            // sequence; skip them.
            let mut tries = 0;
            while store.contains(kind_name, &id) && tries < 64 {
                id = ids.next_id();
                tries += 1;
            }
            id
        }
        IdStyle::Numeric { start } => store.next_numeric_id(*start),
    };
    if id.is_empty() || store.contains(kind_name, &id) {
        return Err(ScimError::new(500, None, "The id source gave an id that is already in use."));
    }
    Ok(id)
}

/// The default response body written straight from the stored resource (no copies): what
/// [`Projection::render`] gives for a default projection when the kind's `plain_render`
/// holds, plus `meta.location`. A unit test holds the two to the same output.
fn render_plain(kind: &ResourceKind, r: &Resource, location: &str) -> String {
    use crate::json::{write_str, write_value};
    // Written straight from the stored resource: no copy of it, no serde pass.
    let mut out = String::with_capacity(512);
    out.push('{');
    let mut first = true;
    for (k, v) in r {
        if kind.hidden_by_default.iter().any(|h| h == k) {
            continue;
        }
        if !std::mem::take(&mut first) {
            out.push(',');
        }
        write_str(&mut out, k);
        out.push(':');
        match (k.as_str(), v) {
            // `meta` as stored, then `location` (RFC 7643 §3.1).
            ("meta", Value::Object(meta)) => {
                out.push('{');
                for (mk, mv) in meta {
                    write_str(&mut out, mk);
                    out.push(':');
                    write_value(&mut out, mv);
                    out.push(',');
                }
                write_str(&mut out, "location");
                out.push(':');
                write_str(&mut out, location);
                out.push('}');
            }
            _ => write_value(&mut out, v),
        }
    }
    out.push('}');
    out
}

pub(super) fn not_found(kind: &ResourceKind, id: &str) -> ScimError {
    ScimError::not_found(format!("{} {id:?} not found (RFC 7644 §3.4.1).", kind.def.name))
}

fn uniqueness_error(attr: &str, attrs: &Map<String, Value>, other: &str) -> ScimError {
    let v = attrs.get(attr).map(Value::to_string).unwrap_or_default();
    ScimError::uniqueness(format!(
        "{attr} {v} is already taken by resource {other:?}; {attr} must be unique (RFC 7643 §7 uniqueness, RFC 7644 §3.3)."
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Profile;
    use crate::http::Request;
    use serde_json::json;

    /// The fast path writes exactly what the general one (copy, add location, project)
    /// writes, for a resource with core, multi-valued, extension and writeOnly attributes.
    #[test]
    fn plain_render_matches_projection() {
        let mut s = Server::new(Profile::rfc()).unwrap_or_else(|e| panic!("{e}"));
        let body = json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User",
                        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
            "userName": "bjensen", "externalId": "x1", "password": "t1meMa$heen", "active": true,
            "name": {"givenName": "Barbara", "familyName": "Jensen \"BJ\" \u{e9}"},
            "emails": [{"value": "b@example.com", "type": "work", "primary": true}],
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "Tour"}
        });
        let created = s.handle(&Request::new("POST", "/scim/v2/Users").json(&body));
        assert_eq!(created.status, 201, "{}", created.body);
        assert!(created.changed);
        let id = created.json()["id"].as_str().unwrap_or_default().to_string();
        let kind = s.registry.kind("User").unwrap_or_else(|| panic!("User kind"));
        let r = s.store.get("User", &id).unwrap_or_else(|| panic!("stored"));
        let location = format!("https://h/scim/v2/Users/{id}");
        let mut shown = r.clone();
        if let Some(Value::Object(meta)) = shown.get_mut("meta") {
            meta.insert("location".into(), Value::String(location.clone()));
        }
        let proj = Projection::parse(kind, None, None).unwrap_or_else(|e| panic!("{e}"));
        let general = serde_json::to_string(&proj.render(kind, &shown)).unwrap_or_default();
        assert!(kind.plain_render);
        assert_eq!(render_plain(kind, r, &location), general);
        assert!(!general.contains("t1meMa"), "writeOnly password must not be returned");
    }

    #[test]
    fn changed_is_set_exactly_when_the_store_changes() {
        let mut s = Server::new(Profile::rfc()).unwrap_or_else(|e| panic!("{e}"));
        let user = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "b"});
        let created = s.handle(&Request::new("POST", "/Users").json(&user));
        let path = format!("/Users/{}", created.json()["id"].as_str().unwrap_or_default());
        let cases = [
            (Request::new("PUT", &path).json(&user), 200, false),
            (Request::new("PUT", &path).json(&json!({"schemas": user["schemas"], "userName": "c"})), 200, true),
            (Request::new("PATCH", &path).json(&json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "replace", "path": "title", "value": "x"}]})), 200, true),
            (Request::new("POST", "/.search").json(&json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"]})), 200, false),
            (Request::new("POST", "/Users").json(&json!({"schemas": user["schemas"], "userName": "c"})), 409, false),
            (Request::new("GET", &path), 200, false),
            (Request::new("DELETE", &path), 204, true),
            (Request::new("DELETE", &path), 404, false),
        ];
        for (req, status, changed) in cases {
            let before = s.snapshot();
            let resp = s.handle(&req);
            assert_eq!((resp.status, resp.changed), (status, changed), "{} {}: {}", req.method, req.path, resp.body);
            assert_eq!(before != s.snapshot(), changed, "{} {}", req.method, req.path);
        }
    }
}
