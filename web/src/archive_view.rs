//! The history's archive controls (kept out of `app` so the history UI stays small): download
//! the history as a Postman collection or a HAR file ([`crate::archive`]), and paste a
//! Postman collection to load its requests into the composer as templates.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::archive;
use crate::draft::Draft;
use crate::playground::{LANE_NAMES, Playground};

/// "Lane A (rfc)", "Lane B (veeva)": the folder and comment names of the exports.
fn lane_labels(pg: &Playground) -> Vec<String> {
    pg.lanes.iter().zip(LANE_NAMES).map(|(l, name)| format!("{name} ({})", l.profile_name)).collect()
}

/// Points the clicked link at the file as a `data:` URL, just before the browser follows it.
fn point_link_at(ev: &leptos::ev::MouseEvent, json: &str) {
    if let Some(link) = ev.current_target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) {
        let href = format!("data:application/json;charset=utf-8,{}", js_sys::encode_uri_component(json));
        let _ = link.set_attribute("href", &href);
    }
}

/// Export links and the Postman import, under the history list. `load` puts a draft in the
/// composer.
#[component]
pub fn HistoryArchives(pg: RwSignal<Playground>, load: impl Fn(Draft) + Copy + Send + Sync + 'static) -> impl IntoView {
    let pasted = RwSignal::new(String::new());
    let imported: RwSignal<Vec<(String, Draft)>> = RwSignal::new(Vec::new());
    let problem = RwSignal::new(String::new());
    let empty = move || pg.with(|p| p.history.is_empty());
    view! {
        <p class="archives">
            <a
                class="button small"
                href="#"
                download="scim-playground.postman_collection.json"
                aria-disabled=move || empty().to_string()
                on:click=move |ev| {
                    let json = pg.with(|p| archive::postman(&p.history, &lane_labels(p), "SCIM Playground history"));
                    point_link_at(&ev, &json.to_string());
                }
            >
                "Export as Postman collection"
            </a>
            " "
            <a
                class="button small"
                href="#"
                download="scim-playground.har"
                aria-disabled=move || empty().to_string()
                on:click=move |ev| {
                    let now = js_sys::Date::new_0().to_iso_string().as_string().unwrap_or_default();
                    let json = pg.with(|p| archive::har(&p.history, &lane_labels(p), &now));
                    point_link_at(&ev, &json.to_string());
                }
            >
                "Export as HAR"
            </a>
        </p>
        <details class="import">
            <summary>"Import a Postman collection"</summary>
            <label>
                "Postman collection (JSON)"
                <textarea rows="4" prop:value=move || pasted.get() on:input=move |ev| pasted.set(event_target_value(&ev))></textarea>
            </label>
            <button
                type="button"
                class="small"
                on:click=move |_| match archive::drafts_from_postman(&pasted.get_untracked()) {
                    Ok(list) => {
                        problem.set(String::new());
                        imported.set(list);
                    }
                    Err(e) => problem.set(e),
                }
            >
                "Import requests"
            </button>
            <p role="status">{move || problem.get()}</p>
            <ul aria-label="Imported requests">
                {move || {
                    imported
                        .get()
                        .into_iter()
                        .map(|(name, d)| {
                            let label = format!("Edit {name}");
                            view! {
                                <li>
                                    <code>{format!("{} {}", d.method, d.path)}</code>
                                    " "
                                    <span>{name}</span>
                                    <button type="button" class="small" aria-label=label on:click=move |_| load(d.clone())>
                                        "Edit"
                                    </button>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
        </details>
    }
}
