//! A profile card, in plain Rust: what a service does, in sentences a person reads (omitted
//! attributes, `null`, `[]`, unknown attributes, readOnly values, ids, PATCH, DELETE, lists
//! and paging, versioning, methods and limits per resource type), each naming the knob that
//! decides it and how that knob's value is known; then every knob with its value and source
//! ([`scim_core::Profile::knobs`]).

use scim_core::{
    Basis, ComplexReplace, Deactivated, DeleteMode, IdMismatch, IdStyle, IfMatchUnversioned, Knob, ListKey,
    MemberDisplay, MemberReferences, MissingExtensionUrn, MultiplePrimary, Omitted, Paging, PatchResponse, Profile,
    StringBooleans, Unknown, UnsupportedFilter,
};
use serde_json::Value;

/// One sentence of the card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// What it is about (`Omitted attributes`).
    pub topic: &'static str,
    pub text: String,
    /// The knobs that decide it (`behaviour.omitted`); empty for a rule every profile follows.
    pub knobs: Vec<String>,
    /// How the knobs' values are known: `documented`, `inferred`, `secondary`, `not cited`
    /// (the RFC default), or `always` for a rule every profile follows.
    pub basis: String,
    /// Where the first cited knob's source is.
    pub url: Option<String>,
}

/// One knob as the card's table shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnobRow {
    pub name: String,
    /// The value as compact JSON (`"keep"` without quotes, `[...]`, `-` when not set).
    pub value: String,
    pub basis: String,
    pub url: Option<String>,
    pub quote: String,
    pub note: String,
}

/// The whole card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Card {
    pub name: String,
    pub title: String,
    pub lines: Vec<Line>,
    pub knobs: Vec<KnobRow>,
}

fn basis_word(b: Basis) -> &'static str {
    match b {
        Basis::Documented => "documented",
        Basis::Inferred => "inferred",
        Basis::Secondary => "secondary",
    }
}

