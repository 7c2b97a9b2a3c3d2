//! PATCH (RFC 7644 §3.5.2): `add`, `remove` and `replace` operations, with or without a
//! `path`, value-path filters (`emails[type eq "work"].value`, `members[value eq "..."]`)
//! and extension-qualified paths.
//!
//! Operations run in order on a working copy of the resource. After each one the copy is
//! passed through the replace engine ([`crate::replace::apply`]) as if it were a PUT of the
//! whole resource, so PATCH and PUT agree on types, knobs (`stringBooleans`,
//! `unknownAttributes`, `multiplePrimary`), immutability and required attributes. The
//! first failing operation fails the request and nothing is stored: PATCH is atomic.

use serde_json::{Map, Value};

use crate::error::{ScimError, ScimType};
use crate::explain::{Explanation, Outcome};
use crate::filter::{self, Cond};
use crate::profile::registry::ResourceKind;
use crate::profile::types::{Behaviour, ComplexReplace, Omitted};
use crate::replace::{self, Mode};
use crate::resource::{Resource, Written};
use crate::schema::{Attribute, Mutability};

/// URN of the RFC 7644 §3.5.2 PatchOp message.
pub const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Add,
    Remove,
    Replace,
}

impl Op {
    fn rule(self) -> &'static str {
        match self {
            Op::Add => "RFC 7644 §3.5.2.1",
            Op::Remove => "RFC 7644 §3.5.2.2",
            Op::Replace => "RFC 7644 §3.5.2.3",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Op::Add => "add",
            Op::Remove => "remove",
            Op::Replace => "replace",
        }
    }
}

/// Where a `path` points.
struct Target {
    /// Extension URN holding the attribute, if any.
    schema: Option<String>,
    /// `None` when the path is a whole extension URN.
    attr: Option<Attribute>,
    filter: Option<Cond>,
    /// For `add` when the filter matches nothing: the value the filter describes (its
    /// `sub eq "literal"` terms), e.g. `{"type": "work"}` for `emails[type eq "work"]`.
    seed: Option<Map<String, Value>>,
    sub: Option<Attribute>,
}

