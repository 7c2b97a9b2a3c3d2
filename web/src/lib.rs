//! # scim-playground
//!
//! The browser playground: compose a SCIM request, send it to two lanes that each run
//! [`scim_core::Server`] under their own behaviour profile, and compare what they did,
//! attribute by attribute (RFC 7644 §3.5.1 lets services disagree on PUT).
//!
//! Layout: plain Rust, tested natively: [`draft`] (the composer's request; a leaf),
//! [`catalog`] (profiles, built-in and custom; a lane's Profile list and its profile-file
//! control in [`custom_view`]), [`card`] (a profile's card; its view in [`card_view`]), [`exchange`] (one answer and its status line), [`lane`] (a server
//! per profile), [`playground`] (both lanes and the history), [`diff`], [`explain_view`] (the
//! Explanation as read), [`templates`], [`lessons`], [`share`], [`export`], [`atlas`] (one request to every profile; its view in
//! [`atlas_view`]), [`archive`] (history ↔ Postman
//! and HAR; its controls in [`archive_view`]), [`remote`] (a real server as a lane; its view,
//! which alone sends requests out of the page, in [`remote_view`]) and [`storage`] (the only
//! module that touches browser storage, apart from the remote lane's opt-in `sessionStorage`).
//! [`app`] holds the leptos components; `main.rs` only mounts. The modules' imports form no
//! cycle (`cargo xtask test --stage layers` checks it).

pub mod app;
pub mod archive;
pub mod archive_view;
pub mod atlas;
pub mod atlas_view;
pub mod card;
pub mod card_view;
pub mod catalog;
pub mod custom_view;
pub mod diff;
pub mod draft;
pub mod editor;
pub mod exchange;
pub mod explain_view;
pub mod export;
pub mod lane;
pub mod learner;
pub mod lessons;
pub mod playground;
pub mod remote;
pub mod remote_view;
pub mod share;
pub mod storage;
pub mod templates;

/// Mounts the app on `<body>` and records when it became interactive
/// (`data-ready-ms` on `<html>`, milliseconds since navigation start).
pub fn mount() {
    leptos::mount::mount_to_body(app::App);
    let window = leptos::prelude::window();
    // Whole milliseconds; `as` saturates, and integer formatting keeps float formatting out
    // of the wasm.
    let ms = window.performance().map(|p| p.now()).unwrap_or_default() as u64;
    if let Some(root) = leptos::prelude::document().document_element() {
        let _ = root.set_attribute("data-ready-ms", &ms.to_string());
    }
}
