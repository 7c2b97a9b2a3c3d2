//! Replay of Microsoft Entra ID's SCIM API reference ("Microsoft Entra ID SCIM API
//! reference", learn.microsoft.com/entra/identity/app-provisioning/entra-id-scim-api-reference):
//! its documented requests, copied byte for byte, sent to the mock running the `entra`
//! profile. The page shows statuses (201 for a create, 204 for every PATCH and DELETE) and
//! not the bodies, so the statuses are compared and each change is read back with a GET.
//!
//! One documented request does not replay: Example 3 of "Update a user" sends an address
//! sub-attribute `"country/region"`, which no schema defines (RFC 7643 §4.1.2 calls it
//! `country`); the mock rejects it as Entra's troubleshooting page says invalid schema
//! attributes are (400).

use scim_core::{Profile, Request, Response, Server};
use serde_json::{Value, json};

const ENTRA_EXT: &str = "urn:ietf:params:scim:schemas:extension:Microsoft:Entra:2.0:User";
const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
/// The user every "Update a user" example targets.
const USER_ID: &str = "ec3f07a3-2aa4-4666-b2fd-90e479428791";

/// The `entra` profile with the documented user in its seed (the page never shows it, so it
/// holds what the examples need: a work email that is primary).
fn server() -> Server {
    let entra = Profile::builtin("entra").expect("entra is built in");
    let seed = json!({"seed": {"User": [{
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENTRA_EXT],
        "id": USER_ID,
        "userName": "jdoe@contoso.com",
        "password": "Seeded-Passw0rd",
        "active": true,
        "displayName": "John Doe",
        "name": {"familyName": "Doe", "givenName": "John"},
        "emails": [{"value": "jdoe@contoso.com", "type": "work", "primary": true}],
        ENTRA_EXT: {"mailNickname": "jdoe"}
    }]}});
    Server::with_seed(Profile::derive(&entra, &seed).expect("seed loads")).expect("server")
}

/// A documented request: method and URL as printed (the host is dropped), the page's
/// Content-Type and bearer header, the body as printed.
fn documented(method: &str, url: &str, body: &str) -> Request {
    let path = url.strip_prefix("https://graph.microsoft.com").unwrap_or(url);
    let mut req = Request::new(method, path).header("Authorization", "Bearer {token}");
    if !body.is_empty() {
        req = req.header("Content-Type", "application/scim+json");
        req.body = body.as_bytes().to_vec();
    }
    req
}

fn get(server: &mut Server, id: &str) -> Value {
    let r = server.handle(&Request::new("GET", &format!("/rp/scim/users/{id}")));
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()
}

fn no_content(r: &Response) {
    assert_eq!((r.status, r.body.as_str()), (204, ""), "documented: 204 No Content; got {}", r.body);
}

const PATCH_URL: &str = "https://graph.microsoft.com/rp/scim/users/ec3f07a3-2aa4-4666-b2fd-90e479428791";

#[test]
fn create_a_user_example_1_answers_201_with_entra_meta() {
    let mut s = server();
    let body = r#"{
  "schemas": [
    "urn:ietf:params:scim:schemas:core:2.0:User",
    "urn:ietf:params:scim:schemas:extension:Microsoft:Entra:2.0:User"
  ],
  "active": true,
  "displayName": "Example User",
  "userName": "abc123@contoso.com",
  "password": "password",
  "name": {
    "familyName": "Example familyName",
    "givenName": "Example givenName"
  },
  "urn:ietf:params:scim:schemas:extension:Microsoft:Entra:2.0:User": {
    "mailNickname": "abc123"
  }
}"#;
    let r = s.handle(&documented("POST", "https://graph.microsoft.com/rp/scim/users", body));
    assert_eq!(r.status, 201, "{}", r.body);
    let user = r.json();
    let id = user["id"].as_str().unwrap_or_default();
    // As the page's list and get examples show a user: lowercase resourceType, a location
    // relative to the base URL, no password.
    assert_eq!(user["meta"]["resourceType"], "user");
    assert_eq!(user["meta"]["location"], format!("/rp/scim/users/{id}"));
    assert!(user.get("password").is_none());
    assert_eq!(user[ENTRA_EXT]["mailNickname"], "abc123");
    // Leaving out a required attribute of the page's list (displayName) is a 400.
    let without = body.replace("\"displayName\": \"Example User\",", "").replace("abc123@", "abc124@");
    let r = s.handle(&documented("POST", "https://graph.microsoft.com/rp/scim/users", &without));
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.body.contains("displayName"), "{}", r.body);
}