/// Applies a PatchOp body to `old`; returns what the resource becomes.
pub fn apply(
    kind: &ResourceKind,
    behaviour: &Behaviour,
    old: &Resource,
    body: &Value,
    expl: &mut Explanation,
) -> Result<Written, ScimError> {
    let Value::Object(body) = body else {
        return Err(ScimError::invalid_syntax(
            "A PATCH body must be a JSON object with \"schemas\" and \"Operations\" (RFC 7644 §3.5.2).",
        ));
    };
    let schemas = body.iter().find(|(k, _)| k.eq_ignore_ascii_case("schemas")).map(|(_, v)| v);
    let listed = schemas
        .and_then(Value::as_array)
        .is_some_and(|l| l.iter().any(|u| u.as_str().is_some_and(|s| s.eq_ignore_ascii_case(PATCH_OP))));
    if !listed {
        return Err(ScimError::invalid_syntax(format!(
            "A PATCH body's \"schemas\" must be [\"{PATCH_OP}\"] (RFC 7644 §3.5.2)."
        )));
    }
    let ops = body.iter().find(|(k, _)| k.eq_ignore_ascii_case("Operations")).map(|(_, v)| v);
    let ops = match ops {
        Some(Value::Array(a)) if !a.is_empty() => a,
        Some(Value::Array(_)) => {
            return Err(ScimError::invalid_syntax(
                "\"Operations\" is empty; send at least one operation (RFC 7644 §3.5.2).",
            ));
        }
        Some(_) => return Err(ScimError::invalid_syntax("\"Operations\" must be an array (RFC 7644 §3.5.2).")),
        None => {
            return Err(ScimError::invalid_syntax("The PATCH body has no \"Operations\" array (RFC 7644 §3.5.2)."));
        }
    };
    let mut work: Map<String, Value> = old
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "id" | "meta" | "schemas"))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let mut schemas: Vec<String> = old
        .get("schemas")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect();
    // The working copy is the whole intended resource, so the replace engine must take it
    // as is: PUT's knobs for what a body leaves out (`omitted`, `complexReplace`) do not
    // apply to PATCH, or a `remove` would be undone. Type knobs still apply.
    let as_is = Behaviour { omitted: Omitted::Clear, complex_replace: ComplexReplace::Whole, ..behaviour.clone() };
    let mut written = None;
    for (i, raw) in ops.iter().enumerate() {
        let at = format!("Operations[{i}]");
        let (op, path, value) = parse_op(raw, &at)?;
        let before = work.clone();
        let mut p = Patcher { kind, at: &at, op, expl: &mut *expl };
        match path {
            Some(path) => {
                let t = p.target(path)?;
                p.apply_target(&mut work, &t, value, path)?;
            }
            None => p.apply_no_path(&mut work, value)?,
        }
        // Validate the whole resource as the replace engine sees it.
        for (urn, _) in &kind.extensions {
            if work.contains_key(&urn.id) && !schemas.iter().any(|s| s.eq_ignore_ascii_case(&urn.id)) {
                schemas.push(urn.id.clone());
            }
        }
        let mut full = work.clone();
        full.insert("schemas".into(), Value::Array(schemas.iter().cloned().map(Value::String).collect()));
        let mut old_view = old.clone();
        for a in kind.core.attributes.iter().filter(|a| a.mutability == Mutability::WriteOnly) {
            if !work.contains_key(&a.name) {
                old_view.remove(&a.name);
            }
        }
        let mut scratch =
            if expl.is_on() { Explanation::new(String::new(), String::new()) } else { Explanation::off() };
        let target = replace::Target { mode: Mode::Replace, path_id: None, old: Some(&old_view) };
        let full = Value::Object(full);
        let w = match replace::apply(kind, &as_is, target, &crate::json::Node::from_value(&full), &mut scratch) {
            Ok(w) => w,
            Err(e) => {
                for entry in scratch.entries.into_iter().filter(|e| e.outcome.is_rejection()) {
                    let mut entry = entry;
                    entry.rule = format!("{} ({})", entry.rule, op.rule());
                    expl.entries.push(entry);
                }
                // The replace engine speaks of PUT bodies; here the "body" is the patched resource.
                let detail = e.detail.replace(" A PUT replaces the whole resource, so the body must include it.", "");
                return Err(ScimError { detail: format!("{at} ({}): {detail}", op.name()), ..e });
            }
        };
        for entry in
            scratch.entries.into_iter().filter(|e| matches!(e.outcome, Outcome::Coerced | Outcome::IgnoredUnknown))
        {
            expl.entries.push(entry);
        }
        work = w.attributes.clone();
        schemas = w.schemas.clone();
        record(kind, expl, &before, &work, op, path.unwrap_or("(no path)"));
        written = Some(w);
    }
    written.ok_or_else(|| ScimError::invalid_syntax("\"Operations\" is empty (RFC 7644 §3.5.2)."))
}

fn parse_op<'v>(raw: &'v Value, at: &str) -> Result<(Op, Option<&'v str>, Option<&'v Value>), ScimError> {
    let Value::Object(o) = raw else {
        return Err(ScimError::invalid_syntax(format!(
            "{at} must be an object with \"op\", \"path\" and \"value\" (RFC 7644 §3.5.2)."
        )));
    };
    let get = |name: &str| o.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v);
    let op = match get("op").and_then(Value::as_str).map(str::to_ascii_lowercase).as_deref() {
        Some("add") => Op::Add,
        Some("remove") => Op::Remove,
        Some("replace") => Op::Replace,
        _ => {
            return Err(ScimError::invalid_syntax(format!(
                "{at}.op must be \"add\", \"remove\" or \"replace\" (RFC 7644 §3.5.2); got {}.",
                get("op").map_or_else(|| "nothing".to_string(), Value::to_string)
            )));
        }
    };
    let path = match get("path") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim()),
        Some(other) => {
            return Err(ScimError::bad_request(
                ScimType::InvalidPath,
                format!("{at}.path must be a non-empty attribute path string (RFC 7644 §3.5.2); got {other}."),
            ));
        }
    };
    let value = get("value");
    match op {
        Op::Remove if path.is_none() => Err(ScimError::bad_request(
            ScimType::NoTarget,
            format!("{at}: \"remove\" needs a \"path\" naming what to remove (RFC 7644 §3.5.2.2)."),
        )),
        Op::Add | Op::Replace if value.is_none() => Err(ScimError::invalid_syntax(format!(
            "{at}: \"{}\" needs a \"value\" (RFC 7644 §3.5.2.{}).",
            op.name(),
            if op == Op::Add { 1 } else { 3 }
        ))),
        Op::Add | Op::Replace if path.is_none() && !value.is_some_and(Value::is_object) => {
            Err(ScimError::invalid_value(format!(
                "{at}: without a \"path\", \"value\" must be an object of attributes (RFC 7644 §3.5.2.{}).",
                if op == Op::Add { 1 } else { 3 }
            )))
        }
        _ => Ok((op, path, value)),
    }
}

