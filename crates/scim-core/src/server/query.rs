//! Listing and searching: GET on an endpoint (RFC 7644 §3.4.2) and POST `.search`
//! (§3.4.3). Filters, sorting and paging live in [`crate::list`] and [`crate::filter`].

use serde_json::{Map, Value, json};

use crate::error::{ScimError, ScimType};
use crate::groups;
use crate::http::Response;
use crate::list::{self, Query};
use crate::profile::registry::ResourceKind;
use crate::profile::types::{ListKey, Paging, UnsupportedFilter};
use crate::project::Projection;
use crate::quirks;
use crate::resource::Resource;
use crate::schema::LIST_RESPONSE;

use super::Server;
use super::routing::Ctx;

impl Server {
    /// GET on a resource endpoint: RFC 7644 §3.4.2.
    pub(super) fn list(&self, kind_name: Option<&str>, cx: &Ctx<'_>) -> Result<Response, ScimError> {
        let q = Query::from_params(&cx.target.query)?;
        self.run_query(kind_name, &q, cx.param("cursor"), cx)
    }

    /// POST `.search` on a resource endpoint or at the root: RFC 7644 §3.4.3.
    pub(super) fn search(&self, kind_name: Option<&str>, cx: &Ctx<'_>) -> Result<Response, ScimError> {
        let body = Self::parse_body(cx)?;
        let q = Query::from_search(&body)?;
        // RFC 9865: a SearchRequest carries its cursor in the body.
        let cursor = body.as_object().and_then(|o| o.iter().find(|(k, _)| k.eq_ignore_ascii_case("cursor")));
        let cursor = match cursor.map(|(_, v)| v) {
            None | Some(Value::Null) => None,
            Some(Value::String(c)) => Some(c.as_str()),
            Some(other) => {
                return Err(ScimError::invalid_value(format!(
                    "SearchRequest \"cursor\" must be a string (RFC 9865); got {other}."
                )));
            }
        };
        self.run_query(kind_name, &q, cursor, cx)
    }

