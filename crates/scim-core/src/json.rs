//! Reading request bodies: JSON (RFC 8259) into a [`Value`], refusing an object that names
//! one key twice. serde_json keeps the last of two equal keys without a word, so
//! `{"userName":"a","userName":"b"}` would store `"b"` while the case-variant pair
//! `{"userName":"a","USERNAME":"b"}` is a 400: RFC 8259 §4 says names SHOULD be unique, and
//! a body whose meaning depends on which copy a parser keeps is refused as `invalidSyntax`
//! naming the key. Nesting is capped by serde_json's recursion limit (128).
//!
//! Every body is first read into a [`Node`] ([`parse_node`]): objects as entry lists, strings
//! borrowed from the text. PUT and POST bodies stay Nodes (the replace engine only walks
//! them); [`parse_body`] turns one into a [`Value`] for the other readers. And
//! [`write_value`] writes a stored resource back out as compact JSON without serde (the
//! default response).

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

use crate::error::{ScimError, excerpt};

/// What the duplicate-key error message starts with (told apart from syntax errors).
const DUPLICATE: &str = "duplicate key ";

/// Parses a request body: JSON with unique keys in every object. Errors are 400
/// `invalidSyntax` with line and column.
pub(crate) fn parse_body(text: &str) -> Result<Value, ScimError> {
    // One reader for both forms (one copy of serde_json's parser in a wasm build).
    parse_node(text).map(Node::into_value)
}

/// A parse error as a 400: a duplicate key named with its place, else the JSON error.
fn body_error(e: &serde_json::Error) -> ScimError {
    let msg = e.to_string();
    match msg.strip_prefix(DUPLICATE) {
        Some(rest) => ScimError::invalid_syntax(format!(
            "The request body names the key {} twice in one object (line {}, column {}); send each attribute once (RFC 8259 §4).",
            crate::error::strip_position(rest),
            e.line(),
            e.column()
        )),
        None => ScimError::from_json_error(e),
    }
}

/// JSON text with unique keys in every object (the profile loader's reader); a repeated key
/// is an error whose message [`duplicate_key`] reads.
pub(crate) fn parse_strict(text: &str) -> serde_json::Result<Value> {
    let mut de = serde_json::Deserializer::from_str(text);
    de::Deserialize::deserialize(&mut de).and_then(|n: Node<'_>| de.end().map(|()| n.into_value()))
}

/// The key a [`parse_strict`] error found twice (as written, without quotes), if that is
/// what the error is.
pub(crate) fn duplicate_key(e: &serde_json::Error) -> Option<String> {
    let msg = e.to_string();
    let rest = crate::error::strip_position(msg.strip_prefix(DUPLICATE)?);
    Some(rest.strip_prefix('"').and_then(|r| r.strip_suffix('"')).unwrap_or(rest).to_string())
}

/// A request body as the write path reads it: objects keep their entries in order in a
/// `Vec` (nothing is hashed: the replace engine files each key in an attribute slot, see
/// [`crate::compiled`]), and strings borrow from the body text unless they hold escapes.
/// Parsed by [`parse_node`] with the same rules and errors as [`parse_body`]; a [`Value`]
/// is read as one with [`Node::from_value`] (borrowed, no string copied).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node<'a> {
    Null,
    Bool(bool),
    Number(Number),
    String(Cow<'a, str>),
    Array(Vec<Node<'a>>),
    Object(Vec<(Cow<'a, str>, Node<'a>)>),
}

impl<'a> Node<'a> {
    /// A borrowed view of a [`Value`].
    pub fn from_value(v: &'a Value) -> Node<'a> {
        match v {
            Value::Null => Node::Null,
            Value::Bool(b) => Node::Bool(*b),
            Value::Number(n) => Node::Number(n.clone()),
            Value::String(s) => Node::String(Cow::Borrowed(s)),
            Value::Array(items) => Node::Array(items.iter().map(Node::from_value).collect()),
            Value::Object(map) => {
                Node::Object(map.iter().map(|(k, v)| (Cow::Borrowed(k.as_str()), Node::from_value(v))).collect())
            }
        }
    }

    /// The same JSON as an owned [`Value`].
    pub fn to_value(&self) -> Value {
        match self {
            Node::Null => Value::Null,
            Node::Bool(b) => Value::Bool(*b),
            Node::Number(n) => Value::Number(n.clone()),
            Node::String(s) => Value::String(s.to_string()),
            Node::Array(items) => Value::Array(items.iter().map(Node::to_value).collect()),
            Node::Object(entries) => {
                let mut map = Map::with_capacity(entries.len());
                for (k, v) in entries {
                    map.insert(k.to_string(), v.to_value());
                }
                Value::Object(map)
            }
        }
    }

    /// [`Node::to_value`], moving the strings the node owns.
    pub fn into_value(self) -> Value {
        match self {
            Node::Null => Value::Null,
            Node::Bool(b) => Value::Bool(b),
            Node::Number(n) => Value::Number(n),
            Node::String(s) => Value::String(s.into_owned()),
            Node::Array(items) => Value::Array(items.into_iter().map(Node::into_value).collect()),
            Node::Object(entries) => {
                let mut map = Map::with_capacity(entries.len());
                for (k, v) in entries {
                    map.insert(k.into_owned(), v.into_value());
                }
                Value::Object(map)
            }
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Node::Null)
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Node::String(s) => Some(s),
            _ => None,
        }
    }

    /// "a string", "an object", ...: the JSON kind, for error details.
    pub fn kind(&self) -> &'static str {
        match self {
            Node::Null => "null",
            Node::Bool(_) => "a boolean",
            Node::Number(_) => "a number",
            Node::String(_) => "a string",
            Node::Array(_) => "an array",
            Node::Object(_) => "an object",
        }
    }
}

/// Compact JSON, as [`Value`] prints.
impl fmt::Display for Node<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        write_node(&mut out, self);
        f.write_str(&out)
    }
}

