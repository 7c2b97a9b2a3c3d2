//! Everything on the page but the draft: the two lanes and the history of sent requests.
//! Components only read this and call its methods, so it is unit-tested natively.

use serde::{Deserialize, Serialize};

use crate::catalog::{Custom, add_custom, default_profiles, remove_custom};
use crate::diff::{self, DiffRow};
use crate::draft::Draft;
use crate::lane::{Lane, UserSummary};

/// A userName and its id in each lane (`None` where the lane has no such user).
pub type UserChoice = (String, Vec<Option<String>>);

/// How many requests the history keeps (oldest dropped first).
pub const HISTORY_CAP: usize = 50;

/// Lane names, in order.
pub const LANE_NAMES: [&str; 2] = ["Lane A", "Lane B"];

/// One sent request, for the history list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HistoryEntry {
    pub draft: Draft,
    /// `200 OK` per lane at the time.
    #[serde(default)]
    pub statuses: Vec<String>,
}

/// Everything but the draft: the two lanes and the history.
#[derive(Debug)]
pub struct Playground {
    pub lanes: Vec<Lane>,
    /// Newest first.
    pub history: Vec<HistoryEntry>,
}

impl Default for Playground {
    fn default() -> Self {
        let [a, b] = default_profiles();
        Playground::with_profiles(&a, &b)
    }
}

impl Playground {
    pub fn with_profiles(a: &str, b: &str) -> Playground {
        Playground { lanes: vec![Lane::new(a), Lane::new(b)], history: Vec::new() }
    }

    /// Sends the draft to every lane and records it in the history.
    pub fn send(&mut self, draft: &Draft) -> Result<(), String> {
        let headers = draft.parse_headers()?;
        if draft.path.trim().is_empty() {
            return Err("The path is empty; try /Users/{userName:bjensen}.".into());
        }
        let statuses = self.lanes.iter_mut().map(|l| l.send(draft, &headers).status_text()).collect();
        self.history.insert(0, HistoryEntry { draft: draft.clone(), statuses });
        self.history.truncate(HISTORY_CAP);
        Ok(())
    }

    /// Switches a lane's profile; the lane restarts from the seed users.
    pub fn set_profile(&mut self, lane: usize, name: &str) {
        if let Some(l) = self.lanes.get_mut(lane) {
            *l = Lane::new(name);
        }
    }

    /// Adds a custom profile (learned, or from a file) to the catalog, replacing one of the
    /// same name, and opens it in `lane` (fresh from the seed users). Returns its name.
    pub fn open_custom(&mut self, lane: usize, profile: Custom) -> String {
        let name = add_custom(profile);
        self.set_profile(lane, &name);
        name
    }

    /// Removes a custom profile from the catalog; a lane running it starts over on `rfc`.
    pub fn remove_custom(&mut self, name: &str) {
        if remove_custom(name) {
            for i in 0..self.lanes.len() {
                if self.lanes.get(i).is_some_and(|l| l.profile_name == name) {
                    self.set_profile(i, "rfc");
                }
            }
        }
    }

    /// Both lanes on these profiles, fresh from their seed users (a template's scenario).
    pub fn start_scenario(&mut self, profiles: [&str; 2]) {
        for (i, name) in profiles.iter().enumerate() {
            self.set_profile(i, name);
        }
    }

    /// The users the "Pick user" list offers: at most `limit` userNames containing `filter`
    /// (lane A's first, then those only lane B holds), each with its id in each lane that has
    /// it (`None` where it has not), and how many match in all.
    pub fn user_choices(&self, filter: &str, limit: usize) -> (Vec<UserChoice>, usize) {
        let mut names: Vec<String> = Vec::new();
        let mut total = 0;
        for (i, lane) in self.lanes.iter().enumerate() {
            let (page, matching) = lane.users_page(filter, limit);
            for u in page {
                let earlier = self.lanes.iter().take(i).any(|l| l.id_of(&u.user_name).is_some());
                if !u.user_name.is_empty() && !earlier && !names.iter().any(|n| n.eq_ignore_ascii_case(&u.user_name)) {
                    names.push(u.user_name);
                }
            }
            total = total.max(matching);
        }
        names.truncate(limit);
        let choices = names
            .into_iter()
            .map(|n| {
                let ids = self.lanes.iter().map(|l| l.id_of(&n)).collect();
                (n, ids)
            })
            .collect();
        (choices, total)
    }

    pub fn reset_lane(&mut self, lane: usize) {
        if let Some(l) = self.lanes.get_mut(lane) {
            l.reset();
        }
    }

