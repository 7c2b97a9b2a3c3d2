//! Lessons: a short guided path through what a SCIM PUT does, one scenario per step. Each
//! lesson opens the two lanes that make its point, loads its request, runs it on load and
//! names the rows that matter (highlighted in the Explanation and the Differences). Opened
//! with `?lesson=ID` (also in an embed).

use crate::draft::Draft;
use crate::templates::SCIM_HEADERS;

/// One step of the path.
#[derive(Debug, Clone, Copy)]
pub struct Lesson {
    pub id: &'static str,
    pub title: &'static str,
    /// The profiles of lanes A and B.
    pub lanes: [&'static str; 2],
    /// One paragraph: what happened and why.
    pub text: &'static str,
    /// Attribute names (or Differences paths such as `status`) whose rows matter; a row
    /// matches a name or anything below it (`name` matches `name.familyName`).
    pub highlight: &'static [&'static str],
    /// The status each lane answers (a lesson may be about an error).
    pub statuses: [u16; 2],
    pub make: fn() -> Draft,
}

/// The path, in order.
pub const LESSONS: &[Lesson] = &[
    Lesson {
        id: "put-replaces",
        title: "PUT replaces",
        lanes: ["rfc", "veeva"],
        text: "A PUT sends the whole resource, and what it sends replaces what was stored (RFC 7644 §3.5.1). This body names only givenName inside name: the rfc lane replaces the whole name, so familyName and formatted are gone; Veeva merges the sub-attributes sent into the stored name.",
        highlight: &["name"],
        statuses: [200, 200],
        make: put_replaces,
    },
    Lesson {
        id: "omitted",
        title: "Omitted attributes",
        lanes: ["rfc", "veeva"],
        text: "The body names userName only. What a PUT leaves out is where services differ most: the RFC's reading clears every omitted attribute (title, name, emails…), Veeva keeps them. Both are allowed; a client that sends partial bodies loses data on the first kind.",
        highlight: &["title", "name", "emails", "displayName", "phoneNumbers", "addresses"],
        statuses: [200, 200],
        make: omitted,
    },
    Lesson {
        id: "null-and-empty",
        title: "null and []",
        lanes: ["rfc", "veeva"],
        text: "To clear an attribute on a service that keeps omitted ones, say so: null clears a single-valued attribute (title) and [] a multi-valued one (emails), in every profile. Both lanes clear them; they still differ on what the body leaves out.",
        highlight: &["title", "emails"],
        statuses: [200, 200],
        make: null_and_empty,
    },
    Lesson {
        id: "readonly",
        title: "readOnly and immutable",
        lanes: ["rfc", "strict-clear"],
        text: "id is readOnly: the server assigns it, and a value in the body is ignored (RFC 7643 §2.2) by the rfc lane. Stricter services refuse a body id that is not the path's: strict-clear answers 400. (This request is raw, so the body id is sent as written.) An immutable attribute may be set once and then only to the same value, else 400 mutability; the built-in User schemas have none, Group schemas do.",
        highlight: &["id", "status", "request", "detail", "scimType"],
        statuses: [200, 400],
        make: read_only,
    },
    Lesson {
        id: "unknown",
        title: "Unknown attributes",
        lanes: ["rfc", "veeva"],
        text: "shoeSize is in no schema. The rfc lane refuses the whole request (400 invalidSyntax, naming the attribute), and a failed request changes nothing; Veeva ignores what it does not know and applies the rest.",
        highlight: &["shoeSize", "status", "request"],
        statuses: [400, 200],
        make: unknown,
    },
    Lesson {
        id: "etag",
        title: "ETags and 412",
        lanes: ["rfc", "ping"],
        text: "If-Match makes a PUT conditional (RFC 7644 §3.14): the rfc lane versions its users, the tag sent is not the current one, so it answers 412 Precondition Failed and changes nothing. Ping keeps no versions and ignores If-Match: its PUT applies.",
        highlight: &["status", "request", "meta.version"],
        statuses: [412, 200],
        make: etag,
    },
    Lesson {
        id: "put-vs-patch",
        title: "PUT vs PATCH",
        lanes: ["rfc", "veeva"],
        text: "The same change as a PATCH (RFC 7644 §3.5.2): replace title and nothing else. Unlike the PUT of the second lesson, what the request does not name stays in both lanes, whatever their omitted-attributes knob.",
        highlight: &["title"],
        statuses: [200, 200],
        make: patch,
    },
];