fn write_node(out: &mut String, n: &Node<'_>) {
    match n {
        Node::Null => out.push_str("null"),
        Node::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Node::Number(x) => write_number(out, x),
        Node::String(s) => write_str(out, s),
        Node::Array(items) => {
            out.push('[');
            for (i, x) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_node(out, x);
            }
            out.push(']');
        }
        Node::Object(entries) => {
            out.push('{');
            for (i, (k, x)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_str(out, k);
                out.push(':');
                write_node(out, x);
            }
            out.push('}');
        }
    }
}

impl<'de> de::Deserialize<'de> for Node<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Node<'de>, E> {
        Ok(Node::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Node<'de>, E> {
        Ok(Node::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Node<'de>, E> {
        Ok(Node::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Node<'de>, E> {
        Ok(Number::from_f64(v).map_or(Node::Null, Node::Number))
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Node<'de>, E> {
        Ok(Node::String(Cow::Borrowed(v)))
    }

    fn visit_str<E>(self, v: &str) -> Result<Node<'de>, E> {
        Ok(Node::String(Cow::Owned(v.to_string())))
    }

    fn visit_string<E>(self, v: String) -> Result<Node<'de>, E> {
        Ok(Node::String(Cow::Owned(v)))
    }

    fn visit_unit<E>(self) -> Result<Node<'de>, E> {
        Ok(Node::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node<'de>, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        while let Some(v) = seq.next_element::<Node<'de>>()? {
            out.push(v);
        }
        Ok(Node::Array(out))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node<'de>, A::Error> {
        let mut out: Vec<(Cow<'de, str>, Node<'de>)> = Vec::new();
        // Past a handful of keys, a set finds a duplicate (comparing each key with every
        // earlier one would make a body of many keys cost their square).
        let mut seen: Option<HashSet<Cow<'de, str>>> = None;
        while let Some(KeyStr(key)) = map.next_key::<KeyStr<'de>>()? {
            let dup = match &mut seen {
                Some(set) => !set.insert(key.clone()),
                None => out.iter().any(|(k, _)| *k == key),
            };
            if dup {
                return Err(de::Error::custom(format_args!("{DUPLICATE}{}", excerpt(&format!("{key:?}")))));
            }
            if seen.is_none() && out.len() >= 16 {
                seen = Some(out.iter().map(|(k, _)| k.clone()).chain(std::iter::once(key.clone())).collect());
            }
            let v = map.next_value::<Node<'de>>()?;
            out.push((key, v));
        }
        Ok(Node::Object(out))
    }
}

/// An object key, borrowed from the text when it holds no escapes.
struct KeyStr<'a>(Cow<'a, str>);

