//! Seed replays: each vendor page's documented PUT, sent to the mock running that vendor's
//! profile, with the store holding the user the documented response implies. The mock's
//! answer is then diffed against the documented response attribute by attribute.
//!
//! Read these tests as the documentation of each vendor's PUT behaviour. The documented
//! request and response are copied from the pages byte for byte (placeholders such as
//! `{SESSION_ID}` and `{{accessToken}}` are replaced by the test's credential).

use scim_core::{
    Clock, DiffKind, Millis, Outcome, Profile, Request, Response, Section, Server, compare, diff_responses,
};
use serde_json::{Value, json};

/// The documented response as a [`Response`], so the comparison API can diff it. Only the
/// headers a page documents are given; the others are not compared.
fn documented(status: u16, headers: &[(&str, &str)], body: &str) -> Response {
    let parsed: Value = serde_json::from_str(body).expect("documented response is JSON");
    Response {
        status,
        headers: headers.iter().map(|(n, v)| ((*n).to_string(), (*v).to_string())).collect(),
        body: parsed.to_string(),
        ..Response::default()
    }
}

/// A server holding the profile's seed whose clock stands still at `start` (milliseconds
/// since the epoch): the documented responses carry one instant.
fn seeded_at(profile: Profile, start: Millis) -> Server {
    let mut s = Server::new(profile).expect("profile").with_clock(Clock::Stepped { start, step: 0 });
    s.seed().expect("seeded");
    s
}

/// 2018-05-30T22:21:18.000Z, the time of Veeva's example response.
const VEEVA_TIME: Millis = 1_527_718_878_000;
/// 2016-07-30T00:04:08.529Z, the time of Ping's example response.
const PING_TIME: Millis = 1_469_837_048_529;