    /// Lane A's and lane B's last answers compared attribute by attribute.
    pub fn differences(&self) -> Option<Vec<DiffRow>> {
        let a = self.lanes.first()?.last.as_ref()?;
        let b = self.lanes.get(1)?.last.as_ref()?;
        Some(diff::exchanges(a, b))
    }

    /// A draft that PUTs this user back (addressed by userName so both lanes find it).
    pub fn user_as_put(user: &UserSummary, headers: &str) -> Draft {
        let mut body = user.resource.clone();
        if let Some(obj) = body.as_object_mut() {
            obj.remove("meta");
        }
        let path = if user.user_name.is_empty() || user.user_name.contains('}') {
            format!("/Users/{}", user.id)
        } else {
            format!("/Users/{{userName:{}}}", user.user_name)
        };
        Draft {
            method: "PUT".into(),
            path,
            headers: headers.to_string(),
            body: serde_json::to_string_pretty(&body).unwrap_or_default(),
            raw: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::RFC_KEEP_OMITTED;
    use serde_json::{Value, json};

    fn put(path: &str, body: Value) -> Draft {
        Draft {
            method: "PUT".into(),
            path: path.into(),
            headers: "Content-Type: application/scim+json".into(),
            body: body.to_string(),
            raw: false,
        }
    }

    #[test]
    fn a_learned_profile_opens_in_lane_b_and_behaves_as_the_server_learned() {
        // Learn, in memory, a server that keeps omitted attributes and ignores unknown ones.
        let served = scim_core::Profile::derive(
            &scim_core::Profile::rfc(),
            &json!({"behaviour": {"omitted": "keep", "unknownAttributes": "ignore"}}),
        )
        .unwrap();
        let mut server = scim_core::Server::new(served).unwrap();
        let mut learner = scim_learn::Learner::new("t1", "learned from localhost:8000");
        while let Some(mut req) = learner.next_request() {
            req.path = format!("/scim/v2{}", req.path);
            learner.feed(server.handle(&req));
        }
        let learned = learner.result().unwrap().profile.to_string();
        let custom = crate::catalog::load_custom(&learned, crate::catalog::Origin::Learned).unwrap();
        let mut pg = Playground::with_profiles("rfc", RFC_KEEP_OMITTED);
        assert_eq!(pg.open_custom(1, custom), "learned from localhost:8000");
        assert_eq!(pg.lanes[1].profile_name, "learned from localhost:8000");
        pg.send(&Draft::default()).unwrap();
        assert_eq!(pg.history[0].statuses, vec!["200 OK", "200 OK"]);
        let rows = pg.differences().unwrap();
        let title = rows.iter().find(|r| r.path == "title").expect("title row");
        assert_eq!((&title.left, &title.right), (&None, &Some(json!("Tour Guide"))), "the learned lane keeps title");
        // Removed: gone from the catalog, and the lane that ran it starts over on rfc.
        pg.remove_custom("learned from localhost:8000");
        assert_eq!(pg.lanes[1].profile_name, "rfc");
        assert_eq!(pg.lanes[0].profile_name, "rfc");
        assert!(!crate::catalog::is_custom("learned from localhost:8000"));
        assert!(crate::catalog::find_profile("learned from localhost:8000").is_none());
    }

    #[test]
    fn both_lanes_start_with_the_same_users_and_ids() {
        let pg = Playground::with_profiles("rfc", RFC_KEEP_OMITTED);
        let a = pg.lanes[0].users();
        let b = pg.lanes[1].users();
        assert_eq!(a.len(), 3);
        assert_eq!(a.iter().map(|u| &u.id).collect::<Vec<_>>(), b.iter().map(|u| &u.id).collect::<Vec<_>>());
        assert_eq!(a[0].user_name, "bjensen");
    }

    #[test]
    fn vendor_templates_reach_the_documented_user_in_the_vendor_lane() {
        let mut pg = Playground::with_profiles("veeva", "ping");
        pg.send(&crate::templates::veeva()).unwrap();
        let v = pg.lanes[0].last.as_ref().unwrap();
        assert_eq!((v.request_line.as_str(), v.response.status), ("PUT /api/v23.1/scim/v2/Users/93521", 200));
        pg.send(&crate::templates::ping()).unwrap();
        let p = pg.lanes[1].last.as_ref().unwrap();
        assert_eq!(
            (p.request_line.as_str(), p.response.status),
            ("PUT /scim/v2/Users/76b4c133-87a7-4b2f-8058-4716e78b0fd4", 200)
        );
        // The same placeholder names the same user in the other lane, under its own id.
        assert_eq!(pg.lanes[1].resolve_path("/Users/{userName:a.smithn@veepharm.com}").unwrap(), {
            let id = pg.lanes[1].users().into_iter().find(|u| u.user_name == "a.smithn@veepharm.com").unwrap().id;
            format!("/Users/{id}")
        });
    }

    #[test]
    fn default_lanes_show_the_omitted_attribute_difference_on_the_first_send() {
        let mut pg = Playground::default();
        assert_eq!(pg.lanes[0].profile_name, "rfc");
        assert_eq!(pg.lanes[1].profile_name, "veeva");
        pg.send(&Draft::default()).unwrap();
        assert_eq!(pg.history[0].statuses, vec!["200 OK", "200 OK"]);
        let rows = pg.differences().unwrap();
        let title = rows.iter().find(|r| r.path == "title").expect("title row");
        assert_eq!((&title.left, &title.right, title.volatile), (&None, &Some(json!("Tour Guide")), false));
    }

    #[test]
    fn omitted_attribute_differs_between_rfc_and_keep_omitted() {
        let mut pg = Playground::with_profiles("rfc", RFC_KEEP_OMITTED);
        let body = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "bjensen"});
        pg.send(&put("/Users/{userName:bjensen}", body)).unwrap();
        let a = pg.lanes[0].last.as_ref().unwrap();
        let b = pg.lanes[1].last.as_ref().unwrap();
        assert_eq!(a.status_text(), "200 OK");
        assert_eq!(b.status_text(), "200 OK");
        assert!(a.response.json().get("title").is_none());
        assert_eq!(b.response.json()["title"], "Tour Guide");
        let rows = pg.differences().unwrap();
        let title = rows.iter().find(|r| r.path == "title").expect("title row");
        assert_eq!(title.left, None);
        assert_eq!(title.right, Some(json!("Tour Guide")));
        let expl = a.response.explanation.as_ref().unwrap();
        assert_eq!(expl.get("title").unwrap().outcome, scim_core::Outcome::ClearedOmitted);
        assert_eq!(pg.history.len(), 1);
        assert_eq!(pg.history[0].statuses, vec!["200 OK", "200 OK"]);
    }

