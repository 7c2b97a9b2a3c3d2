//! The profile card in each lane (kept out of `app`): a disclosure under the lane's profile
//! description with what the service does in sentences, and every knob with its value and
//! source ([`crate::card`]). Values and quotes are rendered as text.

use leptos::prelude::*;

use crate::card;
use crate::playground::Playground;

/// The card of lane `idx`'s profile.
#[component]
pub fn ProfileCard(pg: RwSignal<Playground>, idx: usize) -> impl IntoView {
    let card = Memo::new(move |_| pg.with(|p| p.lanes.get(idx).map(|l| card::card(l.profile()))));
    view! {
        <details class="card" id=format!("lane-{idx}-card")>
            <summary>
                {move || card.with(|c| c.as_ref().map(|c| format!("Profile card: what {} does", c.name)).unwrap_or_default())}
            </summary>
            {move || card.get().map(|c| view! {
                <dl class="card-lines">
                    {c.lines.into_iter().map(|l| view! {
                        <dt>{l.topic}</dt>
                        <dd>
                            {l.text}
                            " "
                            <span class="basis" title=l.knobs.join(", ")>
                                {match l.url {
                                    Some(u) => view! { <a href=u target="_blank" rel="noopener">{l.basis}</a> }.into_any(),
                                    None => view! { <span>{l.basis}</span> }.into_any(),
                                }}
                            </span>
                        </dd>
                    }).collect_view()}
                </dl>
                <details class="card-knobs">
                    <summary>{format!("All {} knobs with values and sources", c.knobs.len())}</summary>
                    <ul class="knob-list">
                        {c.knobs.into_iter().map(|k| view! {
                            <li>
                                <code>{k.name}</code>
                                " = "
                                <code class="value">{k.value}</code>
                                " "
                                {match k.url {
                                    Some(u) => view! { <a class="basis" href=u target="_blank" rel="noopener">{k.basis}</a> }.into_any(),
                                    None => view! { <span class="basis">{k.basis}</span> }.into_any(),
                                }}
                                {(!k.quote.is_empty()).then(|| view! { <div class="note">{format!("“{}”", k.quote)}</div> })}
                                {(!k.note.is_empty()).then(|| view! { <div class="note">{k.note}</div> })}
                            </li>
                        }).collect_view()}
                    </ul>
                </details>
            })}
        </details>
    }
}
