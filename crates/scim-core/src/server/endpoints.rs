//! Server glue for the endpoints beyond PUT: list and search (RFC 7644 §3.4.2, §3.4.3),
//! PATCH (§3.5.2) and discovery (§4). The SCIM logic lives in [`crate::list`],
//! [`crate::patch`], [`crate::groups`] and [`crate::discovery`]; this file only wires
//! requests to it and shapes responses.

use serde_json::{Value, json};

use super::{Server, Target, method_not_allowed, parse_version, version_tag};
use crate::discovery;
use crate::env::Env;
use crate::error::ScimError;
use crate::explain::Explanation;
use crate::groups;
use crate::http::{Request, Response};
use crate::list::{self, Query};
use crate::patch;
use crate::profile::ResourceKind;
use crate::project::Projection;
use crate::schema::LIST_RESPONSE;
use crate::store::Resource;

fn json_response(status: u16, media: &'static str, body: &Value) -> Response {
    Response {
        status,
        headers: vec![("Content-Type".to_string(), media.to_string())],
        body: body.to_string(),
        explanation: None,
    }
}

impl<E: Env> Server<E> {
    /// GET on a resource endpoint: RFC 7644 §3.4.2.
    pub(super) fn list(
        &self,
        kind_name: Option<&str>,
        req: &Request,
        t: &Target,
        media: &'static str,
    ) -> Result<Response, ScimError> {
        let q = Query::from_params(&t.query)?;
        self.run_query(kind_name, &q, req, t, media)
    }

    /// POST `.search` on a resource endpoint or at the root: RFC 7644 §3.4.3.
    pub(super) fn search(
        &self,
        kind_name: Option<&str>,
        req: &Request,
        t: &Target,
        media: &'static str,
    ) -> Result<Response, ScimError> {
        let body = Self::parse_body(req)?;
        let q = Query::from_search(&body)?;
        self.run_query(kind_name, &q, req, t, media)
    }

    fn run_query(
        &self,
        kind_name: Option<&str>,
        q: &Query,
        req: &Request,
        t: &Target,
        media: &'static str,
    ) -> Result<Response, ScimError> {
        let kinds: Vec<&ResourceKind> = match kind_name {
            Some(n) => vec![self.kind(n)?],
            None => self.registry.kinds.iter().collect(),
        };
        let projections = kinds
            .iter()
            .map(|k| Projection::parse(k, q.attributes.as_deref(), q.excluded.as_deref()))
            .collect::<Result<Vec<_>, _>>()?;
        let memberships = groups::Memberships::build(&self.store, &self.registry);
        let link_base = self.link_base(req, t);
        let decorate =
            |k: &ResourceKind, r: &mut Resource| memberships.decorate(&self.store, &self.registry, k, r, &link_base);
        let page = list::select(&self.store, &kinds, q, &decorate)?;
        let mut resources = Vec::with_capacity(page.hits.len());
        for hit in page.hits {
            let (Some(kind), Some(proj)) = (kinds.get(hit.kind), projections.get(hit.kind)) else { continue };
            let mut shown = hit.resource.into_owned();
            decorate(kind, &mut shown);
            let id = shown.get("id").and_then(Value::as_str).unwrap_or_default().to_string();
            let location = format!("{link_base}{}/{id}", kind.def.endpoint);
            if let Some(Value::Object(meta)) = shown.get_mut("meta") {
                meta.insert("location".into(), Value::String(location));
            }
            resources.push(Value::Object(proj.render(kind, &shown)));
        }
        let body = json!({
            "schemas": [LIST_RESPONSE],
            "totalResults": page.total,
            "itemsPerPage": resources.len(),
            "startIndex": q.start_index,
            "Resources": resources,
        });
        Ok(json_response(200, media, &body))
    }

