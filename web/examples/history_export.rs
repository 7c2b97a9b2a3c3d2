//! Writes the playground's archives of a scripted history, for the front-end kit's tests
//! (`cargo xtask test --stage kit`): a history is sent through the playground's two lanes
//! (rfc and veeva) exactly as the page sends it, then exported with `archive::postman` and
//! `archive::har`. The output JSON holds the collection, the HAR, lane A's profile, the
//! statuses lane A showed, and lane A's store before the history (for `scim-mock --state`),
//! so newman can replay lane A's folder against scim-mock and compare status for status.
//!
//! `cargo run -p scim-playground --example history_export -- OUT.json`

use scim_playground::archive;
use scim_playground::draft::Draft;
use scim_playground::playground::Playground;
use serde_json::json;

const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const HEADERS: &str = "Content-Type: application/scim+json\nAccept: application/scim+json";

fn draft(method: &str, path: &str, body: &str) -> Draft {
    Draft { method: method.into(), path: path.into(), headers: HEADERS.into(), body: body.into(), raw: false }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::args().nth(1).ok_or("usage: history_export OUT.json")?;
    let mut pg = Playground::with_profiles("rfc", "veeva");
    let state = pg.lanes[0].snapshot();
    let minimal = format!(r#"{{"schemas":["{USER}"],"userName":"bjensen"}}"#);
    let babs = format!(r#"{{"schemas":["{USER}"],"userName":"babs","title":"Guide"}}"#);
    let patch = r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"title","value":"Lead"}]}"#;
    let unknown = format!(r#"{{"schemas":["{USER}"],"userName":"babs","shoeSize":44}}"#);
    let mut if_match = draft("PUT", "/Users/{userName:bjensen}", &minimal);
    if_match.headers.push_str("\nIf-Match: W/\"1\"");
    let history = [
        draft("GET", "/Users/{userName:bjensen}", ""),
        draft("PUT", "/Users/{userName:bjensen}", &minimal),
        draft("GET", "/Users/{userName:nobody}", ""),
        draft("POST", "/Users", &babs),
        draft("POST", "/Users", &babs),
        draft("PATCH", "/Users/{userName:babs}", patch),
        if_match,
        draft("PUT", "/Users/{userName:babs}", &unknown),
        draft("GET", "/Users?filter=userName%20eq%20%22babs%22", ""),
        draft("DELETE", "/Users/{userName:babs}", ""),
        draft("GET", "/Users/{userName:babs}", ""),
    ];
    for d in &history {
        pg.send(d)?;
    }
    let lanes =
        vec![format!("Lane A ({})", pg.lanes[0].profile_name), format!("Lane B ({})", pg.lanes[1].profile_name)];
    let statuses: Vec<u16> = pg
        .history
        .iter()
        .rev()
        .map(|h| h.statuses.first().and_then(|s| s.get(..3)).and_then(|c| c.parse().ok()).unwrap_or(0))
        .collect();
    let doc = json!({
        "profile": pg.lanes[0].profile_name,
        "folder": lanes[0],
        "statuses": statuses,
        "state": state,
        "collection": archive::postman(&pg.history, &lanes, "SCIM Playground history"),
        "har": archive::har(&pg.history, &lanes, "2026-01-01T00:00:00.000Z"),
    });
    std::fs::write(&out, serde_json::to_string_pretty(&doc)? + "\n")?;
    println!("history_export: {} requests, lane A statuses {statuses:?} → {out}", history.len());
    Ok(())
}