pub fn by_id(id: &str) -> Option<(usize, &'static Lesson)> {
    LESSONS.iter().enumerate().find(|(_, l)| l.id == id)
}

/// Whether a row (an Explanation attribute or a Differences path) is one the lesson names.
pub fn matches(highlight: &[&str], path: &str) -> bool {
    highlight.iter().any(|h| {
        path.eq_ignore_ascii_case(h)
            || path.strip_prefix(h).is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
            || path.strip_prefix("header ").is_some_and(|p| p.eq_ignore_ascii_case(h))
    })
}

fn draft(method: &str, headers: &str, body: &str) -> Draft {
    Draft {
        method: method.into(),
        path: "/Users/{userName:bjensen}".into(),
        headers: headers.into(),
        body: body.into(),
        raw: false,
    }
}

fn put_replaces() -> Draft {
    draft(
        "PUT",
        SCIM_HEADERS,
        r#"{
  "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
  "userName": "bjensen",
  "name": {
    "givenName": "Babs"
  }
}"#,
    )
}

fn omitted() -> Draft {
    crate::templates::minimal()
}

fn null_and_empty() -> Draft {
    draft(
        "PUT",
        SCIM_HEADERS,
        r#"{
  "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
  "userName": "bjensen",
  "title": null,
  "emails": []
}"#,
    )
}

fn read_only() -> Draft {
    Draft {
        raw: true,
        ..draft(
            "PUT",
            SCIM_HEADERS,
            r#"{
  "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
  "id": "not-the-id-in-the-path",
  "userName": "bjensen",
  "title": "Tour Guide"
}"#,
        )
    }
}

fn unknown() -> Draft {
    draft(
        "PUT",
        SCIM_HEADERS,
        r#"{
  "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
  "userName": "bjensen",
  "shoeSize": 9
}"#,
    )
}

fn etag() -> Draft {
    draft(
        "PUT",
        "Content-Type: application/scim+json\nAccept: application/scim+json\nIf-Match: W/\"0\"",
        r#"{
  "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
  "userName": "bjensen",
  "title": "Tour Guide"
}"#,
    )
}

fn patch() -> Draft {
    crate::templates::patch()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::playground::Playground;

    #[test]
    fn every_lesson_answers_as_it_says_and_has_a_row_to_highlight() {
        for lesson in LESSONS {
            let mut pg = Playground::with_profiles(lesson.lanes[0], lesson.lanes[1]);
            assert_eq!(
                [pg.lanes[0].profile_name.as_str(), pg.lanes[1].profile_name.as_str()],
                lesson.lanes,
                "{}",
                lesson.id
            );
            pg.send(&(lesson.make)()).unwrap();
            let statuses: Vec<u16> = pg.lanes.iter().map(|l| l.last.as_ref().unwrap().response.status).collect();
            assert_eq!(
                statuses,
                lesson.statuses,
                "{}: {:?}",
                lesson.id,
                pg.lanes[0].last.as_ref().unwrap().response.body
            );
            let diff_rows =
                pg.differences().unwrap().into_iter().filter(|r| matches(lesson.highlight, &r.path)).count();
            let explained = pg
                .lanes
                .iter()
                .filter_map(|l| crate::explain_view::build(&l.last.as_ref().unwrap().response))
                .flat_map(|v| v.rows.into_iter().chain(v.stopped))
                .filter(|r| matches(lesson.highlight, &r.name))
                .count();
            assert!(diff_rows + explained > 0, "{}: nothing to highlight", lesson.id);
        }
    }

    #[test]
    fn rows_match_a_name_and_what_is_below_it() {
        assert!(matches(&["name"], "name.familyName"));
        assert!(matches(&["emails"], "emails[0].value"));
        assert!(matches(&["title"], "Title"));
        assert!(!matches(&["name"], "userName"));
        assert!(!matches(&["name"], "nameX"));
        assert!(matches(&["status"], "status"));
    }

    #[test]
    fn ids_are_unique() {
        for (i, l) in LESSONS.iter().enumerate() {
            assert_eq!(by_id(l.id).map(|(j, _)| j), Some(i));
        }
    }
}
