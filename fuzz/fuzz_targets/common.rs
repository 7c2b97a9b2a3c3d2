//! Shared pieces of the fuzz targets: a structure-aware JSON value and the names SCIM
//! requests use, so generated input reaches past the JSON parser into the engine.

use arbitrary::{Arbitrary, Unstructured};
use serde_json::{Map, Value, json};

/// Attribute names and paths a SCIM client writes (some valid, some nearly so).
pub const NAMES: &[&str] = &[
    "userName",
    "USERNAME",
    "name",
    "name.givenName",
    "name.familyName",
    "displayName",
    "title",
    "active",
    "emails",
    "emails.value",
    "emails[type eq \"work\"]",
    "emails[type eq \"work\"].value",
    "emails[primary eq true].display",
    "phoneNumbers",
    "phoneNumbers[value co \"555\"]",
    "addresses",
    "addresses[type eq \"home\"].locality",
    "members",
    "members[value eq \"00000000-0000-4000-8000-000000000001\"]",
    "groups",
    "externalId",
    "id",
    "meta",
    "meta.lastModified",
    "meta.version",
    "schemas",
    "password",
    "x509Certificates",
    "roles",
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber",
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value",
    "urn:ietf:params:scim:schemas:core:2.0:User:userName",
    "urn:pingidentity:schemas:User:1.0:userName",
    "nickName",
    "",
];

pub const URNS: &[&str] = &[
    "urn:ietf:params:scim:schemas:core:2.0:User",
    "urn:ietf:params:scim:schemas:core:2.0:Group",
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
    "urn:ietf:params:scim:api:messages:2.0:PatchOp",
    "urn:ietf:params:scim:api:messages:2.0:SearchRequest",
    "urn:pingidentity:schemas:User:1.0",
];

/// A name from [`NAMES`] or any string.
#[derive(Debug, Arbitrary)]
pub enum Name {
    Known(u8),
    Raw(String),
}

impl Name {
    pub fn text(&self) -> String {
        match self {
            Name::Known(i) => NAMES[usize::from(*i) % NAMES.len()].to_string(),
            Name::Raw(s) => s.clone(),
        }
    }
}

/// A JSON value whose keys are mostly SCIM names.
#[derive(Debug)]
pub struct Json(pub Value);

impl<'a> Arbitrary<'a> for Json {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        Ok(Json(value(u, 0)?))
    }
}

fn value(u: &mut Unstructured<'_>, depth: u32) -> arbitrary::Result<Value> {
    let pick: u8 = if depth > 4 { u.int_in_range(0..=7)? } else { u.int_in_range(0..=10)? };
    Ok(match pick {
        0 => Value::Null,
        1 => Value::Bool(u.arbitrary()?),
        2 => json!(u.arbitrary::<i64>()?),
        3 => serde_json::Number::from_f64(u.arbitrary()?).map_or(Value::Null, Value::Number),
        4 | 5 => Value::String(u.arbitrary()?),
        6 => Value::String(URNS[usize::from(u.arbitrary::<u8>()?) % URNS.len()].into()),
        7 => Value::String(Name::arbitrary(u)?.text()),
        8 => Value::Array((0..u.int_in_range(0..=3)?).map(|_| value(u, depth + 1)).collect::<Result<_, _>>()?),
        _ => Value::Object(object(u, depth + 1)?),
    })
}

/// An object of 0–5 members, keys mostly SCIM names.
pub fn object(u: &mut Unstructured<'_>, depth: u32) -> arbitrary::Result<Map<String, Value>> {
    let mut m = Map::new();
    for _ in 0..u.int_in_range(0..=5)? {
        let key = Name::arbitrary(u)?.text();
        m.insert(key, value(u, depth + 1)?);
    }
    Ok(m)
}
