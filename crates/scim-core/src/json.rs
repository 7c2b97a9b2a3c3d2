//! Reading request bodies: JSON (RFC 8259) into a [`Value`], refusing an object that names
//! one key twice. serde_json keeps the last of two equal keys without a word, so
//! `{"userName":"a","userName":"b"}` would store `"b"` while the case-variant pair
//! `{"userName":"a","USERNAME":"b"}` is a 400: RFC 8259 §4 says names SHOULD be unique, and
//! a body whose meaning depends on which copy a parser keeps is refused as `invalidSyntax`
//! naming the key. Nesting is capped by serde_json's recursion limit (128).

use std::fmt;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

use crate::error::{ScimError, excerpt};

/// What the duplicate-key error message starts with (told apart from syntax errors).
const DUPLICATE: &str = "duplicate key ";

/// A JSON value whose objects have unique keys.
struct Strict(Value);

impl<'de> de::Deserialize<'de> for Strict {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(StrictVisitor).map(Strict)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        while let Some(Strict(v)) = seq.next_element()? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            // A SCIM object has a handful of keys: comparing them in turn costs less than
            // hashing the key a second time (the insert below hashes it once).
            let dup = if out.len() <= 16 { out.keys().any(|k| *k == key) } else { out.contains_key(&key) };
            if dup {
                return Err(de::Error::custom(format_args!("{DUPLICATE}{}", excerpt(&format!("{key:?}")))));
            }
            let Strict(v) = map.next_value()?;
            out.insert(key, v);
        }
        Ok(Value::Object(out))
    }
}

/// Parses a request body: JSON with unique keys in every object. Errors are 400
/// `invalidSyntax` with line and column.
pub(crate) fn parse_body(text: &str) -> Result<Value, ScimError> {
    // From `&str`: the text is UTF-8 already, so strings are not validated a second time.
    let mut de = serde_json::Deserializer::from_str(text);
    let parsed = de::Deserialize::deserialize(&mut de).and_then(|Strict(v)| de.end().map(|()| v));
    parsed.map_err(|e| {
        let msg = e.to_string();
        match msg.strip_prefix(DUPLICATE) {
            Some(rest) => ScimError::invalid_syntax(format!(
                "The request body names the key {} twice in one object (line {}, column {}); send each attribute once (RFC 8259 §4).",
                crate::error::strip_position(rest),
                e.line(),
                e.column()
            )),
            None => ScimError::from_json_error(&e),
        }
    })
}

/// Appends `v` as compact JSON, byte for byte what `serde_json::to_string` writes, without
/// going through serde: a string with nothing to escape (almost every SCIM value) is copied
/// whole after one pass that checks all its bytes at once, where serde_json's writer looks
/// each byte up in its escape table.
pub(crate) fn write_value(out: &mut String, v: &Value) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => write_number(out, n),
        Value::String(s) => write_str(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, x) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(out, x);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (k, x)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_str(out, k);
                out.push(':');
                write_value(out, x);
            }
            out.push('}');
        }
    }
}

/// A JSON string literal, escaped as serde_json escapes it.
pub(crate) fn write_str(out: &mut String, s: &str) {
    if needs_escape(s.as_bytes()) {
        out.push_str(&serde_json::to_string(s).unwrap_or_default());
    } else {
        out.reserve(s.len() + 2);
        out.push('"');
        out.push_str(s);
        out.push('"');
    }
}