/// Entries for what one operation changed, attribute by attribute.
fn record(
    kind: &ResourceKind,
    expl: &mut Explanation,
    before: &Map<String, Value>,
    after: &Map<String, Value>,
    op: Op,
    path: &str,
) {
    let mut changed = false;
    let mut keys: Vec<&String> = before.keys().collect();
    keys.extend(after.keys().filter(|k| !before.contains_key(*k)));
    for key in keys {
        let (b, a) = (before.get(key), after.get(key));
        if b == a {
            continue;
        }
        let pairs: Vec<(String, Option<Value>, Option<Value>)> = match (kind.extension(key), b, a) {
            (Some(_), _, _) => {
                let empty = Map::new();
                let bo = b.and_then(Value::as_object).unwrap_or(&empty);
                let ao = a.and_then(Value::as_object).unwrap_or(&empty);
                let mut inner: Vec<&String> = bo.keys().collect();
                inner.extend(ao.keys().filter(|k| !bo.contains_key(*k)));
                inner
                    .into_iter()
                    .filter(|k| bo.get(*k) != ao.get(*k))
                    .map(|k| (format!("{key}:{k}"), bo.get(k).cloned(), ao.get(k).cloned()))
                    .collect()
            }
            _ => {
                let secret = kind.core.attribute(key).is_some_and(|a| a.mutability == Mutability::WriteOnly);
                let hide = |v: Option<&Value>| {
                    if secret { v.map(|_| Value::String("(hidden: writeOnly)".into())) } else { v.cloned() }
                };
                vec![(key.clone(), hide(b), hide(a))]
            }
        };
        for (p, b, a) in pairs {
            let outcome = match (&b, &a) {
                (None, Some(_)) => Outcome::Added,
                (Some(_), None) => Outcome::Removed,
                _ => Outcome::Replaced,
            };
            expl.push(p, outcome, b.as_ref(), a.as_ref(), op.rule()).note = format!("{} {path}", op.name());
            changed = true;
        }
    }
    if !changed {
        expl.push(path, Outcome::Unchanged, None, None, op.rule()).note =
            format!("{} {path} left the resource as it was", op.name());
    }
}

struct Patcher<'a> {
    kind: &'a ResourceKind,
    at: &'a str,
    op: Op,
    expl: &'a mut Explanation,
}

/// The index of the `]` closing the `[` at byte `open`, skipping quoted strings.
fn closing_bracket(s: &str, open: usize) -> Option<usize> {
    let mut in_str = false;
    let mut escaped = false;
    for (i, c) in s.char_indices().skip_while(|(i, _)| *i <= open) {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_str => escaped = true,
            '"' => in_str = !in_str,
            ']' if !in_str => return Some(i),
            _ => {}
        }
    }
    None
}

