//! Share links: the composer and the lanes' profiles in the URL fragment (`#s=…`), as
//! base64url JSON. The fragment never reaches a server, so a shared request stays local.

use serde::{Deserialize, Serialize};

use crate::draft::Draft;

/// Prefix of the fragment (after `#`).
pub const PREFIX: &str = "s=";

/// What a link carries. `v` versions the format like saved state does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shared {
    pub v: u32,
    pub draft: Draft,
    pub profiles: Vec<String>,
}

/// `s=` + base64url(JSON) for a fragment.
pub fn encode(draft: &Draft, profiles: &[String]) -> String {
    let shared = Shared { v: 1, draft: draft.clone(), profiles: profiles.to_vec() };
    let json = serde_json::to_string(&shared).unwrap_or_default();
    format!("{PREFIX}{}", base64url_encode(json.as_bytes()))
}

/// Reads a fragment (with or without the leading `#`); errors say what is wrong.
pub fn decode(fragment: &str) -> Result<Shared, String> {
    let f = fragment.strip_prefix('#').unwrap_or(fragment);
    let data = f.strip_prefix(PREFIX).ok_or("not a share link")?;
    let bytes = base64url_decode(data).ok_or("the share link is not valid base64url")?;
    // Through `Value`, like saved state: one `Deserialize` instance per type in the wasm.
    let text = String::from_utf8(bytes).map_err(|_| "the share link is not UTF-8 JSON")?;
    let shared = serde_json::from_str::<serde_json::Value>(&text)
        .and_then(|v| Shared::deserialize(&v))
        .map_err(|e| format!("the share link does not hold a request ({e})"))?;
    if shared.v != 1 {
        return Err(format!("share link version {} is unknown to this page", shared.v));
    }
    Ok(shared)
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// RFC 4648 §5 base64url without padding.
pub fn base64url_encode(input: &[u8]) -> String {
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let b = [
            chunk.first().copied().unwrap_or(0),
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..=chunk.len() {
            let idx = ((n >> (18 - 6 * i)) & 63) as usize;
            out.push(char::from(ALPHABET[idx]));
        }
    }
    out
}

/// Inverse of [`base64url_encode`]; also accepts `=` padding and the `+/` alphabet.
pub fn base64url_decode(input: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(input.len() * 3 / 4);
    let mut buf = 0u32;
    let mut bits = 0u32;
    for c in input.trim_end_matches('=').bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            _ => return None,
        };
        buf = (buf << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(((buf >> bits) & 0xFF) as u8);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64url_matches_rfc_4648_vectors() {
        for (plain, enc) in
            [("", ""), ("f", "Zg"), ("fo", "Zm8"), ("foo", "Zm9v"), ("foob", "Zm9vYg"), ("fooba", "Zm9vYmE")]
        {
            assert_eq!(base64url_encode(plain.as_bytes()), enc);
            assert_eq!(base64url_decode(enc).unwrap(), plain.as_bytes());
        }
        assert_eq!(base64url_encode(&[0xfb, 0xff]), "-_8");
        assert!(base64url_decode("a b").is_none());
    }

    #[test]
    fn share_round_trips_and_rejects_garbage() {
        let d = Draft { body: "{\"x\": \"<script>é</script>\"}".into(), ..Draft::default() };
        let profiles = vec!["rfc".to_string(), "ping".to_string()];
        let frag = encode(&d, &profiles);
        assert!(frag.starts_with("s="));
        assert!(frag.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_=".contains(&b)));
        let back = decode(&format!("#{frag}")).unwrap();
        assert_eq!(back.draft, d);
        assert_eq!(back.profiles, profiles);
        assert!(decode("#x=1").is_err());
        assert!(decode("#s=!!").is_err());
        assert!(decode(&format!("s={}", base64url_encode(b"{}"))).is_err());
    }
}
