//! The probe battery as data: each probe's name, the knobs it decides and the request
//! sequence it sends, in the order [`crate::Learner`] runs them. `{U}` stands for the probe's
//! throw-away user (`scim-learn-{nonce}-{probe}`), `{id}` for the id the server gave it.
//! Every user and group a probe creates is deleted at the end (a server whose DELETE only
//! deactivates keeps them deactivated; the output says so).

use serde::Serialize;

/// One probe of the battery.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Probe {
    pub name: &'static str,
    /// The knobs it can decide (`behaviour.omitted`, `resourceTypes.User.methods`).
    pub decides: &'static [&'static str],
    /// The request sequence and how the answer is read.
    pub sequence: &'static str,
}

/// The knobs the battery can decide, for any server. A knob not listed here keeps the
/// RFC's default in a learned profile and is named among the undecided ones; a listed knob
/// can still stay undecided on a given server (a PUT the server does not take decides
/// nothing about PUT), and the output then says why.
pub const DECIDABLE: [&str; 29] = [
    "media.defaultResponse",
    "behaviour.omitted",
    "behaviour.unknownAttributes",
    "behaviour.idMismatch",
    "behaviour.multiplePrimary",
    "behaviour.stringBooleans",
    "behaviour.missingExtensionUrn",
    "behaviour.complexReplace",
    "behaviour.versioning",
    "behaviour.strictMediaTypes",
    "behaviour.patchResponse",
    "behaviour.deleteMode",
    "behaviour.deactivated",
    "behaviour.caseSensitivePaths",
    "behaviour.ifMatchUnversioned",
    "behaviour.unsupportedMethodStatus",
    "behaviour.sorting",
    "behaviour.paging",
    "behaviour.filterOperators",
    "behaviour.unsupportedFilter",
    "behaviour.filterRequired",
    "behaviour.patchPathRequired",
    "behaviour.listKey",
    "resourceTypes.User.endpoint",
    "resourceTypes.User.metaResourceType",
    "resourceTypes.User.methods",
    "resourceTypes.Group.endpoint",
    "resourceTypes.Group.metaResourceType",
    "resourceTypes.Group.methods",
];