/// Every difference between the mock's response and the page's, as `path: mock -> page`
/// lines; headers the page does not show are left out.
fn differences(mock: &Response, page: &Response) -> Vec<String> {
    diff_responses(mock, page)
        .changes()
        .filter(|e| !(e.section == Section::Header && e.right.is_none()))
        .map(|e| {
            let show = |v: &Option<Value>| v.as_ref().map_or_else(|| "(none)".to_string(), Value::to_string);
            format!("{}: {} -> {}", e.path, show(&e.left), show(&e.right))
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// Veeva Vault: PUT /api/{version}/scim/v2/Users/{id}
// ---------------------------------------------------------------------------------------

const VEEVA_SESSION_ID: &str = "3B3C45FD240E26F0C3DB4F8E34C5ECD3";

/// Body of the documented request, as printed on the page.
const VEEVA_REQUEST_BODY: &str = r#"{
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
}
"#;

/// The documented response, as printed on the page.
const VEEVA_RESPONSE_BODY: &str = r#"{
    "schemas": [
        "urn:ietf:params:scim:schemas:extension:veevavault:2.0:User",
        "urn:ietf:params:scim:schemas:core:2.0:User"
    ],
    "id": "93521",
    "meta": {
        "created": "2018-01-09T23:07:43.000Z",
        "lastModified": "2018-05-30T22:21:18.000Z",
        "resourceType": "User",
        "location": "https://veepharm.com/api/v18.2/scim/v2/Users/93521"
    },
    "active": true,
    "displayName": "Abigail Smith",
    "emails": [
        {
            "value": "abigail.smith@veepharm.com",
            "type": "work"
        }
    ],
    "locale": "en_US",
    "name": {
        "familyName": "Smith",
        "givenName": "Abigail"
    },
    "preferredLanguage": "en",
    "timezone": "America/Los_Angeles",
    "userName": "a.smithn@veepharm.com",
    "urn:ietf:params:scim:schemas:extension:veevavault:2.0:User": {
        "createdBy": {
            "$ref": "https://veepharm.com/api/v18.2/scim/v2/Users/1",
            "value": "1"
        },
        "domainAdmin": true,
        "favoriteDocNewComment": false,
        "favoriteDocNewContent": false,
        "favoriteDocNewStatus": false,
        "lastLogin": "2018-05-30T20:53:10.000Z",
        "lastModifiedBy": {
            "$ref": "https://veepharm.com/api/v18.2/scim/v2/Users/61579",
            "value": "61579"
        },
        "licenseType": {
            "$ref": "https://veepharm.com/api/v18.2/scim/v2/LicenseTypes/full__v",
            "value": "full__v"
        },
        "lifecycle": "vault_membership_lifecycle__sys",
        "lifecycleState": "active_state__sys",
        "productAnnouncementEmails": false,
        "securityPolicy": {
            "$ref": "https://veepharm.com/api/v18.2/scim/v2/SecurityPolicies/2525",
            "value": "2525"
        },
        "securityProfile": {
            "value": "system_admin__v",
            "$ref": "https://veepharm.com/api/v18.2/scim/v2/SecurityProfiles/system_admin__v"
        },
        "systemAvailabilityEmails": false
    }
}
"#;

const VEEVA_EXT: &str = "urn:ietf:params:scim:schemas:extension:veevavault:2.0:User";

/// The veeva profile with a session id configured, so the documented `Authorization`
/// header is checked; the store holds the seed user 93521 (built from the documented
/// response); the clock stands at the documented `meta.lastModified`.
fn veeva_server() -> Server {
    let profile = Profile::derive(
        &Profile::builtin("veeva").expect("veeva profile"),
        &json!({"auth": {"secret": VEEVA_SESSION_ID}}),
    )
    .expect("derived profile");
    seeded_at(profile, VEEVA_TIME)
}

/// The documented request: `curl -X PUT -H "Authorization: {SESSION_ID}" -H "Content-Type:
/// application/scim+json" --data-binary @update_user_scim.json https://veepharm.com/api/v18.2/scim/v2/Users/{id}`.
/// curl also sends `Host`; `X-Forwarded-Proto` stands for the TLS front the mock lacks.
fn veeva_request(id: &str, body: &str) -> Request {
    let mut req = Request::new("PUT", &format!("/api/v18.2/scim/v2/Users/{id}"))
        .header("Authorization", &"{SESSION_ID}".replace("{SESSION_ID}", VEEVA_SESSION_ID))
        .header("Content-Type", "application/scim+json")
        .header("Host", "veepharm.com")
        .header("X-Forwarded-Proto", "https");
    req.body = body.as_bytes().to_vec();
    req
}

/// The page's example cannot hold as printed, in two places:
///
/// 1. The request goes to `/Users/56798`, the response is user `"93521"`. A PUT never
///    creates and never moves a resource (RFC 7644 §3.5.1), so one of the two ids is
///    wrong. The replay uses the response's id, 93521, in the path; the path's 56798 is a
///    404 (tested below).
/// 2. The request sets `userName` to `AbigailSmith@veepharm.com`; the response shows
///    `a.smithn@veepharm.com`. The page says readWrite attributes are editable, and
///    `userName` is readWrite in the core schema, so a successful PUT must answer with the
///    name it was sent. The mock does; that one attribute differs from the page.
///
/// Everything else matches, attribute for attribute, timestamps and `meta.location`
/// included: the attributes the body leaves out (active, emails, locale, ...) are kept,
/// readOnly extension attributes (lastLogin, createdBy, ...) are untouched, and
/// `securityProfile` keeps its `$ref` although the body sent only `value`.
#[test]
fn veeva_documented_put_replays_except_where_the_page_contradicts_itself() {
    let mut server = veeva_server();
    let resp = server.handle(&veeva_request("93521", VEEVA_REQUEST_BODY));
    assert_eq!(resp.status, 200, "{}", resp.body);
    // No Accept header: Vault answers application/json, its documented default.
    assert_eq!(resp.header_value("Content-Type"), Some("application/json"));

    // The page's Headers table: "Accept: application/json (default)".
    let doc = documented(200, &[("Content-Type", "application/json")], VEEVA_RESPONSE_BODY);
    assert_eq!(
        differences(&resp, &doc),
        vec![r#"userName: "AbigailSmith@veepharm.com" -> "a.smithn@veepharm.com""#.to_string()],
        "the mock (left) and the page (right) must differ only in the self-contradictory userName"
    );

    let expl = resp.explanation.expect("PUT explains itself");
    let outcome = |p: &str| expl.get(p).map(|e| e.outcome);
    // Omitted attributes are kept (behaviour.omitted = keep).
    for kept in ["emails", "active", "displayName", "locale", "timezone", "preferredLanguage"] {
        assert_eq!(outcome(kept), Some(Outcome::KeptOmitted), "{kept}");
    }
    assert_eq!(outcome("userName"), Some(Outcome::Replaced));
    // securityProfile: the body's {value} is merged over the stored {value, $ref}
    // (behaviour.complexReplace = merge); the value equals the stored one. The seed has to
    // hold system_admin__v already: had the PUT changed the value, Vault would have
    // rebuilt $ref from it, which the mock does not model (it would keep the old $ref).
    assert_eq!(outcome(&format!("{VEEVA_EXT}:securityProfile")), Some(Outcome::Unchanged));
}

/// The page's path id, 56798, names no user in a store seeded from the page's response:
/// a PUT never creates (RFC 7644 §3.5.1), so this is a 404 and nothing changes.
#[test]
fn veeva_path_id_from_the_page_is_not_the_documented_user() {
    let mut server = veeva_server();
    let before = server.snapshot();
    let resp = server.handle(&veeva_request("56798", VEEVA_REQUEST_BODY));
    assert_eq!(resp.status, 404);
    assert!(resp.json()["detail"].as_str().unwrap_or_default().contains("56798"));
    assert_eq!(server.snapshot(), before);
}

/// "Invalid attributes are ignored. You can set single-valued attributes to blank using
/// null, or an empty array [] for multi-valued attributes." readOnly values (lastLogin)
/// are ignored too.
#[test]
fn veeva_ignores_invalid_attributes_and_clears_with_null_and_empty_array() {
    let mut server = veeva_server();
    let body = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", VEEVA_EXT],
        "favouriteColour": "teal",
        "timezone": null,
        "emails": [],
        VEEVA_EXT: {"lastLogin": "2030-01-01T00:00:00.000Z", "favoriteDocNewComment": true}
    });
    let resp = server.handle(&veeva_request("93521", &body.to_string()));
    assert_eq!(resp.status, 200, "{}", resp.body);
    let user = resp.json();
    assert!(user.get("favouriteColour").is_none());
    assert!(user.get("timezone").is_none(), "null cleared the single-valued timezone");
    assert!(user.get("emails").is_none(), "[] cleared the multi-valued emails");
    assert_eq!(user["userName"], "a.smithn@veepharm.com", "omitted: kept");
    assert_eq!(user[VEEVA_EXT]["lastLogin"], "2018-05-30T20:53:10.000Z", "readOnly: ignored");
    assert_eq!(user[VEEVA_EXT]["favoriteDocNewComment"], true);
    let expl = resp.explanation.expect("explanation");
    assert_eq!(expl.get("favouriteColour").map(|e| e.outcome), Some(Outcome::IgnoredUnknown));
    assert_eq!(expl.get("timezone").map(|e| e.outcome), Some(Outcome::ClearedByNull));
    assert_eq!(expl.get("emails").map(|e| e.outcome), Some(Outcome::ClearedByEmptyArray));
}

