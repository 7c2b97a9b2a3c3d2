//! Listing and querying resources (RFC 7644 §3.4.2, §3.4.3): `filter`, `sortBy` /
//! `sortOrder`, `startIndex` / `count`, from query parameters (GET) or a SearchRequest body
//! (POST `.search`).
//!
//! `attr eq "value"` on `id`, and `eq`, `sw` or `co` (a literal of 3 bytes or more) on an
//! attribute with `uniqueness` server/global (such as `userName`), on `externalId` or on
//! `emails.value`, alone or as one term of a top-level `and`, take their candidates from the
//! store's indexes (folded per `caseExact` exactly as the comparison folds), in creation
//! order; the whole filter is then evaluated on those candidates, so matches, order, totals
//! and paging are the scan's. Every other filter (`ew`, `or`, `not`, a shorter `co`, other
//! attributes) scans.

use std::borrow::Cow;
use std::cmp::Ordering;

use serde_json::{Map, Value};

use crate::error::{ScimError, ScimType};
use crate::filter::{self, Cond, Filter};
use crate::profile::registry::ResourceKind;
use crate::resource::Resource;
use crate::schema::AttrType;
use crate::store::Store;

/// The most resources one list response holds (published as `filter.maxResults` in
/// `/ServiceProviderConfig`, RFC 7643 §5). A larger `count` is cut to it.
pub const MAX_RESULTS: usize = 1000;

/// URN of the RFC 7644 §3.4.3 SearchRequest message.
pub const SEARCH_REQUEST: &str = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";

/// The query of a list or search request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    pub filter: Option<String>,
    pub sort_by: Option<String>,
    pub descending: bool,
    /// 1-based.
    pub start_index: usize,
    pub count: Option<usize>,
    pub attributes: Option<String>,
    pub excluded: Option<String>,
}

fn start_index(n: i64) -> usize {
    // RFC 7644 §3.4.2.4: a value less than 1 is interpreted as 1.
    usize::try_from(n.max(1)).unwrap_or(usize::MAX)
}

fn count(n: i64) -> usize {
    // RFC 7644 §3.4.2.4: a negative count is interpreted as 0.
    usize::try_from(n.max(0)).unwrap_or(usize::MAX).min(MAX_RESULTS)
}

fn sort_order(s: &str) -> Result<bool, ScimError> {
    if s.eq_ignore_ascii_case("ascending") {
        Ok(false)
    } else if s.eq_ignore_ascii_case("descending") {
        Ok(true)
    } else {
        Err(ScimError::invalid_value(format!(
            "sortOrder {s:?} must be \"ascending\" or \"descending\" (RFC 7644 §3.4.2.3)."
        )))
    }
}

impl Query {
    /// From the query parameters of a GET (names case-insensitive).
    pub fn from_params(params: &[(String, String)]) -> Result<Query, ScimError> {
        let get = |name: &str| params.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str());
        let int = |name: &str| -> Result<Option<i64>, ScimError> {
            get(name)
                .map(|v| {
                    v.trim().parse::<i64>().map_err(|_| {
                        ScimError::invalid_value(format!("{name} {v:?} must be an integer (RFC 7644 §3.4.2.4)."))
                    })
                })
                .transpose()
        };
        Ok(Query {
            filter: get("filter").map(str::to_string),
            sort_by: get("sortBy").filter(|s| !s.trim().is_empty()).map(|s| s.trim().to_string()),
            descending: get("sortOrder").map(sort_order).transpose()?.unwrap_or(false),
            start_index: int("startIndex")?.map_or(1, start_index),
            count: int("count")?.map(count),
            attributes: get("attributes").map(str::to_string),
            excluded: get("excludedAttributes").map(str::to_string),
        })
    }

    /// From a SearchRequest body (RFC 7644 §3.4.3).
    pub fn from_search(body: &Value) -> Result<Query, ScimError> {
        let Value::Object(o) = body else {
            return Err(ScimError::invalid_syntax(
                "A .search body must be a SearchRequest JSON object (RFC 7644 §3.4.3).",
            ));
        };
        let get = |name: &str| o.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v);
        let listed = get("schemas")
            .and_then(Value::as_array)
            .is_some_and(|l| l.iter().any(|u| u.as_str().is_some_and(|s| s.eq_ignore_ascii_case(SEARCH_REQUEST))));
        if !listed {
            return Err(ScimError::invalid_syntax(format!(
                "A .search body's \"schemas\" must be [\"{SEARCH_REQUEST}\"] (RFC 7644 §3.4.3)."
            )));
        }
        let string = |name: &str| -> Result<Option<String>, ScimError> {
            match get(name) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(other) => {
                    Err(ScimError::invalid_value(format!("SearchRequest \"{name}\" must be a string; got {other}.")))
                }
            }
        };
        let list = |name: &str| -> Result<Option<String>, ScimError> {
            match get(name) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(Value::Array(a)) if a.iter().all(Value::is_string) => {
                    Ok(Some(a.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(",")))
                }
                Some(other) => Err(ScimError::invalid_value(format!(
                    "SearchRequest \"{name}\" must be an array of attribute names (RFC 7644 §3.4.3); got {other}."
                ))),
            }
        };
        let int = |name: &str| -> Result<Option<i64>, ScimError> {
            match get(name) {
                None | Some(Value::Null) => Ok(None),
                Some(v) => v.as_i64().map(Some).ok_or_else(|| {
                    ScimError::invalid_value(format!("SearchRequest \"{name}\" must be an integer; got {v}."))
                }),
            }
        };
        Ok(Query {
            filter: string("filter")?,
            sort_by: string("sortBy")?.filter(|s| !s.trim().is_empty()),
            descending: string("sortOrder")?.map(|s| sort_order(&s)).transpose()?.unwrap_or(false),
            start_index: int("startIndex")?.map_or(1, start_index),
            count: int("count")?.map(count),
            attributes: list("attributes")?,
            excluded: list("excludedAttributes")?,
        })
    }

    /// Whether evaluating this query may read attributes that are derived at render time
    /// (a user's `groups`, a member's `display` or `$ref`); only then are candidates
    /// decorated before filtering, so plain filters stay cheap.
    pub fn reads_derived(&self) -> bool {
        let hit = |s: &Option<String>| {
            s.as_deref().is_some_and(|s| {
                let l = s.to_ascii_lowercase();
                l.contains("groups") || l.contains("members")
            })
        };
        hit(&self.filter) || hit(&self.sort_by)
    }
}