impl<'de> de::Deserialize<'de> for KeyStr<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = KeyStr<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string key")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<KeyStr<'de>, E> {
                Ok(KeyStr(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<KeyStr<'de>, E> {
                Ok(KeyStr(Cow::Owned(v.to_string())))
            }
            fn visit_string<E>(self, v: String) -> Result<KeyStr<'de>, E> {
                Ok(KeyStr(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

/// [`parse_body`] into a [`Node`]: the same JSON accepted, the same errors.
pub(crate) fn parse_node(text: &str) -> Result<Node<'_>, ScimError> {
    let mut de = serde_json::Deserializer::from_str(text);
    let parsed = de::Deserialize::deserialize(&mut de).and_then(|n: Node<'_>| de.end().map(|()| n));
    parsed.map_err(|e| body_error(&e))
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

    /// `parse_node` accepts and refuses what `parse_body` does, with the same errors, and
    /// reads the same JSON.
    #[test]
    fn nodes_parse_as_values_do() {
        let texts = [
            r#"{"a":[1,-2,3.5,"x\u00e9",true,null,{"b":{}}],"c":18446744073709551615,"d\"e":"f\ng"}"#,
            r#"{"userName":"a","USERNAME":"b"}"#,
            "{\"userName\":\"a\",\n \"name\":{\"givenName\":\"x\",\"givenName\":\"y\"}}",
            r#"{"a":1e400}"#,
            "{} x",
            " [] ",
            "{\"a\":",
        ];
        for text in texts {
            match (parse_body(text), parse_node(text)) {
                (Ok(v), Ok(n)) => {
                    assert_eq!(n.to_value(), v, "{text}");
                    assert_eq!(Node::from_value(&v), n, "{text}");
                    assert_eq!(n.to_string(), v.to_string(), "{text}");
                }
                (Err(a), Err(b)) => assert_eq!(a.detail, b.detail, "{text}"),
                (a, b) => panic!("{text}: {a:?} vs {b:?}"),
            }
        }
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(parse_node(&deep).unwrap_err().detail.contains("recursion"));
    }

    /// Any JSON value: strings of any characters (controls, quotes, non-ASCII), every kind
    /// of number, nesting.
    fn any_json() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|n| json!(n)),
            any::<u64>().prop_map(|n| json!(n)),
            any::<f64>().prop_map(|f| json!(f)),
            ".{0,12}".prop_map(Value::String),
            "[\\x00-\\x7f]{0,12}".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                proptest::collection::vec((".{0,8}", inner), 0..6)
                    .prop_map(|kv| Value::Object(kv.into_iter().collect())),
            ]
        })
    }

    proptest::proptest! {
        /// `write_value` writes what serde_json writes; `parse_node` reads that text back
        /// to the same value, as `parse_body` does.
        #[test]
        fn writer_and_node_reader_agree_with_serde_json(v in any_json()) {
            let text = serde_json::to_string(&v).unwrap();
            let mut out = String::new();
            write_value(&mut out, &v);
            proptest::prop_assert_eq!(&out, &text);
            // Compared with what parse_body reads (serde_json's float parsing does not give
            // back every f64 exactly, for both readers alike).
            let node = parse_node(&text).unwrap();
            let value = parse_body(&text).unwrap();
            proptest::prop_assert_eq!(node.to_string(), value.to_string());
            proptest::prop_assert_eq!(node.to_value(), value);
        }
    }

    /// Duplicates are found however many keys an object has (past 16 through a set), and a
    /// body of many distinct keys parses (the check does not compare every pair).
    #[test]
    fn duplicates_found_among_many_keys() {
        for n in [3usize, 16, 17, 40] {
            for dup in [0, n / 2, n - 1] {
                let mut keys: Vec<String> = (0..n).map(|i| format!("\"k{i}\":{i}")).collect();
                keys.push(format!("\"k{dup}\":0"));
                let text = format!("{{{}}}", keys.join(","));
                let e = parse_node(&text).unwrap_err();
                assert!(e.detail.contains(&format!("\"k{dup}\" twice")), "{n} {dup}: {}", e.detail);
                assert_eq!(parse_body(&text).unwrap_err().detail, e.detail);
            }
        }
        let many: Vec<String> = (0..50_000).map(|i| format!("\"k{i}\":{i}")).collect();
        let text = format!("{{{}}}", many.join(","));
        let node = parse_node(&text).unwrap();
        assert!(matches!(node, Node::Object(entries) if entries.len() == 50_000));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(parse_body(&deep).unwrap_err().detail.contains("recursion"));
    }
}
