//! Sends one PUT to an in-memory store seeded with one user and prints the response and
//! the explanation: `cargo run -p scim-core --example put -- BODY.json [omitted=keep]`.
use scim_core::{Profile, Request, Server};
use serde_json::{Value, json};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut profile = Profile::rfc();
    if args.iter().any(|a| a == "omitted=keep") {
        profile.behaviour.omitted = scim_core::Omitted::Keep;
    }
    let mut server = Server::new(profile)?;
    let seed = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "bjensen",
        "name": {"givenName": "Barbara", "familyName": "Jensen"}, "title": "Tour Guide",
        "emails": [{"value": "bjensen@example.com", "type": "work", "primary": true}]});
    let created = server.handle(&Request::new("POST", "/scim/v2/Users").json(&seed));
    let id = created.json()["id"].as_str().unwrap_or_default().to_string();
    let body = match args.iter().find(|a| !a.contains('=')) {
        Some(path) => std::fs::read_to_string(path)?,
        None => {
            json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "bjensen", "title": null})
                .to_string()
        }
    };
    let mut req = Request::new("PUT", &format!("/scim/v2/Users/{id}")).header("Content-Type", "application/scim+json");
    req.body = body.into_bytes();
    let resp = server.handle(&req);
    println!("HTTP {}", resp.status_text());
    for (k, v) in &resp.headers {
        println!("{k}: {v}");
    }
    println!("\n{}", serde_json::to_string_pretty(&resp.json())?);
    if let Some(e) = &resp.explanation {
        println!("\nExplanation ({}, profile {}):", e.operation, e.profile);
        for entry in &e.entries {
            let show = |v: &Option<Value>| v.as_ref().map_or("—".to_string(), Value::to_string);
            println!(
                "  {:<12} {:<18} {} → {}   [{}] {}",
                entry.path,
                format!("{:?}", entry.outcome),
                show(&entry.old),
                show(&entry.new),
                entry.rule,
                entry.note
            );
        }
    }
    Ok(())
}