    /// PATCH `/{endpoint}/{id}`: RFC 7644 §3.5.2. Answers 200 with the resource.
    pub(super) fn patch(
        &mut self,
        kind_name: &str,
        id: &str,
        req: &Request,
        t: &Target,
        media: &'static str,
    ) -> Result<Response, (ScimError, Option<Explanation>)> {
        let (kind, mut expl, proj, old, body) = self.update_prologue("PATCH", kind_name, id, req, t)?;
        let written = match patch::apply(kind, &self.profile.behaviour, old, &body, &mut expl) {
            Ok(w) => w,
            Err(e) => return Err((e, Some(expl))),
        };
        self.commit_update(kind_name, id, written, expl, req, t, media, &proj)
    }

    /// A new `meta.lastModified` and version for a resource changed as a side effect (a
    /// group losing a deleted member).
    pub(super) fn stamp(&self, r: &mut Resource, now: &str) {
        let versioning = self.profile.behaviour.versioning;
        if let Some(Value::Object(meta)) = r.get_mut("meta") {
            meta.insert("lastModified".into(), Value::String(now.to_string()));
            if versioning {
                let rev = meta.get("version").and_then(Value::as_str).and_then(parse_version).unwrap_or(0);
                meta.insert("version".into(), Value::String(version_tag(rev + 1)));
            }
        }
    }

    /// `/ServiceProviderConfig`, `/ResourceTypes[/{name}]`, `/Schemas[/{urn}]`: RFC 7644 §4.
    pub(super) fn discovery(
        &self,
        method: &str,
        segments: &[&str],
        req: &Request,
        t: &Target,
        media: &'static str,
    ) -> Result<Response, ScimError> {
        if method != "GET" {
            return Err(method_not_allowed(method, "GET"));
        }
        if t.query.iter().any(|(k, _)| k.eq_ignore_ascii_case("filter")) {
            return Err(ScimError::new(
                403,
                None,
                "Discovery endpoints do not filter; GET them without \"filter\" (RFC 7644 §4).",
            ));
        }
        let base = self.link_base(req, t);
        let body = match segments {
            ["ServiceProviderConfig"] => {
                discovery::service_provider_config(&self.profile.behaviour, &format!("{base}/ServiceProviderConfig"))
            }
            ["ResourceTypes"] => discovery::list_response(
                self.registry
                    .kinds
                    .iter()
                    .map(|k| discovery::resource_type(k, &format!("{base}/ResourceTypes/{}", k.def.id)))
                    .collect(),
            ),
            ["ResourceTypes", name] => {
                let k = self
                    .registry
                    .kinds
                    .iter()
                    .find(|k| k.def.id.eq_ignore_ascii_case(name) || k.def.name.eq_ignore_ascii_case(name))
                    .ok_or_else(|| {
                        let known: Vec<&str> = self.registry.kinds.iter().map(|k| k.def.id.as_str()).collect();
                        ScimError::not_found(format!(
                            "No resource type {name:?}; this server has {} (RFC 7644 §4).",
                            known.join(", ")
                        ))
                    })?;
                discovery::resource_type(k, &format!("{base}/ResourceTypes/{}", k.def.id))
            }
            ["Schemas"] => discovery::list_response(
                self.registry
                    .schemas
                    .iter()
                    .map(|s| discovery::schema(s, &format!("{base}/Schemas/{}", s.id)))
                    .collect(),
            ),
            ["Schemas", urn] => {
                let s = self.registry.schemas.iter().find(|s| s.id.eq_ignore_ascii_case(urn)).ok_or_else(|| {
                    ScimError::not_found(format!("No schema {urn:?}; GET {base}/Schemas lists them (RFC 7644 §4)."))
                })?;
                discovery::schema(s, &format!("{base}/Schemas/{}", s.id))
            }
            _ => {
                return Err(ScimError::not_found(format!(
                    "No discovery resource here; try {base}/ServiceProviderConfig, {base}/ResourceTypes or {base}/Schemas (RFC 7644 §4)."
                )));
            }
        };
        Ok(json_response(200, media, &body))
    }
}
