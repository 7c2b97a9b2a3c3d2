//! The body editor's logic, kept out of the components so it is tested natively: JSON
//! tokens for highlighting (every character of the text in exactly one token, so the
//! highlighted copy lines up with the textarea over it), Format, and attribute completion
//! (the partial key before the cursor, and the lane's schema attributes that complete it).
//! A leaf: imports nothing of this crate.

/// What a token is, for its colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A string followed by `:` (an attribute name).
    Key,
    Str,
    Number,
    /// `true`, `false`, `null`.
    Literal,
    /// `{ } [ ] : ,`
    Punct,
    /// Whitespace and anything else (text that is not JSON yet).
    Other,
}

impl Kind {
    /// The CSS class of the span.
    pub fn class(self) -> &'static str {
        match self {
            Kind::Key => "tk-key",
            Kind::Str => "tk-str",
            Kind::Number => "tk-num",
            Kind::Literal => "tk-lit",
            Kind::Punct => "tk-p",
            Kind::Other => "tk",
        }
    }
}

/// Splits `text` into tokens whose concatenation is `text`.
pub fn tokens(text: &str) -> Vec<(Kind, &str)> {
    let bytes = text.as_bytes();
    let mut out: Vec<(Kind, &str)> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        let b = bytes.get(i).copied().unwrap_or_default();
        let kind = match b {
            b'"' => {
                i += 1;
                while i < bytes.len() {
                    match bytes.get(i) {
                        Some(b'\\') => i += 2,
                        Some(b'"') => {
                            i += 1;
                            break;
                        }
                        Some(b'\n') => break,
                        _ => i += 1,
                    }
                }
                i = i.min(bytes.len());
                let rest = text.get(i..).unwrap_or_default().trim_start_matches([' ', '\t']);
                if rest.starts_with(':') { Kind::Key } else { Kind::Str }
            }
            b'{' | b'}' | b'[' | b']' | b':' | b',' => {
                i += 1;
                Kind::Punct
            }
            b'-' | b'0'..=b'9' => {
                i += 1;
                while bytes.get(i).is_some_and(|c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'E' | b'+' | b'-'))
                {
                    i += 1;
                }
                Kind::Number
            }
            b'a'..=b'z' => {
                while bytes.get(i).is_some_and(u8::is_ascii_alphabetic) {
                    i += 1;
                }
                let word = text.get(start..i).unwrap_or_default();
                if matches!(word, "true" | "false" | "null") { Kind::Literal } else { Kind::Other }
            }
            _ => {
                // Whitespace or anything else: one whole character (runs are merged below).
                i += 1;
                while i < bytes.len() && !text.is_char_boundary(i) {
                    i += 1;
                }
                Kind::Other
            }
        };
        let piece = text.get(start..i).unwrap_or_default();
        match out.last_mut() {
            Some((k, prev)) if *k == kind && kind == Kind::Other => {
                *prev = text.get(start - prev.len()..i).unwrap_or(prev);
            }
            _ => out.push((kind, piece)),
        }
    }
    out
}

/// The body pretty-printed with two-space indents, keys in their order; an error names the
/// line and column of the first problem.
pub fn format(text: &str) -> Result<String, String> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    serde_json::to_string_pretty(&value).map_err(|e| e.to_string())
}

/// The partial attribute name before `cursor` (a character offset) when the cursor is in a
/// key being typed (`{"ti|` → `ti`); `None` elsewhere.
pub fn key_prefix(text: &str, cursor: usize) -> Option<String> {
    let before: String = text.chars().take(cursor).collect();
    let quote = before.rfind('"')?;
    let typed = before.get(quote + 1..)?;
    if !typed.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$') {
        return None;
    }
    // A key starts after `{` or `,` (and whitespace).
    let lead = before.get(..quote)?.trim_end();
    (lead.ends_with('{') || lead.ends_with(',')).then(|| typed.to_string())
}

/// At most `limit` of `names` that start with `prefix` (case-insensitive), not equal to it.
pub fn complete<'a>(names: &'a [String], prefix: &str, limit: usize) -> Vec<&'a str> {
    let p = prefix.to_ascii_lowercase();
    names
        .iter()
        .filter(|n| {
            let l = n.to_ascii_lowercase();
            l.starts_with(&p) && l != p
        })
        .map(String::as_str)
        .take(limit)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_cover_every_character_and_tell_keys_from_values() {
        let text = "{\n  \"userName\": \"bjensen\",\n  \"active\": true, \"n\": -1.5e3, \"x\": null, é \"open";
        let toks = tokens(text);
        assert_eq!(toks.iter().map(|(_, s)| *s).collect::<String>(), text);
        let kind_of = |s: &str| toks.iter().find(|(_, t)| *t == s).map(|(k, _)| *k);
        assert_eq!(kind_of("\"userName\""), Some(Kind::Key));
        assert_eq!(kind_of("\"bjensen\""), Some(Kind::Str));
        assert_eq!(kind_of("true"), Some(Kind::Literal));
        assert_eq!(kind_of("-1.5e3"), Some(Kind::Number));
        assert_eq!(kind_of("null"), Some(Kind::Literal));
        assert_eq!(kind_of("\"open"), Some(Kind::Str), "an unterminated string ends the text");
        assert!(tokens("").is_empty());
        assert_eq!(tokens("\"a\\\"b\"").len(), 1, "escaped quotes stay inside the string");
    }

    #[test]
    fn format_keeps_key_order_and_reports_errors() {
        assert_eq!(format(r#"{"b":1,"a":[true]}"#).unwrap(), "{\n  \"b\": 1,\n  \"a\": [\n    true\n  ]\n}");
        assert!(format("{\"a\": }").unwrap_err().contains("column"));
    }

    #[test]
    fn completion_only_where_a_key_is_typed() {
        assert_eq!(key_prefix("{\"ti", 4).as_deref(), Some("ti"));
        assert_eq!(key_prefix("{\"a\": 1, \"nick", 14).as_deref(), Some("nick"));
        assert_eq!(key_prefix("{\"a\": \"ti", 9), None, "a value, not a key");
        assert_eq!(key_prefix("{\"a b", 5), None);
        assert_eq!(key_prefix("{", 1), None);
        let names = vec!["title".to_string(), "timezone".to_string(), "userName".to_string()];
        assert_eq!(complete(&names, "TI", 8), ["title", "timezone"]);
        assert_eq!(complete(&names, "title", 8), Vec::<&str>::new());
        assert_eq!(complete(&names, "", 1), ["title"]);
    }
}