/// `Authorization: {SESSION_ID}` is the whole header value, with no scheme word. Without
/// it, or with a Bearer-style value, the mock answers 401 with a SCIM error body.
#[test]
fn veeva_requires_the_session_id_header_when_one_is_configured() {
    let mut server = veeva_server();
    let mut no_auth = veeva_request("93521", VEEVA_REQUEST_BODY);
    no_auth.headers.retain(|(n, _)| n != "Authorization");
    let resp = server.handle(&no_auth);
    assert_eq!(resp.status, 401);
    assert!(resp.header_value("WWW-Authenticate").is_some());
    assert_eq!(resp.json()["status"], "401");
    let mut bearer = no_auth.clone();
    bearer.headers.push(("Authorization".into(), format!("Bearer {VEEVA_SESSION_ID}")));
    assert_eq!(server.handle(&bearer).status, 401);
    // The built-in profile documents the scheme but configures no session id, so the
    // playground works without one.
    let mut open = Server::with_seed(Profile::builtin("veeva").expect("veeva")).expect("seeded");
    assert_eq!(open.handle(&no_auth).status, 200);
}

// ---------------------------------------------------------------------------------------
// Ping Identity: PUT {apiPath}/scim/v2/Users/{id}
// ---------------------------------------------------------------------------------------

const PING_ACCESS_TOKEN: &str = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJtb2NrIn0.";
const PING_USER_ID: &str = "76b4c133-87a7-4b2f-8058-4716e78b0fd4";