/// One match: the resource type's index in `kinds`, and the resource.
#[derive(Debug)]
pub struct Hit<'s> {
    pub kind: usize,
    pub resource: Cow<'s, Resource>,
}

/// The selected page and the total number of matches.
#[derive(Debug)]
pub struct Page<'s> {
    pub total: usize,
    pub hits: Vec<Hit<'s>>,
}

/// Filters, sorts and pages the resources of `kinds`. `decorate` adds derived attributes
/// before filtering when the query reads them.
pub fn select<'s>(
    store: &'s Store,
    kinds: &[&ResourceKind],
    q: &Query,
    decorate: &dyn Fn(&ResourceKind, &mut Resource),
) -> Result<Page<'s>, ScimError> {
    select_with(store, kinds, q, decorate, true)
}

/// The resources an index holds for one probe of the filter, in creation order (a superset
/// of the matches, which the whole filter then checks); `None` when no index covers it.
fn indexed_candidates<'s>(store: &'s Store, kind: &str, p: &filter::Probe<'_>) -> Option<Vec<&'s Resource>> {
    if p.attr == "id" && p.sub.is_none() && p.case_exact && p.op == filter::CmpOp::Eq {
        return Some(store.get(kind, p.key).into_iter().collect());
    }
    store.candidates(kind, p)
}

