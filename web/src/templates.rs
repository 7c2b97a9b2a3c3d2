//! Scenarios for the composer: each template is a request (an intent, rendered per lane)
//! plus the two lanes that make its point and one sentence saying what to look for. Loading
//! one sets both lanes to those profiles, fresh from their seed users, so it works the same
//! however many requests came before. "Current user as a PUT body" needs a lane and lives in
//! [`crate::lane::Lane::current_as_body`].

use crate::draft::Draft;

/// The headers every template sends (RFC 7644 §3.1, §8.1).
pub const SCIM_HEADERS: &str = "Content-Type: application/scim+json\nAccept: application/scim+json";

/// A template as the picker lists it.
#[derive(Debug, Clone, Copy)]
pub struct Template {
    pub id: &'static str,
    pub label: &'static str,
    /// The profiles of lanes A and B that show the point.
    pub lanes: [&'static str; 2],
    /// One sentence: what to look at after Send.
    pub look_for: &'static str,
    pub make: fn() -> Draft,
}

/// Id of the template that GETs the current user first.
pub const CURRENT_USER: &str = "current";

/// The picker's entries, in order (the "current user" entry is added by the UI).
pub const TEMPLATES: &[Template] = &[
    Template {
        id: "minimal",
        label: "Minimal PUT: what happens to omitted attributes",
        lanes: ["rfc", "veeva"],
        look_for: "The body names only userName: the rfc lane clears every attribute it leaves out (title, name, emails), Veeva keeps them.",
        make: minimal,
    },
    Template {
        id: "ping",
        label: "Ping Identity: update all user attributes",
        lanes: ["rfc", "ping"],
        look_for: "Ping's documented body without emails: Ping keeps the omitted emails, the rfc lane clears them (RFC 7644 §3.5.1 allows both).",
        make: ping,
    },
    Template {
        id: "veeva",
        label: "Veeva Vault: null, [] and a partial name",
        lanes: ["veeva", "rfc (keep omitted)"],
        look_for: "null (locale) and [] (emails) clear in both lanes; name differs: Veeva merges the sub-attributes sent, the RFC replaces the whole object.",
        make: veeva,
    },
    Template {
        id: "rfc",
        label: "RFC 7644 §3.5.1 example",
        lanes: ["rfc", "veeva"],
        look_for: "RFC 7644's own PUT: roles: [] clears in both lanes; what the example leaves out (title, displayName) is cleared by the rfc lane and kept by Veeva.",
        make: rfc_example,
    },
    Template {
        id: "patch",
        label: "PATCH: change one attribute",
        lanes: ["rfc", "entra"],
        look_for: "PATCH changes only title in both lanes, whatever the omitted-attributes knob (compare the minimal PUT); the rfc lane answers 200 with the whole user, Entra 204 with no body (RFC 7644 §3.5.2 allows both).",
        make: patch,
    },
    Template {
        id: "group",
        label: "Groups: create a group with a member",
        lanes: ["rfc", "aws"],
        look_for: "{userName:bjensen} in members becomes each lane's own id; both lanes create the group with its member, but AWS never returns members (a members.value filter finds them), so its answer has none.",
        make: group,
    },
    Template {
        id: "filter",
        label: "Filter: find a user by userName",
        lanes: ["rfc", "aws"],
        look_for: "userName matches case-insensitively in both lanes (RFC 7643 §4.1.1); results are compared by userName; AWS pages by cursor, so its list has no startIndex, and its users carry no meta.version.",
        make: filter,
    },
];

/// The endpoint a template's request goes to (`/Users`, `/Groups`).
pub fn endpoint(t: &Template) -> String {
    let path = (t.make)().path;
    let first = path.trim_start_matches('/').split(['/', '?']).next().unwrap_or_default().to_string();
    format!("/{first}")
}

pub fn by_id(id: &str) -> Option<&'static Template> {
    TEMPLATES.iter().find(|t| t.id == id)
}

/// Whether `draft` is exactly what the page starts with or a template writes: replacing it
/// loses nothing the person typed, so no Undo is offered.
pub fn is_untouched(draft: &Draft) -> bool {
    *draft == Draft::default() || TEMPLATES.iter().any(|t| (t.make)() == *draft)
}

