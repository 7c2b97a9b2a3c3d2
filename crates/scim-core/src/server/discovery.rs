//! Discovery (RFC 7644 §4): `/ServiceProviderConfig`, `/ResourceTypes`, `/Schemas`, generated
//! from the profile by [`crate::discovery`].

use crate::discovery;
use crate::error::ScimError;
use crate::http::Response;

use super::Server;
use super::query::json_response;
use super::routing::{Ctx, method_not_allowed};

impl Server {
    /// `/ServiceProviderConfig`, `/ResourceTypes[/{name}]`, `/Schemas[/{urn}]`: RFC 7644 §4.
    pub(super) fn discovery(&self, method: &str, segments: &[&str], cx: &Ctx<'_>) -> Result<Response, ScimError> {
        if method != "GET" {
            return Err(method_not_allowed(method, "GET"));
        }
        if cx.target.query.iter().any(|(k, _)| k.eq_ignore_ascii_case("filter")) {
            return Err(ScimError::new(
                403,
                None,
                "Discovery endpoints do not filter; GET them without \"filter\" (RFC 7644 §4).",
            ));
        }
        let base = self.link_base(cx);
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
        Ok(json_response(200, cx.media, &body))
    }
}