/// [`select`], with `indexed` false evaluating the filter on every resource (what the
/// indexes must agree with; the property tests compare both).
pub(crate) fn select_with<'s>(
    store: &'s Store,
    kinds: &[&ResourceKind],
    q: &Query,
    decorate: &dyn Fn(&ResourceKind, &mut Resource),
    indexed: bool,
) -> Result<Page<'s>, ScimError> {
    let parsed: Option<Filter> = match q.filter.as_deref() {
        Some(text) => Some(filter::parse(text, 0)?),
        None => None,
    };
    let text = q.filter.as_deref().unwrap_or_default();
    let mut conds: Vec<Option<Cond>> = Vec::with_capacity(kinds.len());
    if let Some(f) = &parsed {
        if kinds.len() > 1 {
            // Across several resource types (POST /.search) an attribute one type lacks
            // reads as absent there; a name no type defines is still an error.
            if let Some(p) =
                filter::paths(f).into_iter().find(|p| kinds.iter().all(|k| k.resolve_path(&p.text).is_none()))
            {
                return Err(filter::unknown_attribute(text, p));
            }
        }
        for kind in kinds {
            let c =
                if kinds.len() > 1 { filter::compile_lenient(f, kind, text)? } else { filter::compile(f, kind, text)? };
            conds.push(Some(c));
        }
    }
    let derived = q.reads_derived();
    // Index candidates per type (None: scan every resource of the type).
    let candidates: Vec<Option<Vec<&'s Resource>>> = kinds
        .iter()
        .enumerate()
        .map(|(ki, kind)| {
            let cond = conds.get(ki).and_then(Option::as_ref)?;
            if !indexed {
                return None;
            }
            cond.probes().iter().find_map(|p| indexed_candidates(store, &kind.def.name, p))
        })
        .collect();
    // The cost budget (crate::filter): every comparison on every resource scanned, counted
    // before the scan.
    if let Some(f) = &parsed {
        let scanned: usize = kinds
            .iter()
            .zip(&candidates)
            .map(|(k, c)| c.as_ref().map_or_else(|| store.len(&k.def.name), Vec::len))
            .sum();
        filter::check_budget(filter::terms(f), scanned)?;
    }
    let mut hits: Vec<Hit<'s>> = Vec::new();
    for ((ki, kind), indexed) in kinds.iter().enumerate().zip(candidates) {
        let cond = conds.get(ki).and_then(Option::as_ref);
        let name = kind.def.name.as_str();
        let candidates: Box<dyn Iterator<Item = &'s Resource>> = match indexed {
            Some(v) => Box::new(v.into_iter()),
            None => Box::new(store.iter(name)),
        };
        for r in candidates {
            let res: Cow<'s, Resource> = if derived {
                let mut owned = r.clone();
                decorate(kind, &mut owned);
                Cow::Owned(owned)
            } else {
                Cow::Borrowed(r)
            };
            if cond.is_none_or(|c| c.matches(&res)) {
                hits.push(Hit { kind: ki, resource: res });
            }
        }
    }
    if let Some(sort_by) = &q.sort_by {
        let mut keys: Vec<(Option<Key>, usize)> = Vec::with_capacity(hits.len());
        let mut known = false;
        for (i, h) in hits.iter().enumerate() {
            let kind = kinds.get(h.kind).copied();
            let key = kind.and_then(|k| {
                let r = k.resolve_path(sort_by)?;
                known = true;
                sort_key(&r, &h.resource)
            });
            keys.push((key, i));
        }
        if !known && !kinds.iter().any(|k| k.resolve_path(sort_by).is_some()) {
            return Err(ScimError::bad_request(
                ScimType::InvalidPath,
                format!("sortBy {sort_by:?} names no attribute of the listed resources (RFC 7644 §3.4.2.3)."),
            ));
        }
        // RFC 7644 §3.4.2.3: resources without a value "are ordered last if ascending and
        // first if descending". Stable: ties keep creation order.
        keys.sort_by(|(a, ai), (b, bi)| {
            let o = match (a, b) {
                (Some(x), Some(y)) => x.cmp(y),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => Ordering::Equal,
            };
            (if q.descending { o.reverse() } else { o }).then(ai.cmp(bi))
        });
        let mut slots: Vec<Option<Hit<'s>>> = hits.into_iter().map(Some).collect();
        hits = keys.into_iter().filter_map(|(_, i)| slots.get_mut(i).and_then(Option::take)).collect();
    }
    let total = hits.len();
    let skip = q.start_index.saturating_sub(1);
    let take = q.count.unwrap_or(MAX_RESULTS);
    let hits = hits.into_iter().skip(skip).take(take).collect();
    Ok(Page { total, hits })
}

/// A sort key (RFC 7644 §3.4.2.3): strings compared per `caseExact`, dateTimes as
/// instants, numbers as numbers.
#[derive(Debug, Clone, PartialEq, PartialOrd)]
enum Key {
    Bool(bool),
    Num(f64),
    Str(String),
}

impl Key {
    fn cmp(&self, other: &Key) -> Ordering {
        self.partial_cmp(other).unwrap_or(Ordering::Equal)
    }
}

fn sort_key(r: &crate::profile::registry::AttrRef<'_>, res: &Map<String, Value>) -> Option<Key> {
    let container = match r.schema {
        Some(urn) => res.get(urn)?.as_object()?,
        None => res,
    };
    let mut v = container.get(&r.attr.name)?;
    // Multi-valued: the primary value, else the first one.
    if let Value::Array(items) = v {
        v = items.iter().find(|i| i.get("primary") == Some(&Value::Bool(true))).or_else(|| items.first())?;
    }
    let leaf = match (r.sub, r.attr.is_complex()) {
        (Some(s), _) => {
            v = v.get(&s.name)?;
            s
        }
        (None, true) => {
            let s = r.attr.sub("value")?;
            v = v.get(&s.name)?;
            s
        }
        (None, false) => r.attr,
    };
    match (leaf.kind, v) {
        (AttrType::DateTime, Value::String(s)) => crate::time::parse_datetime(s).map(|m| Key::Num(m as f64)),
        (_, Value::String(s)) => Some(Key::Str(if leaf.case_exact { s.clone() } else { s.to_lowercase() })),
        (_, Value::Number(n)) => n.as_f64().map(Key::Num),
        (_, Value::Bool(b)) => Some(Key::Bool(*b)),
        _ => None,
    }
}