/// Bodies are kept as text (already pretty-printed): far smaller in wasm than `json!`.
fn put(path: &str, headers: &str, body: &str) -> Draft {
    Draft { method: "PUT".into(), path: path.into(), headers: headers.into(), body: body.into(), raw: false }
}

const VEEVA_BODY: &str = r#"{
  "schemas": [
    "urn:ietf:params:scim:schemas:extension:veevavault:2.0:User",
    "urn:ietf:params:scim:schemas:core:2.0:User"
  ],
  "userName": "a.smithn@veepharm.com",
  "name": {
    "givenName": "Abby"
  },
  "locale": null,
  "emails": [],
  "urn:ietf:params:scim:schemas:extension:veevavault:2.0:User": {
    "securityProfile": {
      "value": "system_admin__v"
    }
  }
}"#;

const PING_BODY: &str = r#"{
  "addresses": [
    {
      "country": "US",
      "locality": "New York",
      "postalCode": "10020",
      "primary": true,
      "region": "NY",
      "type": "home"
    }
  ],
  "name": {
    "familyName": "Conley",
    "formatted": "Pat Conley",
    "givenName": "Pat"
  },
  "schemas": [
    "urn:pingidentity:schemas:User:1.0",
    "urn:pingidentity:schemas:sample:profile:1.0"
  ],
  "urn:pingidentity:schemas:sample:profile:1.0": {
    "birthDate": "1948-07-13"
  },
  "userName": "pconley"
}"#;

const RFC_BODY: &str = r#"{
  "schemas": [
    "urn:ietf:params:scim:schemas:core:2.0:User"
  ],
  "id": "2819c223-7f76-453a-919d-413861904646",
  "userName": "bjensen",
  "externalId": "bjensen",
  "name": {
    "formatted": "Ms. Barbara J Jensen III",
    "familyName": "Jensen",
    "givenName": "Barbara",
    "middleName": "Jane"
  },
  "roles": [],
  "emails": [
    {
      "value": "bjensen@example.com"
    },
    {
      "value": "babs@jensen.org"
    }
  ]
}"#;

const MINIMAL_BODY: &str = r#"{
  "schemas": [
    "urn:ietf:params:scim:schemas:core:2.0:User"
  ],
  "userName": "bjensen"
}"#;

const PATCH_BODY: &str = r#"{
  "schemas": [
    "urn:ietf:params:scim:api:messages:2.0:PatchOp"
  ],
  "Operations": [
    {
      "op": "replace",
      "path": "title",
      "value": "Head Tour Guide"
    }
  ]
}"#;

const GROUP_BODY: &str = r#"{
  "schemas": [
    "urn:ietf:params:scim:schemas:core:2.0:Group"
  ],
  "displayName": "Tour Guides",
  "members": [
    {
      "value": "{userName:bjensen}"
    }
  ]
}"#;

/// RFC 7644 §3.5.2.3: replace one attribute; nothing else is touched.
pub fn patch() -> Draft {
    Draft { method: "PATCH".into(), ..put("/Users/{userName:bjensen}", SCIM_HEADERS, PATCH_BODY) }
}

/// RFC 7644 §3.3 with RFC 7643 §4.2's Group; the member is named by userName.
pub fn group() -> Draft {
    Draft { method: "POST".into(), ..put("/Groups", SCIM_HEADERS, GROUP_BODY) }
}

/// RFC 7644 §3.4.2.2: a filter; userName is compared case-insensitively.
pub fn filter() -> Draft {
    Draft {
        method: "GET".into(),
        body: String::new(),
        ..put("/Users?filter=userName eq \"BJENSEN\"", "Accept: application/scim+json", "")
    }
}

/// After Veeva Vault's "Update User with SCIM" body (API reference 23.1), keeping the seed
/// user's userName (the page's example renames the user, which made a second Send a 404) and
/// adding the `null` and `[]` the page documents.
pub fn veeva() -> Draft {
    put(
        "/Users/{userName:a.smithn@veepharm.com}",
        "Content-Type: application/scim+json\nAccept: application/json",
        VEEVA_BODY,
    )
}