    #[test]
    fn unknown_placeholder_is_a_scim_404_in_that_lane() {
        let mut pg = Playground::with_profiles("rfc", "rfc");
        pg.send(&put("/Users/{userName:ghost}", json!({}))).unwrap();
        let a = pg.lanes[0].last.as_ref().unwrap();
        assert_eq!(a.status_text(), "404 Not Found");
        assert!(a.response.json()["detail"].as_str().unwrap().contains("ghost"));
    }

    #[test]
    fn bad_headers_send_nothing() {
        let mut pg = Playground::default();
        let d = Draft { headers: "nonsense".into(), ..Draft::default() };
        assert!(pg.send(&d).is_err());
        assert!(pg.history.is_empty());
        assert!(pg.lanes[0].last.is_none());
    }

    #[test]
    fn history_is_capped_newest_first() {
        let mut pg = Playground::with_profiles("rfc", "rfc");
        for i in 0..(HISTORY_CAP + 5) {
            let d = Draft { method: "GET".into(), path: format!("/Users/{i}"), ..Draft::default() };
            pg.send(&d).unwrap();
        }
        assert_eq!(pg.history.len(), HISTORY_CAP);
        assert_eq!(pg.history[0].draft.path, format!("/Users/{}", HISTORY_CAP + 4));
    }

    #[test]
    fn reset_and_profile_switch_restore_seed_users() {
        let mut pg = Playground::with_profiles("rfc", "rfc");
        let d = Draft { method: "DELETE".into(), path: "/Users/{userName:bjensen}".into(), ..Draft::default() };
        pg.send(&d).unwrap();
        assert_eq!(pg.lanes[0].last.as_ref().unwrap().status_text(), "204 No Content");
        assert_eq!(pg.lanes[0].users().len(), 2);
        pg.reset_lane(0);
        assert_eq!(pg.lanes[0].users().len(), 3);
        assert_eq!(pg.lanes[1].users().len(), 2);
        pg.set_profile(1, RFC_KEEP_OMITTED);
        assert_eq!(pg.lanes[1].profile_name, RFC_KEEP_OMITTED);
        assert_eq!(pg.lanes[1].users().len(), 3);
        pg.set_profile(1, "no-such-profile");
        assert_eq!(pg.lanes[1].profile_name, "rfc");
    }

    #[test]
    fn user_as_put_addresses_by_user_name() {
        let pg = Playground::with_profiles("rfc", "rfc");
        let u = &pg.lanes[0].users()[1];
        let d = Playground::user_as_put(u, "Accept: application/scim+json");
        assert_eq!(d.method, "PUT");
        assert_eq!(d.path, "/Users/{userName:a.smithn@veepharm.com}");
        assert!(!d.body.contains("\"meta\""));
    }

