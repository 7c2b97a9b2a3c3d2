//! Starting points for the composer: the vendor examples this project reproduces, the RFC's
//! own PUT example, and a minimal body. "Current user as a PUT body" needs a lane and lives in
//! [`crate::lane::Lane::current_as_body`].

use crate::draft::Draft;

/// The headers every template sends (RFC 7644 §3.1, §8.1).
pub const SCIM_HEADERS: &str = "Content-Type: application/scim+json\nAccept: application/scim+json";

/// A template as the picker lists it.
#[derive(Debug, Clone, Copy)]
pub struct Template {
    pub id: &'static str,
    pub label: &'static str,
    pub make: fn() -> Draft,
}

/// Id of the template that GETs the current user first.
pub const CURRENT_USER: &str = "current";

/// The picker's entries, in order (the "current user" entry is added by the UI).
pub const TEMPLATES: &[Template] = &[
    Template { id: "veeva", label: "Veeva Vault: update user", make: veeva },
    Template { id: "ping", label: "Ping Identity: update all user attributes", make: ping },
    Template { id: "rfc", label: "RFC 7644 §3.5.1 example", make: rfc_example },
    Template { id: "minimal", label: "Minimal body", make: minimal },
];

pub fn by_id(id: &str) -> Option<&'static Template> {
    TEMPLATES.iter().find(|t| t.id == id)
}

/// Bodies are kept as text (already pretty-printed): far smaller in wasm than `json!`.
fn put(path: &str, headers: &str, body: &str) -> Draft {
    Draft { method: "PUT".into(), path: path.into(), headers: headers.into(), body: body.into() }
}

const VEEVA_BODY: &str = r#"{
  "schemas": [
    "urn:ietf:params:scim:schemas:extension:veevavault:2.0:User",
    "urn:ietf:params:scim:schemas:core:2.0:User"
  ],
  "userName": "AbigailSmith@veepharm.com",
  "name": {
    "familyName": "Smith",
    "givenName": "Abigail"
  },
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
  "emails": [
    {
      "primary": true,
      "type": "work",
      "value": "pat.conley@runciter.com"
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

/// Veeva Vault's "Update User with SCIM" request body, verbatim (API reference 23.1).
pub fn veeva() -> Draft {
    put(
        "/Users/{userName:a.smithn@veepharm.com}",
        "Content-Type: application/scim+json\nAccept: application/json",
        VEEVA_BODY,
    )
}

/// Ping Identity's "Update All User Attributes" request body, verbatim.
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
    use serde_json::Value;

    /// The lane (profile) each template is written for, and the status it answers there.
    /// The minimal template is the default draft, so it must succeed in both default lanes.
    const MEANT_FOR: &[(&str, &str, u16)] = &[
        ("veeva", "veeva", 200),
        ("ping", "ping", 200),
        ("rfc", "rfc", 200),
        ("minimal", "rfc", 200),
        ("minimal", "veeva", 200),
    ];

    #[test]
    fn every_template_is_valid_json_with_parseable_headers() {
        for t in TEMPLATES {
            let d = (t.make)();
            assert_eq!(BodyCheck::of(&d.body), BodyCheck::Valid, "{}", t.id);
            assert!(d.parse_headers().is_ok(), "{}", t.id);
            assert!(by_id(t.id).is_some());
        }
    }

    #[test]
    fn every_template_replaces_its_user_in_the_lane_it_is_meant_for() {
        for t in TEMPLATES {
            assert!(MEANT_FOR.iter().any(|(id, ..)| *id == t.id), "template {} has no lane in MEANT_FOR", t.id);
        }
        for &(id, profile, status) in MEANT_FOR {
            let draft = (by_id(id).unwrap().make)();
            let mut lane = Lane::new(profile);
            assert_eq!(lane.profile_name, profile);
            let path = lane.resolve_path(&draft.path).unwrap_or_else(|e| panic!("{id} in {profile}: {e}"));
            let x = lane.send(&draft, &draft.parse_headers().unwrap());
            let body = x.response.json();
            assert_eq!(
                (x.request_line.as_str(), x.response.status),
                (format!("PUT {path}").as_str(), status),
                "{id} in {profile}: {body}"
            );
            // The replaced user carries the template's userName under the id the path named.
            let sent: Value = serde_json::from_str(&draft.body).unwrap();
            assert_eq!((&body["userName"], body["id"].as_str()), (&sent["userName"], path.strip_prefix("/Users/")));
        }
    }

    #[test]
    fn rfc_lane_rejects_vendor_extensions_it_does_not_know() {
        let mut lane = Lane::new("rfc");
        let draft = veeva();
        assert_eq!(lane.send(&draft, &draft.parse_headers().unwrap()).response.status, 400);
    }
}
