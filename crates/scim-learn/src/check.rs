//! A scenario file checked against [`scenario_schema`], the JSON Schema the tests check
//! `tests/scenarios` with, then loaded as a [`Scenario`]. The doors that take a person's own
//! scenario file (the playground's "Load a scenario file…", through the learner's module)
//! call this; each problem is a sentence naming where it is (`at /steps/0: missing
//! properties 'source'`).
//!
//! The checker reads the schema document itself and implements the keywords it uses (`type`,
//! `enum`, `required`, `properties`, `additionalProperties`, `propertyNames`, `items`,
//! `minItems`, `minLength`, `minimum`, `maximum`, and `pattern` in the two forms the schema
//! writes: `^literal` and `^[class]+$`; any other pattern is reported, never passed). It is
//! not a general JSON Schema validator: the reference one, `boon`, with its regex and IDNA
//! tables, would more than double the learner's wasm module (286 to 722 KiB gzip, measured).
//! `tests/scenarios.rs` checks that this checker and `boon` accept and refuse the same
//! documents: every scenario file and a mutation of each rule.

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::{Scenario, scenario_schema};

/// The scenario in `text`, or every problem found.
pub fn check_scenario(text: &str) -> Result<Scenario, Vec<String>> {
    let v: Value = scim_core::from_json_str(text).map_err(|e| vec![format!("the file is not JSON: {e}")])?;
    let mut problems = Vec::new();
    check(&scenario_schema(), &v, "", &mut problems);
    if !problems.is_empty() {
        return Err(problems);
    }
    Scenario::deserialize(&v).map_err(|e| vec![format!("the scenario does not load: {e}")])
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// `v` against the schema `s` at the JSON Pointer `at`; problems go to `out`.
fn check(s: &Value, v: &Value, at: &str, out: &mut Vec<String>) {
    let Some(s) = s.as_object() else { return };
    let place = if at.is_empty() { "the top level".to_string() } else { at.to_string() };
    let mut say = |what: String| out.push(format!("at {place}: {what}"));
    if let Some(t) = s.get("type").and_then(Value::as_str) {
        let got = kind(v);
        if got != t && !(t == "number" && got == "integer") {
            return say(format!("want {t}, but got {got}"));
        }
    }
    if let Some(options) = s.get("enum").and_then(Value::as_array) {
        if !options.contains(v) {
            let list: Vec<String> = options.iter().map(Value::to_string).collect();
            say(format!("value must be one of {}, not {v}", list.join(", ")));
        }
    }
    if let Value::String(text) = v {
        if let Some(min) = s.get("minLength").and_then(Value::as_u64) {
            if (text.chars().count() as u64) < min {
                say(format!("length must be >={min}, but got {}", text.chars().count()));
            }
        }
        if let Some(p) = s.get("pattern").and_then(Value::as_str) {
            match matches(p, text) {
                Some(true) => {}
                Some(false) => say(format!("{v} does not match pattern '{p}'")),
                None => say(format!("the checker does not support the schema's pattern '{p}'")),
            }
        }
    }
    if let Some(n) = v.as_f64() {
        if let Some(min) = s.get("minimum").and_then(Value::as_f64).filter(|m| n < *m) {
            say(format!("must be >={min}, but got {v}"));
        }
        if let Some(max) = s.get("maximum").and_then(Value::as_f64).filter(|m| n > *m) {
            say(format!("must be <={max}, but got {v}"));
        }
    }
    if let Value::Array(items) = v {
        if let Some(min) = s.get("minItems").and_then(Value::as_u64) {
            if (items.len() as u64) < min {
                say(format!("minimum {min} items required, but got {}", items.len()));
            }
        }
        if let Some(item) = s.get("items") {
            for (i, x) in items.iter().enumerate() {
                check(item, x, &format!("{at}/{i}"), out);
            }
        }
    }
    if let Value::Object(o) = v {
        check_object(s, o, at, out);
    }
}

fn check_object(s: &Map<String, Value>, o: &Map<String, Value>, at: &str, out: &mut Vec<String>) {
    let place = if at.is_empty() { "the top level".to_string() } else { at.to_string() };
    let empty = Map::new();
    let properties = s.get("properties").and_then(Value::as_object).unwrap_or(&empty);
    let missing: Vec<String> = s
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .filter(|k| !o.contains_key(*k))
        .map(|k| format!("'{k}'"))
        .collect();
    if !missing.is_empty() {
        out.push(format!("at {place}: missing properties {}", missing.join(", ")));
    }
    let mut extra = Vec::new();
    for (k, x) in o {
        let here = format!("{at}/{}", k.replace('~', "~0").replace('/', "~1"));
        if let Some(names) = s.get("propertyNames") {
            check(names, &Value::String(k.clone()), &here, out);
        }
        match (properties.get(k), s.get("additionalProperties")) {
            (Some(sub), _) => check(sub, x, &here, out),
            (None, Some(Value::Bool(false))) => extra.push(format!("'{k}'")),
            (None, Some(sub)) => check(sub, x, &here, out),
            (None, None) => {}
        }
    }
    if !extra.is_empty() {
        out.push(format!("at {place}: additional properties {} not allowed", extra.join(", ")));
    }
}

/// Whether `text` matches the pattern, for the forms the schema uses (`^literal`,
/// `^[a-z0-9-]+$`); `None` for any other form.
fn matches(pattern: &str, text: &str) -> Option<bool> {
    let body = pattern.strip_prefix('^')?;
    if let Some(class) = body.strip_prefix('[').and_then(|b| b.strip_suffix("]+$")) {
        let ranges = class_ranges(class)?;
        return Some(!text.is_empty() && text.chars().all(|c| ranges.iter().any(|(a, b)| (*a..=*b).contains(&c))));
    }
    if body.chars().any(|c| "\\.[](){}*+?|$^".contains(c)) {
        return None;
    }
    Some(text.starts_with(body))
}

/// `a-z0-9-` as ranges; a `-` first or last is itself. `None` for escapes and negation.
fn class_ranges(class: &str) -> Option<Vec<(char, char)>> {
    let chars: Vec<char> = class.chars().collect();
    if chars.first() == Some(&'^') || chars.contains(&'\\') || chars.contains(&'[') {
        return None;
    }
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        match (chars.get(i + 1), chars.get(i + 2)) {
            (Some('-'), Some(&end)) => {
                out.push((c, end));
                i += 3;
            }
            _ => {
                out.push((c, c));
                i += 1;
            }
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const OK: &str = r#"{"name": "mine", "title": "t", "client": "c", "description": "d", "steps": [
        {"name": "list", "source": "https://example.com/doc", "method": "GET", "path": "/Users",
         "expect": {"status": [200]}, "concludes": "c", "breaks": "b"}]}"#;

    #[test]
    fn a_valid_file_loads_and_each_problem_is_named() {
        assert_eq!(check_scenario(OK).unwrap().name, "mine");
        let bad = OK.replace("\"source\": \"https://example.com/doc\", ", "").replace("\"GET\"", "\"FETCH\"");
        let problems = check_scenario(&bad).unwrap_err();
        assert_eq!(
            problems,
            [
                "at /steps/0: missing properties 'source'",
                r#"at /steps/0/method: value must be one of "GET", "POST", "PUT", "PATCH", "DELETE", not "FETCH""#
            ]
        );
        assert!(check_scenario("{steps").unwrap_err()[0].contains("not JSON"));
        let top = check_scenario(r#"{"name": "Bad Name", "x": 1}"#).unwrap_err().join("\n");
        assert!(top.contains("at the top level: missing properties 'title'"), "{top}");
        assert!(top.contains("at /name: \"Bad Name\" does not match pattern '^[a-z0-9-]+$'"), "{top}");
        assert!(top.contains("additional properties 'x' not allowed"), "{top}");
    }

    #[test]
    fn patterns_in_the_two_forms_and_nothing_else() {
        assert_eq!(matches("^/", "/Users"), Some(true));
        assert_eq!(matches("^https://", "http://x"), Some(false));
        assert_eq!(matches("^[a-z0-9-]+$", "okta-full-put"), Some(true));
        assert_eq!(matches("^[a-z0-9-]+$", "Okta"), Some(false));
        assert_eq!(matches("^[a-z0-9-]+$", ""), Some(false));
        assert_eq!(matches("^a.b", "axb"), None);
        assert_eq!(matches("x", "x"), None);
        assert_eq!(matches("^[^a]+$", "b"), None);
    }
}