    #[test]
    fn every_template_succeeds_in_both_of_its_lanes_and_shows_a_behaviour_difference() {
        for t in crate::templates::TEMPLATES {
            let mut pg = Playground::with_profiles(t.lanes[0], t.lanes[1]);
            assert_eq!([pg.lanes[0].profile_name.as_str(), pg.lanes[1].profile_name.as_str()], t.lanes, "{}", t.id);
            let draft = (t.make)();
            // Twice: an earlier Send must not break the next one (no rename, no delete).
            for round in 0..2 {
                pg.send(&draft).unwrap();
                for lane in &pg.lanes {
                    let x = lane.last.as_ref().unwrap();
                    assert!(
                        (200..300).contains(&x.response.status),
                        "{} round {round} in {}: {} {}",
                        t.id,
                        lane.profile_name,
                        x.request_line,
                        x.response.body
                    );
                }
                // The first Send is the scenario; a second one only shows what it changed again.
                let rows = pg.differences().unwrap();
                // A behaviour beyond versioning: an ETag on one side only is never the point.
                let beyond_etags =
                    |r: &&DiffRow| r.is_behaviour() && !r.path.ends_with("meta.version") && r.path != "header ETag";
                assert!(
                    round == 1 || rows.iter().any(|r| beyond_etags(&r)),
                    "{}: no behaviour difference beyond ETags in {rows:?}",
                    t.id
                );
            }
        }
    }

    #[test]
    fn the_ping_template_leaves_emails_out_and_ping_keeps_them() {
        let mut pg = Playground::with_profiles("rfc", "ping");
        pg.send(&crate::templates::ping()).unwrap();
        let rows = pg.differences().unwrap();
        let birth = rows.iter().find(|r| r.path.ends_with("birthDate")).expect("birthDate row");
        assert_eq!(birth.cause, crate::diff::Cause::Dialect, "the rfc lane has no schema for it");
        let rfc = pg.lanes[0].last.as_ref().unwrap().response.json();
        let ping = pg.lanes[1].last.as_ref().unwrap().response.json();
        assert!(rfc.get("emails").is_none());
        assert_eq!(ping["emails"][0]["value"], "pat.conley@runciter.com");
        let expl = pg.lanes[1].last.as_ref().unwrap().response.explanation.clone().unwrap();
        assert_eq!(expl.get("emails").unwrap().outcome, scim_core::Outcome::KeptOmitted);
    }

    #[test]
    fn the_veeva_template_clears_by_null_and_empty_array_and_merges_name() {
        let mut pg = Playground::with_profiles("veeva", crate::catalog::RFC_KEEP_OMITTED);
        pg.send(&crate::templates::veeva()).unwrap();
        for lane in &pg.lanes {
            let expl = lane.last.as_ref().unwrap().response.explanation.clone().unwrap();
            assert_eq!(expl.get("locale").unwrap().outcome, scim_core::Outcome::ClearedByNull, "{}", lane.profile_name);
            assert_eq!(expl.get("emails").unwrap().outcome, scim_core::Outcome::ClearedByEmptyArray);
        }
        let veeva = pg.lanes[0].last.as_ref().unwrap().response.json();
        let rfc = pg.lanes[1].last.as_ref().unwrap().response.json();
        assert_eq!(veeva["name"], serde_json::json!({"familyName": "Smith", "givenName": "Abby"}));
        assert_eq!(rfc["name"], serde_json::json!({"givenName": "Abby"}));
        assert_eq!(pg.lanes[0].last.as_ref().unwrap().request_line, "PUT /api/v23.1/scim/v2/Users/93521");
    }

    fn draft_of(method: &str, path: &str, body: &str) -> Draft {
        Draft {
            method: method.into(),
            path: path.into(),
            headers: "Content-Type: application/scim+json".into(),
            body: body.into(),
            raw: false,
        }
    }

    #[test]
    fn an_error_next_to_a_resource_is_two_rows_not_a_body_diff() {
        let mut pg = Playground::with_profiles("rfc", "veeva");
        let body =
            r#"{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "bjensen", "shoeSize": 9}"#;
        pg.send(&draft_of("PUT", "/Users/{userName:bjensen}", body)).unwrap();
        let rows = pg.differences().unwrap();
        let paths: Vec<&str> = rows.iter().map(|r| r.path.as_str()).collect();
        assert_eq!(paths, ["status", "request"], "{rows:?}");
        assert_eq!(rows[1].right, Some(json!("applied")));
        assert!(rows[1].left.as_ref().unwrap().as_str().unwrap().starts_with("not applied (invalidSyntax"), "{rows:?}");
    }

