//! The learned profile: the `rfc` profile's JSON with the server's resource types and
//! schemas, every decided knob set, and each cited in `knobSources` with its evidence.

use scim_core::Profile;
use serde_json::{Map, Value, json};

use crate::learn::{Decision, Discovered, Undecided};
use crate::{Exchange, summary_parts};

pub(crate) fn profile(
    name: &str,
    d: &Discovered,
    decided: &[Decision],
    undecided: &mut Vec<Undecided>,
    exchanges: &[Exchange],
) -> Value {
    let mut p = Profile::rfc().to_json();
    let Value::Object(o) = &mut p else { return p };
    o.remove("seed");
    o.insert("name".into(), json!(name));
    o.insert("title".into(), json!(format!("{name} (learned from a live server)")));
    o.insert(
        "description".into(),
        json!("Learned from a live server by the scim-learn probe battery: each decided knob cites the request and response that decided it; the others keep the RFC's reading."),
    );

    // Schemas: the rfc ones, plus any the server described that the rfc profile lacks.
    let mut schemas: Vec<Value> = o.get("schemas").and_then(Value::as_array).cloned().unwrap_or_default();
    let known = |schemas: &[Value], urn: &str| {
        schemas.iter().any(|s| s.get("id").and_then(Value::as_str).is_some_and(|i| i.eq_ignore_ascii_case(urn)))
    };
    let mut wanted = vec![d.user_schema.to_string()];
    wanted.extend(d.extensions.iter().map(|(u, _)| u.clone()));
    wanted.extend(d.group_schema.map(str::to_string));
    for urn in &wanted {
        if known(&schemas, urn) {
            continue;
        }
        let described = d.schemas.iter().find(|s| s.get("id").and_then(Value::as_str) == Some(urn.as_str()));
        if let Some(Value::Object(s)) = described {
            let mut s = s.clone();
            s.remove("meta");
            s.remove("schemas");
            schemas.push(Value::Object(s));
        }
    }
    let mut types = vec![];
    if known(&schemas, d.user_schema) {
        let exts: Vec<Value> = d
            .extensions
            .iter()
            .filter(|(u, _)| known(&schemas, u))
            .map(|(u, r)| json!({"schema": u, "required": r}))
            .collect();
        types.push(json!({"id": "User", "name": "User", "endpoint": "/Users", "description": "User Account",
            "schema": d.user_schema, "schemaExtensions": exts}));
    }
    if let Some(g) = d.group_schema.filter(|g| known(&schemas, g)) {
        types.push(json!({"id": "Group", "name": "Group", "endpoint": "/Groups", "description": "Group", "schema": g}));
    }
    o.insert("schemas".into(), Value::Array(schemas));
    o.insert("resourceTypes".into(), Value::Array(types));

    let mut sources = Map::new();
    for dcs in decided {
        set_knob(&mut p, &dcs.knob, &dcs.value);
        let first = dcs.evidence.first().and_then(|i| exchanges.get(*i));
        let (url, quote) = match first {
            Some(e) => (
                format!("{} {}", e.request.method, e.request.path),
                dcs.evidence
                    .iter()
                    .filter_map(|i| exchanges.get(*i))
                    .map(|e| {
                        format!(
                            "{} {} → {}",
                            e.request.method,
                            e.request.path,
                            summary_parts(e.response.status, &e.response.body)
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            None => (format!("scim-learn probe {}", dcs.probe), dcs.reason.clone()),
        };
        sources.insert(
            dcs.knob.clone(),
            json!({"basis": "inferred", "url": url, "quote": quote,
                "note": format!("observed by the scim-learn probe {:?}: {}", dcs.probe, dcs.reason)}),
        );
    }
    if let Value::Object(o) = &mut p {
        o.insert("knobSources".into(), Value::Object(sources));
    }

    // Every other knob of the result keeps the default: say so.
    if let Ok(prof) = scim_core::from_json_str::<Profile>(&p.to_string()) {
        for k in prof.knobs() {
            if decided.iter().any(|d| d.knob == k.name) || undecided.iter().any(|u| u.knob == k.name) {
                continue;
            }
            let why = if crate::DECIDABLE.contains(&k.name.as_str()) {
                "not reached on this server"
            } else {
                "not probed by the battery: the RFC's default"
            };
            undecided.push(Undecided { knob: k.name, reason: why.into() });
        }
    }
    let list: Vec<String> = undecided.iter().map(|u| format!("{} ({})", u.knob, u.reason)).collect();
    if let Value::Object(o) = &mut p {
        o.insert(
            "sources".into(),
            json!([
                "Observed: the scim-learn probe battery against the server (see knobSources for each decided knob)",
                format!("Not decided, left at the rfc profile's values: {}", list.join("; "))
            ]),
        );
    }
    p
}

/// Sets `behaviour.x`, `media.defaultResponse` or `resourceTypes.{Type}.x` (`null` removes
/// the field: the default applies).
fn set_knob(p: &mut Value, knob: &str, value: &Value) {
    let parts: Vec<&str> = knob.split('.').collect();
    let target = match parts.as_slice() {
        ["behaviour", k] | ["media", k] => p.get_mut(parts.first().copied().unwrap_or_default()).map(|t| (t, *k)),
        ["resourceTypes", ty, k] => p
            .get_mut("resourceTypes")
            .and_then(Value::as_array_mut)
            .and_then(|a| a.iter_mut().find(|r| r.get("name").and_then(Value::as_str) == Some(*ty)))
            .map(|t| (t, *k)),
        _ => None,
    };
    if let Some((Value::Object(t), k)) = target {
        if value.is_null() {
            t.remove(k);
        } else {
            t.insert(k.to_string(), value.clone());
        }
    }
}