impl Patcher<'_> {
    fn invalid_path(&self, path: &str, why: &str) -> ScimError {
        ScimError::bad_request(
            ScimType::InvalidPath,
            format!("{}.path {path:?}: {why} (RFC 7644 §3.5.2, §3.10).", self.at),
        )
    }

    fn no_target(&self, path: &str) -> ScimError {
        ScimError::bad_request(
            ScimType::NoTarget,
            format!(
                "{} ({}): the filter in path {path:?} matches no value, so there is nothing to {} (RFC 7644 §3.5.2).",
                self.at,
                self.op.name(),
                self.op.name()
            ),
        )
    }

    fn read_only(&mut self, path: &str, attr: &str, why: &str) -> ScimError {
        self.expl.push(path, Outcome::RejectedImmutable, None, None, "RFC 7643 §7 mutability").note = why.into();
        ScimError::mutability(format!(
            "{} ({}): '{attr}' {why} (RFC 7643 §7, RFC 7644 §3.5.2).",
            self.at,
            self.op.name()
        ))
    }

    /// Parses a PATCH path: `attr`, `attr.sub`, `urn:...:attr`, `attr[filter]`,
    /// `attr[filter].sub`, or a whole extension URN.
    fn target(&mut self, path: &str) -> Result<Target, ScimError> {
        if let Some((s, _)) = self.kind.extension(path) {
            return Ok(Target { schema: Some(s.id.clone()), attr: None, filter: None, seed: None, sub: None });
        }
        let (attr_text, filter_text, rest) = match path.find('[') {
            Some(open) => {
                let close =
                    closing_bracket(path, open).ok_or_else(|| self.invalid_path(path, "'[' has no closing ']'"))?;
                (
                    path.get(..open).unwrap_or_default(),
                    Some((path.get(open + 1..close).unwrap_or_default(), open + 1)),
                    path.get(close + 1..).unwrap_or_default(),
                )
            }
            None => (path, None, ""),
        };
        let r = self.kind.resolve_path(attr_text).ok_or_else(|| {
            self.invalid_path(path, &format!("'{attr_text}' names no attribute of {}", self.kind.def.name))
        })?;
        let attr = r.attr.clone();
        let mut sub = r.sub.cloned();
        let mut cond = None;
        let mut seed = None;
        if let Some((ftext, col0)) = filter_text {
            if sub.is_some() || !attr.is_complex() || !attr.multi_valued {
                return Err(
                    self.invalid_path(path, "a value filter '[...]' applies to a multi-valued complex attribute")
                );
            }
            let as_path_error = |e: ScimError| ScimError {
                scim_type: Some(ScimType::InvalidPath),
                detail: format!("{}.path: {}", self.at, e.detail),
                ..e
            };
            let parsed = filter::parse(ftext, col0).map_err(as_path_error)?;
            cond = Some(filter::compile_for_attribute(&parsed, &attr, ftext).map_err(as_path_error)?);
            seed = eq_seed(&parsed, &attr);
            if !rest.is_empty() {
                let name = rest
                    .strip_prefix('.')
                    .ok_or_else(|| self.invalid_path(path, "expected '.subAttribute' after ']'"))?;
                sub = Some(attr.sub(name).cloned().ok_or_else(|| {
                    self.invalid_path(path, &format!("'{}' has no sub-attribute '{name}'", attr.name))
                })?);
            }
        }
        // RFC 7643 §7: readOnly attributes cannot be modified.
        if attr.mutability == Mutability::ReadOnly {
            return Err(self.read_only(path, &attr.name, "is readOnly: the service provider maintains it"));
        }
        if let Some(s) = &sub {
            if s.mutability == Mutability::ReadOnly {
                return Err(self.read_only(path, &format!("{}.{}", attr.name, s.name), "is readOnly"));
            }
        }
        Ok(Target { schema: r.schema.map(str::to_string), attr: Some(attr), filter: cond, seed, sub })
    }

    fn apply_no_path(&mut self, work: &mut Map<String, Value>, value: Option<&Value>) -> Result<(), ScimError> {
        let Some(Value::Object(obj)) = value else { return Ok(()) };
        for (k, v) in obj {
            if k.eq_ignore_ascii_case("schemas") {
                continue;
            }
            if let Some((s, _)) = self.kind.extension(k) {
                let urn = s.id.clone();
                let Value::Object(inner) = v else {
                    return Err(ScimError::invalid_value(format!(
                        "{}: \"{urn}\" must be an object of that extension's attributes (RFC 7643 §3.3).",
                        self.at
                    )));
                };
                for (ik, iv) in inner {
                    match s.attribute(ik) {
                        Some(a) => self.set(
                            work,
                            Place { schema: Some(&urn), attr: a, sub: None },
                            (None, None),
                            Some(iv),
                            &format!("{urn}:{ik}"),
                        )?,
                        None => {
                            let ext = container(work, Some(&urn))?;
                            ext.insert(ik.clone(), iv.clone());
                        }
                    }
                }
                continue;
            }
            match self.kind.resolve_path(k) {
                Some(r) if r.attr.mutability == Mutability::ReadOnly => {
                    self.expl
                        .push(k.clone(), Outcome::IgnoredReadOnly, None, Some(v), "RFC 7643 §7 mutability: readOnly")
                        .note = "readOnly values in a PATCH value are ignored".into();
                }
                Some(r) => {
                    let (schema, attr, sub) = (r.schema.map(str::to_string), r.attr.clone(), r.sub.cloned());
                    self.set(
                        work,
                        Place { schema: schema.as_deref(), attr: &attr, sub: sub.as_ref() },
                        (None, None),
                        Some(v),
                        k,
                    )?;
                }
                // Unknown names go through to the replace engine, which rejects or
                // ignores them per `behaviour.unknownAttributes`.
                None => {
                    work.insert(k.clone(), v.clone());
                }
            }
        }
        Ok(())
    }

    fn apply_target(
        &mut self,
        work: &mut Map<String, Value>,
        t: &Target,
        value: Option<&Value>,
        path: &str,
    ) -> Result<(), ScimError> {
        let Some(attr) = &t.attr else {
            // A whole extension: remove it, or add/replace its attributes.
            let urn = t.schema.clone().unwrap_or_default();
            if self.op == Op::Remove {
                work.remove(&urn);
                return Ok(());
            }
            let mut wrapped = Map::new();
            wrapped.insert(urn, value.cloned().unwrap_or(Value::Null));
            return self.apply_no_path(work, Some(&Value::Object(wrapped)));
        };
        let place = Place { schema: t.schema.as_deref(), attr, sub: t.sub.as_ref() };
        self.set(work, place, (t.filter.as_ref(), t.seed.as_ref()), value, path)
    }

    /// The heart of PATCH: one operation on one attribute.
    #[allow(clippy::too_many_lines)]
    fn set(
        &mut self,
        work: &mut Map<String, Value>,
        Place { schema, attr, sub }: Place<'_>,
        (cond, seed): (Option<&Cond>, Option<&Map<String, Value>>),
        value: Option<&Value>,
        path: &str,
    ) -> Result<(), ScimError> {
        let op = self.op;
        let value = value.map(|v| canonical(attr, sub, v));
        let c = container(work, schema)?;
        let current = c.get(&attr.name).cloned();
        // Immutable values may be set once, never removed or changed (RFC 7643 §7).
        let leaf = sub.unwrap_or(attr);
        if leaf.mutability == Mutability::Immutable && op != Op::Add
            || attr.mutability == Mutability::Immutable && op == Op::Remove
        {
            let has = match (&current, sub) {
                (Some(Value::Array(items)), Some(s)) => items.iter().any(|i| i.get(&s.name).is_some()),
                (Some(Value::Object(o)), Some(s)) => o.contains_key(&s.name),
                (Some(_), None) => true,
                _ => false,
            };
            if has && (op == Op::Remove || sub.is_some()) {
                let name = sub.map_or_else(|| attr.name.clone(), |s| format!("{}.{}", attr.name, s.name));
                let e = self.read_only(path, &name, "is immutable: once set it cannot be changed or removed");
                return Err(e);
            }
        }
        if let Some(cond) = cond {
            let mut items = match current {
                Some(Value::Array(items)) => items,
                _ => vec![],
            };
            let hits: Vec<usize> = items
                .iter()
                .enumerate()
                .filter(|(_, it)| it.as_object().is_some_and(|o| cond.matches(o)))
                .map(|(i, _)| i)
                .collect();
            if hits.is_empty() {
                // `add` through a filter that matches nothing adds the value the filter
                // describes (Entra ID adds `emails[type eq "work"].value` this way); the
                // RFC's `replace` and `remove` say noTarget (RFC 7644 §3.5.2.3, table 9).
                let (Op::Add, Some(seed)) = (op, seed) else {
                    return Err(self.no_target(path));
                };
                let mut new = seed.clone();
                match (sub, &value) {
                    (Some(s), v) => {
                        new.insert(s.name.clone(), v.clone().unwrap_or(Value::Null));
                    }
                    (None, Some(Value::Object(v))) => merge(&mut new, v),
                    (None, _) => return Err(self.value_shape(path, "an object of sub-attributes")),
                }
                self.expl.notes.push(format!(
                    "{}: the filter in {path:?} matched no value, so add created one from the filter's eq terms.",
                    self.at
                ));
                items.push(Value::Object(new));
                store_items(c, &attr.name, items);
                return Ok(());
            }
            match (op, sub) {
                (Op::Remove, None) => {
                    let mut i = 0;
                    items.retain(|_| {
                        let keep = !hits.contains(&i);
                        i += 1;
                        keep
                    });
                }
                (Op::Remove, Some(s)) => {
                    for &h in &hits {
                        if let Some(Value::Object(o)) = items.get_mut(h) {
                            o.remove(&s.name);
                        }
                    }
                }
                (_, Some(s)) => {
                    for &h in &hits {
                        if let Some(Value::Object(o)) = items.get_mut(h) {
                            o.insert(s.name.clone(), value.clone().unwrap_or(Value::Null));
                        }
                    }
                }
                (Op::Add, None) => {
                    for &h in &hits {
                        if let (Some(Value::Object(o)), Some(Value::Object(v))) = (items.get_mut(h), &value) {
                            merge(o, v);
                        } else {
                            return Err(self.value_shape(path, "an object of sub-attributes"));
                        }
                    }
                }
                (_, None) => {
                    for &h in &hits {
                        if let (Some(slot), Some(v @ Value::Object(_))) = (items.get_mut(h), &value) {
                            *slot = v.clone();
                        } else {
                            return Err(self.value_shape(path, "an object of sub-attributes"));
                        }
                    }
                }
            }
            store_items(c, &attr.name, items);
            return Ok(());
        }
        match (op, sub) {
            (Op::Remove, None) => {
                // Remove listed values (`"value": [{"value": "id"}]`, as Entra ID sends
                // for members), or the whole attribute.
                match (value, current) {
                    (Some(Value::Array(gone)), Some(Value::Array(items))) if attr.multi_valued => {
                        let kept: Vec<Value> =
                            items.into_iter().filter(|it| !gone.iter().any(|g| same_item(g, it))).collect();
                        store_items(c, &attr.name, kept);
                    }
                    _ => {
                        c.remove(&attr.name);
                    }
                }
            }
            (Op::Remove, Some(s)) => match c.get_mut(&attr.name) {
                Some(Value::Object(o)) => {
                    o.remove(&s.name);
                }
                Some(Value::Array(items)) => {
                    for it in items.iter_mut() {
                        if let Value::Object(o) = it {
                            o.remove(&s.name);
                        }
                    }
                }
                _ => {}
            },
            (_, Some(s)) => {
                let v = value.unwrap_or(Value::Null);
                match c.get_mut(&attr.name) {
                    Some(Value::Object(o)) => {
                        o.insert(s.name.clone(), v);
                    }
                    Some(Value::Array(items)) if !items.is_empty() => {
                        for it in items.iter_mut() {
                            if let Value::Object(o) = it {
                                o.insert(s.name.clone(), v.clone());
                            }
                        }
                    }
                    _ => {
                        let mut o = Map::new();
                        o.insert(s.name.clone(), v);
                        let nv =
                            if attr.multi_valued { Value::Array(vec![Value::Object(o)]) } else { Value::Object(o) };
                        c.insert(attr.name.clone(), nv);
                    }
                }
            }
            (Op::Add, None) if attr.multi_valued => {
                let new: Vec<Value> = match value {
                    Some(Value::Array(a)) => a,
                    Some(Value::Null) | None => vec![],
                    Some(other) => vec![other],
                };
                let mut items = match current {
                    Some(Value::Array(a)) => a,
                    _ => vec![],
                };
                for n in new {
                    if !items.iter().any(|it| same_item(&n, it)) {
                        items.push(n);
                    }
                }
                store_items(c, &attr.name, items);
            }
            (_, None) if attr.multi_valued => {
                let items = match value {
                    Some(Value::Array(a)) => a,
                    Some(Value::Null) | None => vec![],
                    Some(other) => vec![other],
                };
                store_items(c, &attr.name, items);
            }
            (_, None) if attr.is_complex() => match (current, value) {
                // RFC 7644 §3.5.2.1 and §3.5.2.3: sub-attributes not in the value are kept.
                (Some(Value::Object(mut o)), Some(Value::Object(v))) => {
                    merge(&mut o, &v);
                    c.insert(attr.name.clone(), Value::Object(o));
                }
                (_, Some(v)) => {
                    c.insert(attr.name.clone(), v);
                }
                (_, None) => {}
            },
            (_, None) => {
                c.insert(attr.name.clone(), value.unwrap_or(Value::Null));
            }
        }
        Ok(())
    }

    fn value_shape(&self, path: &str, want: &str) -> ScimError {
        ScimError::invalid_value(format!(
            "{} ({}): for path {path:?} the value must be {want} (RFC 7644 §3.5.2).",
            self.at,
            self.op.name()
        ))
    }
}