    #[test]
    fn a_resource_next_to_no_body_is_a_status_and_a_body_row() {
        for (b, want) in [("entra", "no body"), ("google", "{} (an empty object)")] {
            let mut pg = Playground::with_profiles("rfc", b);
            pg.send(&crate::templates::patch()).unwrap();
            let rows = pg.differences().unwrap();
            let paths: Vec<&str> = rows.iter().map(|r| r.path.as_str()).collect();
            let body = rows.iter().find(|r| r.path == "body").expect("body row");
            assert_eq!(
                (body.left.clone(), body.right.clone()),
                (Some(json!("the resource")), Some(json!(want))),
                "{b}: {paths:?}"
            );
            assert!(paths.len() <= 2, "{b}: {paths:?}");
        }
    }

    #[test]
    fn two_errors_compare_status_scim_type_and_detail_only() {
        let mut pg = Playground::with_profiles("rfc", "strict-clear");
        pg.send(&draft_of(
            "POST",
            "/Users",
            r#"{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "bjensen"}"#,
        ))
        .unwrap();
        let rows = pg.differences().unwrap();
        assert!(rows.iter().all(|r| ["status", "scimType", "detail"].contains(&r.path.as_str())), "{rows:?}");
    }

    #[test]
    fn a_no_op_put_differs_only_in_what_the_seed_already_had() {
        let mut pg = Playground::with_profiles("rfc", "veeva");
        let user = pg.lanes[0].users().into_iter().find(|u| u.user_name == "a.smithn@veepharm.com").unwrap();
        pg.send(&Playground::user_as_put(&user, "Content-Type: application/scim+json")).unwrap();
        let rows = pg.differences().unwrap();
        assert!(!rows.is_empty());
        let behaviour: Vec<&DiffRow> = rows.iter().filter(|r| r.is_behaviour()).collect();
        assert!(behaviour.is_empty(), "{behaviour:?}");
        assert!(rows.iter().any(|r| r.cause == crate::diff::Cause::Before), "{rows:?}");
    }

    #[test]
    fn lists_are_compared_by_user_name_not_position() {
        // The ping lane lists its own seed user first, the rfc lane bjensen first.
        let mut pg = Playground::with_profiles("rfc", "ping");
        pg.send(&draft_of("GET", "/Users", "")).unwrap();
        let rows = pg.differences().unwrap();
        assert!(rows.iter().all(|r| !r.path.contains("Resources[")), "{rows:?}");
        assert!(rows.iter().any(|r| r.path.starts_with("Resources.pconley.")), "{rows:?}");
        let behaviour = rows.iter().filter(|r| r.is_behaviour()).count();
        assert!(behaviour < 6, "{behaviour} behaviour rows: {rows:?}");
    }

    #[test]
    fn a_list_under_a_lowercase_key_is_compared_user_by_user() {
        for b in ["google", "entra"] {
            let mut pg = Playground::with_profiles("rfc", b);
            pg.send(&crate::templates::filter()).unwrap();
            let rows = pg.differences().unwrap();
            assert!(!rows.iter().any(|r| r.path.starts_with("Resources.bjensen.userName")), "{b}: {rows:?}");
            assert!(!rows.iter().any(|r| r.path.starts_with("resources")), "{b}: {rows:?}");
        }
    }

    #[test]
    fn user_lists_are_paged_and_searchable_per_lane() {
        let mut pg = Playground::with_profiles("rfc", "veeva");
        for i in 0..30 {
            let body =
                format!(r#"{{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "user{i}"}}"#);
            pg.send(&Draft { method: "POST".into(), path: "/Users".into(), body, ..Draft::default() }).unwrap();
        }
        let (page, total) = pg.lanes[0].users_page("", 20);
        assert_eq!((page.len(), total), (20, 33));
        let (page, total) = pg.lanes[0].users_page("USER2", 20);
        assert_eq!(total, 11, "user2 and user20..user29");
        assert_eq!(page[0].user_name, "user2");
        let (choices, total) = pg.user_choices("user29", 20);
        assert_eq!(total, 1);
        let (name, ids) = &choices[0];
        assert_eq!(name, "user29");
        assert_eq!(ids[0].as_deref(), Some("00000000-0000-4000-8000-000000000021"));
        assert_eq!(ids[1].as_deref(), Some("93553"), "each lane's own id");
        let (all, total) = pg.user_choices("", 20);
        assert_eq!((all.len(), total), (20, 33));
    }
}
