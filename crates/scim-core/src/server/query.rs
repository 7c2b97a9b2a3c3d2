//! Listing and searching: GET on an endpoint (RFC 7644 §3.4.2) and POST `.search`
//! (§3.4.3). Filters, sorting and paging live in [`crate::list`] and [`crate::filter`].

use serde_json::{Value, json};

use crate::error::ScimError;
use crate::groups;
use crate::http::Response;
use crate::list::{self, Query};
use crate::profile::registry::ResourceKind;
use crate::project::Projection;
use crate::resource::Resource;
use crate::schema::LIST_RESPONSE;

use super::Server;
use super::routing::Ctx;

impl Server {
    /// GET on a resource endpoint: RFC 7644 §3.4.2.
    pub(super) fn list(&self, kind_name: Option<&str>, cx: &Ctx<'_>) -> Result<Response, ScimError> {
        let q = Query::from_params(&cx.target.query)?;
        self.run_query(kind_name, &q, cx)
    }

    /// POST `.search` on a resource endpoint or at the root: RFC 7644 §3.4.3.
    pub(super) fn search(&self, kind_name: Option<&str>, cx: &Ctx<'_>) -> Result<Response, ScimError> {
        let body = Self::parse_body(cx)?;
        let q = Query::from_search(&body)?;
        self.run_query(kind_name, &q, cx)
    }

    fn run_query(&self, kind_name: Option<&str>, q: &Query, cx: &Ctx<'_>) -> Result<Response, ScimError> {
        let kinds: Vec<&ResourceKind> = match kind_name {
            Some(n) => vec![self.kind(n)?],
            None => self.registry.kinds.iter().collect(),
        };
        let projections = kinds
            .iter()
            .map(|k| Projection::parse(k, q.attributes.as_deref(), q.excluded.as_deref()))
            .collect::<Result<Vec<_>, _>>()?;
        let memberships = groups::Memberships::build(&self.store, &self.registry);
        let link_base = self.link_base(cx);
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
        Ok(json_response(200, cx.media, &body))
    }
}

/// A JSON body with the response media type.
pub(super) fn json_response(status: u16, media: &'static str, body: &Value) -> Response {
    Response {
        status,
        headers: vec![("Content-Type".to_string(), media.to_string())],
        body: body.to_string(),
        ..Response::default()
    }
}