fn value_text(v: &Value) -> String {
    match v {
        Value::Null => "-".into(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The card of a profile.
pub fn card(p: &Profile) -> Card {
    let knobs = p.knobs();
    let mut lines = Vec::new();
    let mut say = |topic: &'static str, text: String, names: &[String]| {
        let cited: Vec<&Knob> =
            names.iter().filter_map(|n| knobs.iter().find(|k| &k.name == n)).filter(|k| k.source.is_some()).collect();
        let basis = if names.is_empty() {
            "always".to_string()
        } else if cited.is_empty() {
            "not cited".to_string()
        } else {
            let mut words: Vec<&str> =
                cited.iter().filter_map(|k| k.source.as_ref()).map(|s| basis_word(s.basis)).collect();
            words.dedup();
            words.join(", ")
        };
        let url = cited.first().and_then(|k| k.source.as_ref()).map(|s| s.url.clone());
        lines.push(Line { topic, text, knobs: names.to_vec(), basis, url });
    };
    let b = &p.behaviour;
    let k = |s: &str| format!("behaviour.{s}");

    say(
        "Omitted attributes",
        match b.omitted {
            Omitted::Clear => {
                "A PUT clears every attribute the body leaves out (RFC 7644 §3.5.1: the body replaces the resource)."
                    .into()
            }
            Omitted::Keep => {
                "A PUT keeps every attribute the body leaves out; only what the body names changes.".into()
            }
        },
        &[k("omitted")],
    );
    say(
        "null and []",
        "null clears a single-valued attribute and [] a multi-valued one; a left-out password (writeOnly) is kept."
            .into(),
        &[],
    );
    say(
        "Complex values",
        match b.complex_replace {
            ComplexReplace::Whole => "A complex value in the body (name) replaces the stored one whole: sub-attributes it leaves out are cleared.".into(),
            ComplexReplace::Merge => "A complex value in the body (name) is merged into the stored one: sub-attributes it leaves out are kept.".into(),
        },
        &[k("complexReplace")],
    );
    say(
        "Unknown attributes",
        match b.unknown_attributes {
            Unknown::Reject => {
                "An attribute no schema defines is a 400 invalidSyntax naming it; nothing is applied.".into()
            }
            Unknown::Ignore => "An attribute no schema defines is ignored; the rest of the body is applied.".into(),
        },
        &[k("unknownAttributes")],
    );
    say("readOnly values", "readOnly values in a body (id, meta, groups) are ignored; the server's stay.".into(), &[]);
    let ids = match &p.id_style {
        IdStyle::Uuid => "Ids are UUIDs the server makes.".to_string(),
        IdStyle::Numeric { start } => format!("Ids are numbers counting up from {start}."),
    };
    let mismatch = match b.id_mismatch {
        IdMismatch::Ignore => "A body id that differs from the path is ignored (the path wins).",
        IdMismatch::Reject => "A body id that differs from the path is a 400.",
    };
    say("Ids", format!("{ids} {mismatch}"), &["idStyle".into(), k("idMismatch")]);
    say(
        "Values",
        format!(
            "{} {} {}",
            match b.string_booleans {
                StringBooleans::Reject => "\"True\"/\"False\" for a boolean is a 400 invalidValue.",
                StringBooleans::Coerce => "\"True\"/\"False\" for a boolean is read as true/false.",
            },
            match b.multiple_primary {
                MultiplePrimary::Reject => "Two primary: true values are a 400.",
                MultiplePrimary::KeepLast => "Of several primary: true values the last stays primary.",
            },
            match b.missing_extension_urn {
                MissingExtensionUrn::Reject => "An extension object whose URN is not in schemas is a 400.",
                MissingExtensionUrn::Accept => "An extension object is accepted even when its URN is not in schemas.",
            }
        ),
        &[k("stringBooleans"), k("multiplePrimary"), k("missingExtensionUrn")],
    );
    say(
        "PATCH",
        format!(
            "A successful PATCH answers {}.{}",
            match b.patch_response {
                PatchResponse::Resource => "200 with the resource",
                PatchResponse::NoContent => "204 with no body",
                PatchResponse::EmptyObject => "200 with {}",
            },
            if b.patch_path_required { " Every operation must name a path." } else { "" }
        ),
        &[k("patchResponse"), k("patchPathRequired")],
    );
    say(
        "DELETE",
        format!(
            "DELETE {} {}",
            match b.delete_mode {
                DeleteMode::Delete => "removes the resource.",
                DeleteMode::Deactivate => "sets active: false instead of removing the resource.",
            },
            match b.deactivated {
                Deactivated::Visible => "A deactivated user is still read and listed.",
                Deactivated::NotFound => "A deactivated user answers 404 and leaves lists.",
            }
        ),
        &[k("deleteMode"), k("deactivated")],
    );
    let page = match b.paging {
        Paging::Index => "Lists page by startIndex and count (RFC 7644 §3.4.2.4)".to_string(),
        Paging::Cursor => "Lists page by cursor (RFC 9865); startIndex is ignored".to_string(),
        Paging::None => "Lists are not paged: the whole result comes back".to_string(),
    };
    let size = match b.default_page_size {
        Some(n) => format!(", {n} per page unless count says otherwise, at most {}", b.max_page_size),
        None => format!(", at most {} per page", b.max_page_size),
    };
    let sort = if b.sorting { "sortBy is honoured" } else { "sortBy is ignored" };
    say(
        "Lists and paging",
        format!(
            "{page}{size}; {sort}; resources come under \"{}\".",
            match b.list_key {
                ListKey::Capitalized => "Resources",
                ListKey::Lowercase => "resources",
            }
        ),
        &[k("paging"), k("defaultPageSize"), k("maxPageSize"), k("sorting"), k("listKey")],
    );
    let ops = match &b.filter_operators {
        Some(ops) => format!("Filters may use only {}", ops.join(", ")),
        None => "Filters may use every operator".to_string(),
    };
    say(
        "Filters",
        format!(
            "{ops}; anything else {}.{}",
            match b.unsupported_filter {
                UnsupportedFilter::Reject => "is a 400 invalidFilter",
                UnsupportedFilter::EmptyList => "gets an empty list",
            },
            if b.filter_required { " A list without a filter is a 400 tooMany." } else { "" }
        ),
        &[k("filterOperators"), k("unsupportedFilter"), k("filterRequired")],
    );
    say(
        "Versions",
        if b.versioning {
            "Resources carry ETags and meta.version; If-Match with an old version is a 412.".into()
        } else {
            match b.if_match_unversioned {
                IfMatchUnversioned::Ignore => "No ETags or meta.version; If-Match is ignored.".into(),
                IfMatchUnversioned::Reject => "No ETags or meta.version; a write with If-Match is a 412.".into(),
            }
        },
        &[k("versioning"), k("ifMatchUnversioned")],
    );
    say(
        "Paths and media",
        format!(
            "SCIM lives under {}; endpoint names in paths {}; {}",
            p.base_path,
            if b.case_sensitive_paths { "must match in case" } else { "match in any case" },
            if b.strict_media_types {
                "a body that is not JSON is a 415."
            } else {
                "any Content-Type is read as JSON."
            }
        ),
        &["basePath".into(), k("caseSensitivePaths"), k("strictMediaTypes")],
    );
    if p.resource_types.iter().any(|rt| rt.endpoint.eq_ignore_ascii_case("/Groups")) {
        say(
            "Group members",
            format!(
                "{} {}",
                match b.member_references {
                    MemberReferences::Checked =>
                        "A member must be a user or group the service holds (else 400 invalidValue).",
                    MemberReferences::Accepted => "A member naming nothing the service holds is stored as sent.",
                },
                match b.member_display {
                    MemberDisplay::Derived => "members[].display is filled from the member's displayName.",
                    MemberDisplay::Echoed => "members[].display is what the client sent, or absent.",
                }
            ),
            &[k("memberReferences"), k("memberDisplay")],
        );
    }
    for rt in &p.resource_types {
        let t = |s: &str| format!("resourceTypes.{}.{s}", rt.name);
        let mut parts = Vec::new();
        match &rt.methods {
            Some(m) => parts.push(format!(
                "{} takes {}; other methods get {}.",
                rt.endpoint,
                m.join(", "),
                b.unsupported_method_status
            )),
            None => parts.push(format!("{} takes every method.", rt.endpoint)),
        }
        if !rt.required_attributes.is_empty() {
            parts.push(format!("Required beyond the schema: {}.", rt.required_attributes.join(", ")));
        }
        if !rt.put_ignores.is_empty() {
            parts.push(format!("A PUT accepts {} but does not change them.", rt.put_ignores.join(", ")));
        }
        if !rt.never_returned.is_empty() {
            parts.push(format!("Never returned: {}.", rt.never_returned.join(", ")));
        }
        if let Some(attrs) = &rt.filter_attributes {
            parts.push(format!("Filters may name only {}.", attrs.join(", ")));
        }
        if rt.list_omits_extensions {
            parts.push("Lists leave the extensions out (a GET by id has them).".into());
        }
        for (what, n) in [
            ("values per multi-valued attribute", rt.max_values),
            ("operations per PATCH", rt.max_patch_operations),
            ("member changes per write", rt.max_member_changes),
            ("member removals per write", rt.max_member_removals),
        ] {
            if let Some(n) = n {
                parts.push(format!("At most {n} {what}."));
            }
        }
        if !rt.members_replaceable {
            parts.push("members cannot be replaced or removed all at once.".into());
        }
        let names: Vec<String> = [
            "methods",
            "requiredAttributes",
            "putIgnores",
            "neverReturned",
            "listOmitsExtensions",
            "maxValues",
            "maxPatchOperations",
            "maxMemberChanges",
            "maxMemberRemovals",
            "membersReplaceable",
        ]
        .iter()
        .map(|s| t(s))
        .collect();
        say(resource_topic(&rt.name), parts.join(" "), &names);
    }
    let knob_rows = knobs
        .iter()
        .map(|kn| KnobRow {
            name: kn.name.clone(),
            value: value_text(&kn.value),
            basis: kn.source.as_ref().map_or("not cited", |s| basis_word(s.basis)).to_string(),
            url: kn.source.as_ref().map(|s| s.url.clone()),
            quote: kn.source.as_ref().map(|s| s.quote.clone()).unwrap_or_default(),
            note: kn.source.as_ref().map(|s| s.note.clone()).unwrap_or_default(),
        })
        .collect();
    Card { name: p.name.clone(), title: p.title.clone(), lines, knobs: knob_rows }
}

fn resource_topic(name: &str) -> &'static str {
    match name {
        "User" => "Users",
        "Group" => "Groups",
        _ => "Other resources",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line<'a>(c: &'a Card, topic: &str) -> &'a Line {
        c.lines.iter().find(|l| l.topic == topic).unwrap()
    }

    #[test]
    fn sentences_follow_the_knobs_and_name_their_basis() {
        let rfc = card(&Profile::rfc());
        assert!(line(&rfc, "Omitted attributes").text.contains("clears"));
        assert!(line(&rfc, "Group members").text.contains("else 400 invalidValue"));
        assert_eq!(line(&rfc, "null and []").basis, "always");
        let zoom = card(&Profile::builtin("zoom").unwrap());
        let omitted = line(&zoom, "Omitted attributes");
        assert!(omitted.text.contains("keeps"), "{omitted:?}");
        assert!(omitted.url.is_some() && omitted.basis != "not cited", "zoom cites omitted: {omitted:?}");
        let entra = card(&Profile::builtin("entra").unwrap());
        assert!(line(&entra, "PATCH").text.contains("204"));
        assert!(line(&entra, "Users").text.contains("other methods get 405"), "{:?}", line(&entra, "Users"));
        let aws = card(&Profile::builtin("aws").unwrap());
        assert!(line(&aws, "Lists and paging").text.contains("cursor"));
        assert!(line(&aws, "Groups").text.contains("Never returned: members"), "{:?}", line(&aws, "Groups"));
        assert!(
            line(&zoom, "Users").text.contains("Filters may name only userName, externalId"),
            "{:?}",
            line(&zoom, "Users")
        );
        let veeva = card(&Profile::builtin("veeva").unwrap());
        assert!(line(&veeva, "Ids").text.contains("numbers counting up from"));
    }

    #[test]
    fn the_table_lists_every_knob_with_its_source() {
        for info in Profile::builtins() {
            let p = Profile::builtin(&info.name).unwrap();
            let c = card(&p);
            assert_eq!(c.knobs.len(), p.knobs().len(), "{}", info.name);
            for row in &c.knobs {
                assert_eq!(row.url.is_some(), row.basis != "not cited", "{} {}", info.name, row.name);
            }
            assert!(c.lines.iter().all(|l| !l.text.is_empty()), "{}", info.name);
        }
        let veeva = card(&Profile::builtin("veeva").unwrap());
        let omitted = veeva.knobs.iter().find(|k| k.name == "behaviour.omitted").unwrap();
        assert_eq!((omitted.value.as_str(), omitted.basis.as_str()), ("keep", "inferred"));
        assert!(omitted.note.contains("kept"), "the note says what the quote does not");
        assert!(!omitted.quote.is_empty());
    }
}