/// Body of the documented request, as printed on the page.
const PING_REQUEST_BODY: &str = r#"{
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

/// The documented response (200 OK), as printed on the page.
const PING_RESPONSE_BODY: &str = r#"{
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
"id": "76b4c133-87a7-4b2f-8058-4716e78b0fd4",
"meta": {
"created": "2016-07-30T00:01:23.824Z",
"lastModified": "2016-07-30T00:04:08.529Z",
"location": "https://example.com:443/scim/v2/Users/76b4c133-87a7-4b2f-8058-4716e78b0fd4",
"resourceType": "Users"
},
"name": {
"familyName": "Conley",
"formatted": "Pat Conley",
"givenName": "Pat"
},
"schemas": [
"urn:pingidentity:schemas:sample:profile:1.0",
"urn:pingidentity:schemas:User:1.0"
],
"urn:pingidentity:schemas:sample:profile:1.0": {
"birthDate": "1948-07-13"
},
"userName": "pconley"
}"#;

/// The ping profile with a bearer token configured; the store holds the seed user
/// (userName, name without `formatted`, the work email), created at the documented
/// `meta.created`; the clock stands at the documented `meta.lastModified`.
fn ping_server() -> Server {
    let profile = Profile::derive(
        &Profile::builtin("ping").expect("ping profile"),
        &json!({"auth": {"token": PING_ACCESS_TOKEN}}),
    )
    .expect("derived profile");
    seeded_at(profile, PING_TIME)
}

/// The documented request (the page's HTTP example); `{{apiPath}}` is
/// `https://example.com:443`, as the response's `meta.location` shows.
fn ping_request(body: &str) -> Request {
    let mut req = Request::new("PUT", &format!("/scim/v2/Users/{PING_USER_ID}"))
        .header("Host", "example.com:443")
        .header("Content-Type", "application/scim+json")
        .header("Accept", "application/scim+json")
        .header("Authorization", &"Bearer {{accessToken}}".replace("{{accessToken}}", PING_ACCESS_TOKEN))
        .header("X-Forwarded-Proto", "https");
    req.body = body.as_bytes().to_vec();
    req
}

/// Ping's page is self-consistent: the mock's answer equals the documented response in
/// every attribute (`schemas` compared as a set: Ping lists them in another order than the
/// request did), timestamps and `meta.location` included, and `meta.resourceType` reads
/// `Users` as Ping writes it.
#[test]
fn ping_documented_put_replays_attribute_for_attribute() {
    let mut server = ping_server();
    let resp = server.handle(&ping_request(PING_REQUEST_BODY));
    assert_eq!(resp.status, 200, "{}", resp.body);
    // The page shows "200 OK" and the body, no response headers.
    let doc = documented(200, &[], PING_RESPONSE_BODY);
    assert_eq!(differences(&resp, &doc), Vec::<String>::new());
    let d = diff_responses(&resp, &doc);
    assert!(d.entries.iter().any(|e| e.section == Section::Body && e.path == "meta.resourceType" && e.volatile));
    let expl = resp.explanation.expect("explanation");
    assert_eq!(expl.get("addresses").map(|e| e.outcome), Some(Outcome::Added));
    assert_eq!(expl.get("name").map(|e| e.outcome), Some(Outcome::Replaced));
    assert_eq!(expl.get("emails").map(|e| e.outcome), Some(Outcome::Unchanged));
}

/// "The server ignores attributes that the client omits from a PUT request, rather than
/// removing them. A client can explicitly designate that an attribute should be removed
/// by setting its value to null."
#[test]
fn ping_keeps_omitted_attributes_and_removes_null_ones() {
    let mut server = ping_server();
    assert_eq!(server.handle(&ping_request(PING_REQUEST_BODY)).status, 200);
    let body = json!({
        "schemas": ["urn:pingidentity:schemas:User:1.0"],
        "userName": "pconley",
        "addresses": null
    });
    let resp = server.handle(&ping_request(&body.to_string()));
    assert_eq!(resp.status, 200, "{}", resp.body);
    let user = resp.json();
    assert!(user.get("addresses").is_none(), "null removed addresses");
    assert_eq!(user["name"]["formatted"], "Pat Conley", "omitted name kept");
    assert_eq!(
        user["urn:pingidentity:schemas:sample:profile:1.0"]["birthDate"], "1948-07-13",
        "omitted extension kept"
    );
    assert_eq!(user["emails"][0]["value"], "pat.conley@runciter.com");
}