/// The battery, in the order it runs.
pub fn battery() -> Vec<Probe> {
    vec![
        Probe {
            name: "discovery",
            decides: &["media.defaultResponse", "resourceTypes.User.endpoint", "resourceTypes.Group.endpoint"],
            sequence: "GET /ResourceTypes (Accept: */*): the endpoints, the User schema and its extensions; the \
                       Content-Type answered is the default response media type. GET /Schemas: the attributes a \
                       probe user may carry (only those the server defines are sent).",
        },
        Probe {
            name: "create",
            decides: &["behaviour.versioning", "resourceTypes.User.metaResourceType"],
            sequence: "POST /Users {U}: an ETag header or meta.version means versioning; meta.resourceType is \
                       read as written. Every later user probe starts the same way.",
        },
        Probe {
            name: "media",
            decides: &["behaviour.strictMediaTypes"],
            sequence: "POST /Users {U} with Content-Type: text/plain: 415 means strict media types, 2xx not.",
        },
        Probe {
            name: "case",
            decides: &["behaviour.caseSensitivePaths"],
            sequence: "GET the user at the endpoint with its first letter's case swapped (/users/{id}): 404 means \
                       case-sensitive paths, 200 not.",
        },
        Probe {
            name: "omitted",
            decides: &["behaviour.omitted", "resourceTypes.User.methods", "behaviour.unsupportedMethodStatus"],
            sequence: "PUT /Users/{id} with the create body minus title, then GET: title gone means clear, still \
                       there means keep. A PUT refused as unsupported (405, 501, or a 400/404 saying so) \
                       takes PUT out of the methods.",
        },
        Probe {
            name: "complex",
            decides: &["behaviour.complexReplace"],
            sequence: "PUT /Users/{id} with name {givenName} only, then GET: familyName gone means whole, kept \
                       means merge.",
        },
        Probe {
            name: "idMismatch",
            decides: &["behaviour.idMismatch"],
            sequence: "PUT /Users/{id} with a different id in the body: 400 means reject, 2xx (id unchanged) \
                       ignore.",
        },
        Probe {
            name: "ifMatch",
            decides: &["behaviour.ifMatchUnversioned"],
            sequence: "Without versioning only: PUT (else PATCH) /Users/{id} with If-Match: W/\"scim-learn\": 412 \
                       means reject, 2xx ignore.",
        },
        Probe {
            name: "patch",
            decides: &["behaviour.patchResponse", "behaviour.patchPathRequired", "resourceTypes.User.methods"],
            sequence: "PATCH /Users/{id} replace title: 204 means noContent, 200 {} emptyObject, 200 with the \
                       resource resource. Then PATCH replace without a path ({\"title\": ...} as value): 400 \
                       means a path is required.",
        },
        Probe {
            name: "unknown",
            decides: &["behaviour.unknownAttributes"],
            sequence: "POST /Users {U} plus scimLearnUnknownAttribute: 400 means reject, 2xx without it \
                       echoed ignore.",
        },
        Probe {
            name: "stringBoolean",
            decides: &["behaviour.stringBooleans"],
            sequence: "POST /Users {U} with active: \"False\": 400 means reject, 2xx with active false coerce.",
        },
        Probe {
            name: "primary",
            decides: &["behaviour.multiplePrimary"],
            sequence: "POST /Users {U} with two emails both primary: 2xx with one primary left means keepLast; \
                       on 400, POST {U} with two emails, one primary: 2xx means reject (a server refusing two \
                       values at all decides nothing).",
        },
        Probe {
            name: "extensionUrn",
            decides: &["behaviour.missingExtensionUrn"],
            sequence: "When Users take the enterprise extension: POST /Users {U} with an enterprise \
                       employeeNumber whose URN is left out of schemas: 400 means reject, 2xx accept.",
        },
        Probe {
            name: "deactivated",
            decides: &["behaviour.deactivated"],
            sequence: "POST /Users {U} with active false, then GET it: 404 means notFound, 200 visible.",
        },
        Probe {
            name: "delete",
            decides: &["behaviour.deleteMode", "resourceTypes.User.methods"],
            sequence: "DELETE /Users/{id} of the media probe's user, then GET it: 404 means delete, 200 with \
                       active false deactivate (undecidable where deactivated users answer 404).",
        },
        Probe {
            name: "list",
            decides: &["behaviour.filterRequired", "behaviour.paging", "behaviour.listKey"],
            sequence: "GET /Users?count=1: 400 tooMany means a filter is required; more than one resource back \
                       means no paging, nextCursor cursor paging, else index paging. The key holding the \
                       resources (Resources or resources) is the list key.",
        },
        Probe {
            name: "sort",
            decides: &["behaviour.sorting"],
            sequence: "GET /Users?sortBy=userName&sortOrder=ascending, then descending: both orders right means \
                       sorting, else not.",
        },
        Probe {
            name: "filter",
            decides: &["behaviour.filterOperators", "behaviour.unsupportedFilter"],
            sequence: "One GET /Users?filter=... per operator (eq ne co sw ew gt ge lt le pr and or not []), each \
                       built to match the create probe's user: the user in the answer means supported; 400 or \
                       an empty list means unsupported, and which of the two is the unsupported-filter answer.",
        },
        Probe {
            name: "groups",
            decides: &[
                "resourceTypes.Group.metaResourceType",
                "resourceTypes.Group.methods",
                "behaviour.unsupportedMethodStatus",
            ],
            sequence: "POST /Groups {displayName: scim-learn-{nonce}-group}, then GET, PUT, PATCH, DELETE it; when \
                       POST is refused, PUT, PATCH and DELETE go to a group id that does not exist (404: the \
                       method is served, the unsupported status: it is not).",
        },
        Probe {
            name: "cleanup",
            decides: &[],
            sequence: "DELETE every user and group the probes created and did not delete already.",
        },
    ]
}