/// The value a filter of `sub eq "literal"` terms joined by `and` describes; `None` for
/// any other filter (those cannot say what to add).
fn eq_seed(f: &filter::Filter, attr: &Attribute) -> Option<Map<String, Value>> {
    let terms: Vec<&filter::Filter> = match f {
        filter::Filter::And(v) => v.iter().collect(),
        other => vec![other],
    };
    let mut out = Map::new();
    for t in terms {
        let filter::Filter::Compare(p, filter::CmpOp::Eq, v) = t else { return None };
        if v.is_null() {
            return None;
        }
        out.insert(attr.sub(&p.text)?.name.clone(), v.clone());
    }
    Some(out)
}

/// The object holding an attribute: the resource, or its extension object (created empty).
fn container<'w>(
    work: &'w mut Map<String, Value>,
    schema: Option<&str>,
) -> Result<&'w mut Map<String, Value>, ScimError> {
    let Some(urn) = schema else { return Ok(work) };
    let slot = work.entry(urn.to_string()).or_insert_with(|| Value::Object(Map::new()));
    if !slot.is_object() {
        *slot = Value::Object(Map::new());
    }
    slot.as_object_mut().ok_or_else(|| ScimError::new(500, None, format!("extension {urn} is not an object")))
}

fn store_items(c: &mut Map<String, Value>, name: &str, items: Vec<Value>) {
    if items.is_empty() {
        c.remove(name);
    } else {
        c.insert(name.to_string(), Value::Array(items));
    }
}