/// `Authorization: Bearer {{accessToken}}`: a missing or wrong token is a 401 with an
/// RFC 6750 challenge.
#[test]
fn ping_requires_the_bearer_token_when_one_is_configured() {
    let mut server = ping_server();
    let mut req = ping_request(PING_REQUEST_BODY);
    req.headers.retain(|(n, _)| n != "Authorization");
    let missing = server.handle(&req);
    assert_eq!(missing.status, 401);
    assert_eq!(missing.header_value("WWW-Authenticate"), Some(r#"Bearer realm="SCIM""#));
    req.headers.push(("Authorization".into(), "Bearer wrong".into()));
    let wrong = server.handle(&req);
    assert_eq!(wrong.status, 401);
    assert!(wrong.header_value("WWW-Authenticate").is_some_and(|c| c.contains("invalid_token")));
    assert_eq!(wrong.json()["schemas"][0], "urn:ietf:params:scim:api:messages:2.0:Error");
}

// ---------------------------------------------------------------------------------------
// Side by side: one request, two profiles
// ---------------------------------------------------------------------------------------

/// The Veeva request under Veeva's own profile and under the same profile with the RFC's
/// reading of omitted attributes: the comparison lists exactly what "clear omitted" costs.
#[test]
fn veeva_request_under_keep_and_clear_omitted() {
    let mut keep = veeva_server();
    let clear_profile = Profile::derive(keep.profile(), &json!({"behaviour": {"omitted": "clear"}})).expect("derive");
    let mut clear = seeded_at(clear_profile, VEEVA_TIME);
    let c = compare(&mut keep, &mut clear, &veeva_request("93521", VEEVA_REQUEST_BODY));
    assert_eq!((c.left.status, c.right.status), (200, 200));
    let removed: Vec<&str> =
        c.diff.changes().filter(|e| e.kind == DiffKind::Removed).map(|e| e.path.as_str()).collect();
    for gone in ["active", "displayName", "emails[0].value", "locale", "timezone"] {
        assert!(removed.contains(&gone), "{gone} should be cleared under omitted = clear: {removed:?}");
    }
    // readOnly extension attributes survive either way.
    assert!(!removed.iter().any(|p| p.ends_with(":lastLogin")), "{removed:?}");
    assert!(c.diff.changes().all(|e| e.kind == DiffKind::Removed));
}

// ---------------------------------------------------------------------------------------
// Seeding itself
// ---------------------------------------------------------------------------------------

/// Numeric ids handed out after a seed continue above the seeded ones.
#[test]
fn new_users_count_up_after_the_seeded_id() {
    let mut server = Server::with_seed(Profile::builtin("veeva").expect("veeva")).expect("seeded");
    let created = server.handle(&Request::new("POST", "/Users").json(&json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "new.user@veepharm.com"
    })));
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.json()["id"], "93522");
}

/// A seed that does not load is an error naming the resource, and leaves the store of the
/// server it failed on byte-identical: the user created before is still there, and the seed's
/// first user, which loaded before the second failed, did not get in.
#[test]
fn a_broken_seed_names_the_resource_and_changes_nothing() {
    let mut profile = Profile::builtin("ping").expect("ping");
    profile.seed.entry("User".into()).or_default().push(
        json!({"schemas": ["urn:pingidentity:schemas:User:1.0"], "userName": "PCONLEY"})
            .as_object()
            .cloned()
            .expect("object"),
    );
    let mut server = Server::new(profile.clone()).expect("server");
    let created = server.handle(&Request::new("POST", "/Users").json(&json!({
        "schemas": ["urn:pingidentity:schemas:User:1.0"], "userName": "created.before.seed"
    })));
    assert_eq!(created.status, 201, "{}", created.body);
    let before = server.snapshot().to_string();
    assert!(before.contains("created.before.seed"), "{before}");

    let err = server.seed().expect_err("duplicate userName");
    assert!(err.0.starts_with("seed.User[1].userName"), "{err}");
    assert_eq!(server.snapshot().to_string(), before, "a failed seed changed the store");

    let err = Server::with_seed(profile).expect_err("with_seed fails the same way");
    assert!(err.0.starts_with("seed.User[1].userName"), "{err}");
}