/// Ping Identity's "Update All User Attributes" body without its `emails`, so the omitted
/// attribute is there to see.
pub fn ping() -> Draft {
    put("/Users/{userName:pconley}", SCIM_HEADERS, PING_BODY)
}

/// RFC 7644 §3.5.1's PUT example (without its If-Match, whose tag this server never issued).
pub fn rfc_example() -> Draft {
    put("/Users/{userName:bjensen}", SCIM_HEADERS, RFC_BODY)
}

/// The smallest valid PUT: `schemas` and the required `userName` (RFC 7643 §4.1.1).
pub fn minimal() -> Draft {
    put("/Users/{userName:bjensen}", SCIM_HEADERS, MINIMAL_BODY)
}

/// The composer starts from (and "reset" returns to) the minimal template. Implemented here,
/// not in `draft`, so that `draft` imports nothing of this crate.
impl Default for Draft {
    fn default() -> Self {
        minimal()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::draft::BodyCheck;
    use crate::lane::Lane;

    #[test]
    fn only_edited_drafts_are_worth_an_undo() {
        assert!(is_untouched(&Draft::default()));
        assert!(TEMPLATES.iter().all(|t| is_untouched(&(t.make)())));
        let mut edited = ping();
        edited.body.push(' ');
        assert!(!is_untouched(&edited));
    }

    #[test]
    fn every_template_is_valid_json_with_parseable_headers() {
        for t in TEMPLATES {
            let d = (t.make)();
            assert!(d.body.is_empty() || BodyCheck::of(&d.body) == BodyCheck::Valid, "{}", t.id);
            assert!(d.parse_headers().is_ok(), "{}", t.id);
            assert!(by_id(t.id).is_some());
            assert!(
                crate::catalog::find_profile(t.lanes[0]).is_some()
                    && crate::catalog::find_profile(t.lanes[1]).is_some()
            );
        }
    }

    #[test]
    fn every_template_reaches_every_profile_once_rendered_for_it() {
        // Rendering removes dialect (paths, URNs, ids): a template either succeeds, or the
        // profile refuses it for what the service does (a required attribute, a method it does
        // not offer, a value limit): a 400 `invalidValue` or a 405, never a 404, an
        // `invalidSyntax` (an unknown URN or attribute) or a server error.
        let mut out = vec![];
        for t in TEMPLATES {
            for choice in crate::catalog::catalog() {
                if !choice.profile.resource_types.iter().any(|r| r.endpoint == endpoint(t)) {
                    continue;
                }
                let mut lane = Lane::new(&choice.name);
                let draft = (t.make)();
                let x = lane.send(&draft, &draft.parse_headers().unwrap());
                let status = x.response.status;
                let scim_type = x.response.json().get("scimType").and_then(|v| v.as_str().map(str::to_string));
                let behaviour = status == 405 || (status == 400 && scim_type.as_deref() == Some("invalidValue"));
                if !(200..300).contains(&status) && !behaviour {
                    out.push(format!("{} in {}: {} {}", t.id, choice.name, x.request_line, x.response.body));
                }
            }
        }
        assert!(out.is_empty(), "{}", out.join("\n"));
    }

    #[test]
    fn raw_mode_sends_the_body_as_written() {
        let mut lane = Lane::new("ping");
        let draft = Draft { raw: true, ..minimal() };
        let x = lane.send(&draft, &draft.parse_headers().unwrap());
        assert_eq!(x.response.status, 400, "the core User URN is not Ping's: {}", x.response.body);
        assert_eq!(x.sent.as_ref().unwrap().body, draft.body.as_bytes());
        assert!(x.request_line.starts_with("PUT /Users/"), "no base path added: {}", x.request_line);
    }

    #[test]
    fn in_raw_mode_the_rfc_lane_rejects_vendor_extensions_it_does_not_know() {
        let mut lane = Lane::new("rfc");
        let draft = Draft { raw: true, ..veeva() };
        assert_eq!(lane.send(&draft, &draft.parse_headers().unwrap()).response.status, 400);
    }
}