/// Whether a string holds a byte JSON escapes (a control character, `"` or `\\`). Eight
/// bytes at a time (SWAR): a byte below 0x20, or equal to `"` or `\\`, sets its high bit in
/// one of three masks; the rest one by one.
fn needs_escape(s: &[u8]) -> bool {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let zero_byte = |x: u64| x.wrapping_sub(LO) & !x & HI;
    let mut chunks = s.chunks_exact(8);
    for c in &mut chunks {
        let w = <[u8; 8]>::try_from(c).map_or(0, u64::from_le_bytes);
        // High bit of a byte below 0x20 (bytes >= 0x80 are excluded by `!w`).
        let below = w.wrapping_sub(LO * 0x20) & !w & HI;
        if below | zero_byte(w ^ (LO * u64::from(b'"'))) | zero_byte(w ^ (LO * u64::from(b'\\'))) != 0 {
            return true;
        }
    }
    chunks.remainder().iter().any(|&b| b < 0x20 || b == b'"' || b == b'\\')
}

fn write_number(out: &mut String, n: &Number) {
    use std::fmt::Write as _;
    if let Some(u) = n.as_u64() {
        let _ = write!(out, "{u}");
    } else if let Some(i) = n.as_i64() {
        let _ = write!(out, "{i}");
    } else {
        out.push_str(&serde_json::to_string(n).unwrap_or_default());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn same_values_as_serde_json() {
        let text = r#"{"a":[1,-2,3.5,1e400,"x",true,null,{"b":{}}],"c":18446744073709551615}"#;
        // 1e400 overflows: serde_json refuses it, and so do we.
        assert!(parse_body(text).is_err());
        let text = r#"{"a":[1,-2,3.5,"x\u00e9",true,null,{"b":{}}],"c":18446744073709551615}"#;
        assert_eq!(parse_body(text).unwrap(), serde_json::from_str::<Value>(text).unwrap());
        assert_eq!(parse_body(" [] ").unwrap(), json!([]));
        assert!(parse_body("{} x").is_err(), "trailing characters");
    }

    #[test]
    fn duplicate_keys_are_named_with_their_place() {
        let e = parse_body("{\"userName\":\"a\",\n \"name\":{\"givenName\":\"x\",\"givenName\":\"y\"}}").unwrap_err();
        assert_eq!(e.status, 400);
        assert!(e.detail.contains("\"givenName\" twice") && e.detail.contains("line 2"), "{}", e.detail);
        // Case variants are different JSON keys: the replace engine answers those.
        assert!(parse_body(r#"{"userName":"a","USERNAME":"b"}"#).is_ok());
        let long = "k".repeat(100_000);
        let e = parse_body(&format!(r#"{{"{long}":1,"{long}":2}}"#)).unwrap_err();
        assert!(e.detail.len() < 1000, "{}", e.detail.len());
    }

    /// [`write_value`] writes what serde_json writes: escapes, non-ASCII, numbers of every
    /// kind, nesting, key order.
    #[test]
    fn writes_what_serde_json_writes() {
        let v = json!({
            "plain": "bjensen", "quote": "a\"b", "backslash": "a\\b", "controls": "\n\t\r\u{1}\u{1f}\u{7f}",
            "unicode": "J\u{e9}nsen \u{1F600} /slash", "empty": "", "t": true, "f": false, "n": null,
            "numbers": [0, 1, -1, u64::MAX, i64::MIN, 1.5, -0.25, 1e300, 3.0],
            "nested": {"b": [{"x": []}, {}], "a": {"k\"ey": "v"}}
        });
        let mut out = String::new();
        write_value(&mut out, &v);
        assert_eq!(out, serde_json::to_string(&v).unwrap());
    }

    /// The eight-at-a-time check agrees with the plain one for every byte at every place.
    #[test]
    fn escape_check_finds_every_byte_anywhere() {
        for b in 0u8..=255 {
            for at in 0..19 {
                let mut s = vec![b'a'; 19];
                s[at] = b;
                let naive = s.iter().any(|&x| x < 0x20 || x == b'"' || x == b'\\');
                assert_eq!(needs_escape(&s), naive, "byte {b:#04x} at {at}");
            }
        }
        assert!(!needs_escape("Jensen \u{e9}\u{1F600}".as_bytes()));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(parse_body(&deep).unwrap_err().detail.contains("recursion"));
    }
}