/// Object keys in schema spelling (RFC 7643 §2.1: names are case-insensitive), so merges
/// and filters meet the stored keys.
fn canonical(attr: &Attribute, sub: Option<&Attribute>, v: &Value) -> Value {
    if sub.is_some() || !attr.is_complex() {
        return v.clone();
    }
    let fix = |o: &Map<String, Value>| -> Value {
        Value::Object(
            o.iter().map(|(k, x)| (attr.sub(k).map_or_else(|| k.clone(), |s| s.name.clone()), x.clone())).collect(),
        )
    };
    match v {
        Value::Object(o) => fix(o),
        Value::Array(items) => {
            Value::Array(items.iter().map(|i| if let Value::Object(o) = i { fix(o) } else { i.clone() }).collect())
        }
        other => other.clone(),
    }
}

fn merge(o: &mut Map<String, Value>, v: &Map<String, Value>) {
    for (k, x) in v {
        o.insert(k.clone(), x.clone());
    }
}

/// Two values of a multi-valued attribute are the same when equal, or when both are
/// complex and their `value` sub-attributes are equal.
fn same_item(a: &Value, b: &Value) -> bool {
    if a == b {
        return true;
    }
    match (a.get("value"), b.get("value")) {
        (Some(x), Some(y)) => x == y && (a.get("type").is_none() || a.get("type") == b.get("type")),
        _ => false,
    }
}

/// Where a PATCH operation lands: the extension URN (or `None` for the core schema), the
/// attribute and the sub-attribute.
#[derive(Debug, Clone, Copy)]
struct Place<'a> {
    schema: Option<&'a str>,
    attr: &'a Attribute,
    sub: Option<&'a Attribute>,
}
