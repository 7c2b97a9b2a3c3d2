//! The "All profiles" view (kept out of `app`): a button sends the composer's request to
//! every profile at once ([`crate::atlas`]), and a table shows one row per profile, its
//! status and one word per attribute; a profile's name opens it in lane B. Every value is
//! rendered as text.

use leptos::prelude::*;

use crate::atlas::{self, Table};
use crate::draft::Draft;
use crate::playground::Playground;

/// The lane a row's profile opens in.
const OPEN_IN_LANE: usize = 1;

/// The section. `draft` reads the composer's request (untracked, on click).
#[component]
pub fn AllProfiles(
    pg: RwSignal<Playground>,
    draft: impl Fn() -> Draft + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let table: RwSignal<Option<Result<Table, String>>> = RwSignal::new(None);
    let open = move |name: String| {
        pg.update(|p| p.set_profile(OPEN_IN_LANE, &name));
        if let Some(el) = document().get_element_by_id(&format!("lane-{OPEN_IN_LANE}")) {
            el.scroll_into_view();
        }
    };
    view! {
        <section class="all-profiles" id="all-profiles" aria-labelledby="all-h">
            <h2 id="all-h">"All profiles"</h2>
            <p class="muted">
                "Send the request in the composer to every profile at once, each in its own fresh store with the seed users. "
                "Lanes are not touched; a profile's name opens it in Lane B."
            </p>
            <button type="button" class="small" id="all-send" on:click=move |_| table.set(Some(atlas::build(&draft())))>
                "Send to all profiles"
            </button>
            {move || match table.get() {
                None => ().into_any(),
                Some(Err(e)) => view! { <p class="not-applied" role="alert">{e}</p> }.into_any(),
                Some(Ok(t)) => {
                    let columns = t.columns.clone();
                    view! {
                        <div class="scroll">
                            <table class="all-table">
                                <caption>{t.request_line.clone()}</caption>
                                <thead>
                                    <tr>
                                        <th scope="col">"profile"</th>
                                        <th scope="col">"status"</th>
                                        {columns.iter().map(|c| view! { <th scope="col" title=c.path.clone()>{c.label.clone()}</th> }).collect_view()}
                                        <th scope="col" class="why">"why it failed"</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {t.rows.into_iter().map(|r| {
                                        let name = r.profile.clone();
                                        let ok = r.status < 400;
                                        view! {
                                            <tr data-profile=r.profile.clone()>
                                                <th scope="row">
                                                    <button type="button" class="link" title=format!("Open {} in Lane B", r.title) on:click=move |_| open(name.clone())>
                                                        {r.profile.clone()}
                                                    </button>
                                                </th>
                                                <td class=if ok { "code ok" } else { "code err" }>{r.status_text.clone()}</td>
                                                {r.cells.into_iter().map(|w| {
                                                    let word = w.unwrap_or("");
                                                    view! { <td class=format!("verdict {word}")>{if word.is_empty() { "—" } else { word }}</td> }
                                                }).collect_view()}
                                                <td class="why">{r.detail.clone()}</td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any()
                }
            }}
        </section>
    }
}