    /// Lists what `q` selects, paged as the profile pages (`cursor` is the RFC 9865 cursor
    /// the request carries, from the query string or a SearchRequest body).
    fn run_query(
        &self,
        kind_name: Option<&str>,
        q: &Query,
        cursor: Option<&str>,
        cx: &Ctx<'_>,
    ) -> Result<Response, ScimError> {
        let kinds: Vec<&ResourceKind> = match kind_name {
            Some(n) => vec![self.kind(n)?],
            None => self.registry.kinds.iter().collect(),
        };
        let b = &self.profile.behaviour;
        if b.filter_required && q.filter.as_deref().is_none_or(|f| f.trim().is_empty()) {
            return Err(ScimError::bad_request(
                ScimType::TooMany,
                "This service lists resources only for a filter; add one, such as filter=userName eq \"bjensen\" (behaviour.filterRequired).",
            ));
        }
        if let Some(text) = q.filter.as_deref() {
            let parsed = crate::filter::parse(text, 0)?;
            if let Some(e) = kinds.iter().find_map(|k| quirks::unsupported_filter(b, k, &parsed)) {
                return match b.unsupported_filter {
                    UnsupportedFilter::Reject => Err(e),
                    UnsupportedFilter::EmptyList => {
                        Ok(json_response(200, cx.media, &list_body(b.list_key, 0, q.start_index, vec![])))
                    }
                };
            }
        }
        let projections = kinds
            .iter()
            .map(|k| Projection::parse(k, q.attributes.as_deref(), q.excluded.as_deref()))
            .collect::<Result<Vec<_>, _>>()?;
        let memberships = groups::Memberships::build(&self.store, &self.registry);
        let link_base = self.link_base(cx);
        let decorate =
            |k: &ResourceKind, r: &mut Resource| memberships.decorate(&self.store, &self.registry, k, r, &link_base);
        // Paging knobs: the engine selects every match, this function pages.
        let all = Query {
            start_index: 1,
            count: Some(usize::MAX),
            sort_by: if b.sorting { q.sort_by.clone() } else { None },
            ..q.clone()
        };
        let page = list::select(&self.store, &kinds, &all, &decorate)?;
        let mut hits: Vec<_> = page.hits.into_iter().filter(|h| !quirks::hidden(b, &h.resource)).collect();
        let total = hits.len();
        debug_assert!(total <= page.total, "hiding deactivated resources only removes matches");
        let size = |count: Option<usize>| count.or(b.default_page_size).unwrap_or(b.max_page_size).min(b.max_page_size);
        let (skip, take, cursor) = match b.paging {
            Paging::Index => (q.start_index.saturating_sub(1), size(q.count), None),
            Paging::None => (0, b.max_page_size, None),
            Paging::Cursor => {
                let at = match cursor.filter(|c| !c.is_empty()) {
                    Some(c) => decode_cursor(c, total)?,
                    None => 0,
                };
                (at, size(q.count), Some(at))
            }
        };
        // `count=0` asks for totals only (RFC 7644 §3.4.2.4): no next page to point at.
        let next = (take > 0 && skip.saturating_add(take) < total).then(|| skip.saturating_add(take));
        hits = hits.into_iter().skip(skip).take(take).collect();
        let mut resources = Vec::with_capacity(hits.len());
        for hit in hits {
            let (Some(kind), Some(proj)) = (kinds.get(hit.kind), projections.get(hit.kind)) else { continue };
            let mut shown = hit.resource.into_owned();
            decorate(kind, &mut shown);
            quirks::strip_extensions(kind, &mut shown);
            quirks::strip_never_returned(kind, &mut shown);
            let id = shown.get("id").and_then(Value::as_str).unwrap_or_default().to_string();
            let location = format!("{link_base}{}/{id}", kind.def.endpoint);
            if let Some(Value::Object(meta)) = shown.get_mut("meta") {
                meta.insert("location".into(), Value::String(location));
            }
            resources.push(Value::Object(proj.render(kind, &shown)));
        }
        let mut body = list_body(b.list_key, total, if cursor.is_some() { 1 } else { skip + 1 }, resources);

        if let (Some(at), Value::Object(o)) = (cursor, &mut body) {
            // RFC 9865 §3: cursor pages carry nextCursor (and previousCursor), not startIndex.
            o.remove("startIndex");
            if let Some(n) = next {
                o.insert("nextCursor".into(), Value::String(encode_cursor(n)));
            }
            if at > 0 {
                o.insert("previousCursor".into(), Value::String(encode_cursor(at.saturating_sub(take))));
            }
        }
        Ok(json_response(200, cx.media, &body))
    }
}

/// An RFC 7644 §3.4.2 ListResponse, its resources under `Resources` or the profile's
/// `behaviour.listKey`.
fn list_body(key: ListKey, total: usize, start_index: usize, resources: Vec<Value>) -> Value {
    let key = match key {
        ListKey::Capitalized => "Resources",
        ListKey::Lowercase => "resources",
    };
    let mut body = Map::with_capacity(5);
    body.insert("schemas".into(), json!([LIST_RESPONSE]));
    body.insert("totalResults".into(), json!(total));
    body.insert("itemsPerPage".into(), json!(resources.len()));
    body.insert("startIndex".into(), json!(start_index));
    body.insert(key.into(), Value::Array(resources));
    Value::Object(body)
}

/// A cursor (RFC 9865): opaque to clients; here the offset of the page it starts.
fn encode_cursor(offset: usize) -> String {
    format!("p{offset}")
}

fn decode_cursor(c: &str, total: usize) -> Result<usize, ScimError> {
    c.strip_prefix('p').and_then(|n| n.parse::<usize>().ok()).filter(|n| *n <= total).ok_or_else(|| {
        ScimError::bad_request(
            ScimType::InvalidCursor,
            format!("cursor {c:?} was not issued by this server; start again without a cursor, then follow nextCursor (RFC 9865)."),
        )
    })
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