#[test]
fn update_a_user_examples_answer_204_and_change_the_user() {
    let mut s = server();
    // Example 1 – Update an attribute value.
    let ex1 = r#"{
  "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
  "Operations": [
    {
      "op": "replace",
      "path": "displayName",
      "value": "Johnathan Doe"
    }
  ]
}"#;
    no_content(&s.handle(&documented("PATCH", PATCH_URL, ex1)));
    assert_eq!(get(&mut s, USER_ID)["displayName"], "Johnathan Doe");
    // Example 2 – Update a complex value (note the page's lowercase "operations").
    let ex2 = r#"{
  "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
  "operations": [
    {
      "op": "replace",
      "path": "urn:ietf:params:scim:schemas:core:2.0:User:name",
      "value": {
        "familyName": "Jane",
        "givenName": "Doe"
      }
    }
  ]
}"#;
    no_content(&s.handle(&documented("PATCH", PATCH_URL, ex2)));
    assert_eq!(get(&mut s, USER_ID)["name"], json!({"familyName": "Jane", "givenName": "Doe"}));
    // Example 4 – Update complex multi-valued attribute with filter.
    let ex4 = r#"{
  "schemas": [ "urn:ietf:params:scim:api:messages:2.0:PatchOp" ],
  "operations": [
    {
      "op": "replace",
      "path": "emails[type eq \"work\" and primary eq true].value",         
      "value": "{edited_username}@{{tenant_domain}}"      
    }
  ]
}"#;
    no_content(&s.handle(&documented("PATCH", PATCH_URL, ex4)));
    assert_eq!(get(&mut s, USER_ID)["emails"][0]["value"], "{edited_username}@{{tenant_domain}}");
    // Example 5 – Update user manager.
    let ex5 = r#"{
  "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
  "operations": [
    {
      "op": "replace",
      "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager",
      "value": {
        "value": "915f96af-ea85-4687-b972-b26f69d719f9"
      }
    }
  ]
}"#;
    no_content(&s.handle(&documented("PATCH", PATCH_URL, ex5)));
    assert_eq!(get(&mut s, USER_ID)[ENTERPRISE]["manager"]["value"], "915f96af-ea85-4687-b972-b26f69d719f9");
}

#[test]
fn update_example_3_is_refused_for_its_country_region_key() {
    let mut s = server();
    let before = s.snapshot();
    let ex3 = r#"{
  "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
  "operations": [
    {
      "op": "replace",
      "path": "urn:ietf:params:scim:schemas:core:2.0:User:addresses",
      "value": [
        {
          "type": "work",
          "streetAddress": "2 Microsoft Way",
          "locality": "Redmond",
          "region": "King County",
          "postalCode": "98052",
          "country/region": "United States"
        }
      ]
    }
  ]
}"#;
    let r = s.handle(&documented("PATCH", PATCH_URL, ex3));
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.body.contains("country/region"), "the error names the key: {}", r.body);
    assert_eq!(s.snapshot(), before, "a refused PATCH changes nothing");
    // With RFC 7643's "country" the same request is a 204.
    no_content(&s.handle(&documented("PATCH", PATCH_URL, &ex3.replace("country/region", "country"))));
    assert_eq!(get(&mut s, USER_ID)["addresses"][0]["country"], "United States");
}

#[test]
fn delete_example_1_answers_204_then_the_user_is_gone() {
    let mut s = server();
    let r = s.handle(&documented("DELETE", PATCH_URL, ""));
    assert_eq!((r.status, r.body.as_str()), (204, ""));
    let r = s.handle(&documented("GET", PATCH_URL, ""));
    assert_eq!(r.status, 404, "troubleshooting page: GET /users/{{id}} of an unknown id is 404");
}

#[test]
fn no_put_on_users() {
    let mut s = server();
    let r = s.handle(&documented("PUT", PATCH_URL, r#"{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"]}"#));
    assert_eq!(r.status, 405, "{}", r.body);
    assert_eq!(r.header_value("allow"), Some("GET, PATCH, DELETE"));
}
