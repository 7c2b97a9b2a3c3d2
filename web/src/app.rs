//! The components. They read [`Playground`] and the draft signals and call their methods;
//! no decision about SCIM lives here. User data is only ever rendered as text nodes (never
//! `inner_html`), so a `<script>` in a field shows as text.

use leptos::ev;
use leptos::prelude::*;
use serde_json::Value;

use crate::diff::DiffRow;
use crate::draft::{BodyCheck, Draft, METHODS};
use crate::playground::{LANE_NAMES, Playground};
use crate::storage::{self, BrowserBackend, Persistence};
use crate::{catalog, export, share, templates};

/// The composer's fields, one signal each so typing in one re-renders only what reads it.
#[derive(Clone, Copy, Debug)]
struct DraftSignals {
    method: RwSignal<String>,
    path: RwSignal<String>,
    headers: RwSignal<String>,
    body: RwSignal<String>,
}

impl DraftSignals {
    fn new(d: Draft) -> Self {
        DraftSignals {
            method: RwSignal::new(d.method),
            path: RwSignal::new(d.path),
            headers: RwSignal::new(d.headers),
            body: RwSignal::new(d.body),
        }
    }

    fn get(&self) -> Draft {
        Draft { method: self.method.get(), path: self.path.get(), headers: self.headers.get(), body: self.body.get() }
    }

    fn get_untracked(&self) -> Draft {
        Draft {
            method: self.method.get_untracked(),
            path: self.path.get_untracked(),
            headers: self.headers.get_untracked(),
            body: self.body.get_untracked(),
        }
    }

    fn set(&self, d: Draft) {
        self.method.set(d.method);
        self.path.set(d.path);
        self.headers.set(d.headers);
        self.body.set(d.body);
    }
}

/// Visible notices (storage trouble, share links, errors), newest last.
#[derive(Clone, Copy, Debug)]
struct Notices(RwSignal<Vec<(u32, String)>>);

impl Notices {
    fn push(&self, text: impl Into<String>) {
        let text = text.into();
        self.0.update(|v| {
            let id = v.last().map_or(1, |(i, _)| i + 1);
            v.retain(|(_, t)| *t != text);
            v.push((id, text));
        });
    }
}

fn is_embed() -> bool {
    window()
        .location()
        .search()
        .ok()
        .and_then(|s| web_sys::UrlSearchParams::new_with_str(&s).ok())
        .is_some_and(|p| p.get("embed").is_some_and(|v| v == "1" || v == "true"))
}

/// The whole page. Restore order: share link, then saved state, then defaults.
#[component]
pub fn App() -> impl IntoView {
    let embed = is_embed();
    let mut persistence = storage::open(embed);
    let namespace = persistence.key("");
    let loaded = persistence.load();
    let mut notes: Vec<String> = loaded.notice.into_iter().collect();
    let (mut pg, mut draft) = match loaded.saved {
        Some(saved) => {
            let (pg, draft, more) = storage::apply(saved);
            notes.extend(more);
            (pg, draft)
        }
        None => (Playground::default(), Draft::default()),
    };
    let hash = window().location().hash().unwrap_or_default();
    if hash.starts_with("#s=") {
        match share::decode(&hash) {
            Ok(shared) => {
                for (i, name) in shared.profiles.iter().enumerate() {
                    if pg.lanes.get(i).is_some_and(|l| &l.profile_name != name) {
                        pg.set_profile(i, name);
                    }
                }
                draft = shared.draft;
                notes.push("Loaded the request from the share link.".into());
            }
            Err(e) => notes.push(format!("The share link could not be opened: {e}.")),
        }
        // Drop the fragment so a reload shows the saved state, edits included.
        let loc = window().location();
        let url = format!("{}{}", loc.pathname().unwrap_or_default(), loc.search().unwrap_or_default());
        if let Ok(h) = window().history() {
            let _ = h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
        }
    }

    let pg = RwSignal::new(pg);
    let draft = DraftSignals::new(draft);
    let notices = Notices(RwSignal::new(Vec::new()));
    for n in notes {
        notices.push(n);
    }
    let persistence: StoredValue<Persistence<BrowserBackend>, LocalStorage> = StoredValue::new_local(persistence);

    // Save whenever the draft or the lanes change.
    Effect::new(move |_| {
        let d = draft.get();
        pg.track();
        let mut saved = pg.update_untracked(|p| storage::capture(p, &d));
        let trimmed = saved.history.len();
        if let Some(n) = persistence.try_update_value(|p| p.save(&mut saved)).flatten() {
            if saved.history.len() < trimmed {
                pg.update_untracked(|p| p.history.truncate(saved.history.len()));
            }
            notices.push(n);
        }
    });

    // Another tab saved: take its state.
    storage::watch_other_tabs(namespace, move || {
        let loaded = persistence.try_update_value(|p| p.load()).unwrap_or_default();
        if let Some(saved) = loaded.saved {
            let (p, d, more) = storage::apply(saved);
            pg.set(p);
            draft.set(d);
            for n in more {
                notices.push(n);
            }
            notices.push("Updated from another tab.");
        }
    });

    let send = move || {
        let d = draft.get_untracked();
        if let Some(Err(e)) = pg.try_update(|p| p.send(&d)) {
            notices.push(e);
        }
    };

    let _ = window_event_listener(ev::keydown, move |e: web_sys::KeyboardEvent| {
        if (e.ctrl_key() || e.meta_key()) && e.key() == "Enter" {
            e.prevent_default();
            send();
        }
    });

    if embed {
        if let Some(root) = document().document_element() {
            let _ = root.class_list().add_1("embed");
        }
        Effect::new(move |_| {
            pg.track();
            draft.body.track();
            request_animation_frame(post_height);
        });
    }

    view! {
        <a class="skip" href="#composer">"Skip to the request"</a>
        <header class="top">
            <h1>"SCIM PUT playground"</h1>
            <p class="tagline">
                "Write a PUT, send it to two SCIM services at once, and see attribute by attribute what each did. "
                "Everything runs in this page; nothing is sent anywhere."
            </p>
        </header>
        <NoticeList notices=notices />
        // One persistent live region: statuses inserted with each answer are not announced.
        <p class="sr-only" aria-live="polite">
            {move || {
                pg.with(|p| {
                    p.lanes
                        .iter()
                        .zip(LANE_NAMES)
                        .filter_map(|(l, name)| l.last.as_ref().map(|x| format!("{name}: {}.", x.status_text())))
                        .collect::<Vec<_>>()
                        .join(" ")
                })
            }}
        </p>
        <main>
            <Composer draft=draft pg=pg send=send notices=notices />
            <div class="lanes">
                <LaneView idx=0 pg=pg draft=draft />
                <LaneView idx=1 pg=pg draft=draft />
            </div>
            <Differences pg=pg />
            <HistoryView pg=pg draft=draft send=send />
        </main>
        <footer class="foot">
            <p>
                {seed_users_sentence()}
                " Address them in a path as "
                <code>"/Users/{userName:bjensen}"</code>
                "; each lane resolves it to its own id. Ctrl+Enter (⌘+Enter) sends."
            </p>
        </footer>
    }
}

/// "Seed users: bjensen, …." from the users every lane holds (an RFC lane holds exactly
/// the documented users of every built-in).
fn seed_users_sentence() -> String {
    let names: Vec<String> = crate::lane::Lane::new("rfc").users().into_iter().map(|u| u.user_name).collect();
    format!("Seed users: {}.", names.join(", "))
}

fn post_height() {
    let height = document().document_element().map(|e| e.scroll_height()).unwrap_or_default();
    if let Ok(Some(parent)) = window().parent() {
        let msg = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&msg, &"type".into(), &"scim-playground:height".into());
        let _ = js_sys::Reflect::set(&msg, &"height".into(), &height.into());
        let _ = parent.post_message(&msg, "*");
    }
}

#[component]
fn NoticeList(notices: Notices) -> impl IntoView {
    view! {
        <div class="notices" role="status" aria-live="polite">
            {move || {
                notices
                    .0
                    .get()
                    .into_iter()
                    .map(|(id, text)| {
                        view! {
                            <p class="notice">
                                <span>{text}</span>
                                " "
                                <button
                                    type="button"
                                    class="small"
                                    on:click=move |_| notices.0.update(|v| v.retain(|(i, _)| *i != id))
                                >
                                    "Dismiss"
                                </button>
                            </p>
                        }
                    })
                    .collect_view()
            }}
        </div>
    }
}

#[component]
fn Composer(
    draft: DraftSignals,
    pg: RwSignal<Playground>,
    send: impl Fn() + Copy + Send + Sync + 'static,
    notices: Notices,
) -> impl IntoView {
    let check = Memo::new(move |_| draft.body.with(|b| BodyCheck::of(b)));
    let share_url = RwSignal::new(String::new());
    let export_kind = RwSignal::new(String::new());

    let load_template = move |id: String| {
        if id == templates::CURRENT_USER {
            let path = draft.path.get_untracked();
            match pg.try_update(|p| p.lanes.first_mut().map(|l| l.current_as_body(&path))).flatten() {
                Some(Ok(body)) => {
                    draft.method.set("PUT".into());
                    draft.body.set(body);
                }
                Some(Err(e)) => notices.push(format!("Current user: {e}")),
                None => {}
            }
        } else if let Some(t) = templates::by_id(&id) {
            draft.set((t.make)());
        }
    };

    let do_share = move || {
        let profiles: Vec<String> = pg.with_untracked(|p| p.lanes.iter().map(|l| l.profile_name.clone()).collect());
        let frag = share::encode(&draft.get_untracked(), &profiles);
        let loc = window().location();
        let url = format!(
            "{}{}{}#{frag}",
            loc.origin().unwrap_or_default(),
            loc.pathname().unwrap_or_default(),
            loc.search().unwrap_or_default()
        );
        share_url.set(url.clone());
        let clipboard = window().navigator().clipboard();
        let _ = clipboard.write_text(&url);
        notices.push("Share link ready (copied to the clipboard where the browser allows).");
    };

    view! {
        <section id="composer" class="composer" aria-labelledby="composer-h">
            <h2 id="composer-h">"Request"</h2>
            <div class="row">
                <label class="field method">
                    <span>"Method"</span>
                    <select on:change=move |e| draft.method.set(event_target_value(&e)) prop:value=move || draft.method.get()>
                        {METHODS
                            .iter()
                            .map(|m| {
                                let m = *m;
                                view! {
                                    <option value=m selected=move || draft.method.get() == m>
                                        {m}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </label>
                <label class="field path">
                    <span>"Path"</span>
                    <input
                        type="text"
                        spellcheck="false"
                        autocomplete="off"
                        prop:value=move || draft.path.get()
                        on:input=move |e| draft.path.set(event_target_value(&e))
                    />
                </label>
                <label class="field pick">
                    <span>"Pick user"</span>
                    <select on:change=move |e| {
                        let v = event_target_value(&e);
                        if !v.is_empty() {
                            draft.path.set(v);
                        }
                    }>
                        <option value="" selected=move || { pg.track(); draft.path.track(); true }>"Existing ids…"</option>
                        {move || {
                            pg.with(|p| p.lanes.first().map(|l| l.users()).unwrap_or_default())
                                .into_iter()
                                .flat_map(|u| {
                                    [
                                        (format!("/Users/{}", u.id), format!("{} (id {})", u.user_name, u.id)),
                                        (
                                            format!("/Users/{{userName:{}}}", u.user_name),
                                            format!("{} (by userName, each lane)", u.user_name),
                                        ),
                                    ]
                                })
                                .map(|(value, label)| view! { <option value=value>{label}</option> })
                                .collect_view()
                        }}
                    </select>
                </label>
                <label class="field template">
                    <span>"Template"</span>
                    <select on:change=move |e| {
                        let v = event_target_value(&e);
                        if !v.is_empty() {
                            load_template(v);
                        }
                    }>
                        <option value="" selected=move || { draft.body.track(); true }>"Load a template…"</option>
                        {templates::TEMPLATES
                            .iter()
                            .map(|t| view! { <option value=t.id>{t.label}</option> })
                            .collect_view()}
                        <option value=templates::CURRENT_USER>"Current user as a PUT body (GET, then edit)"</option>
                    </select>
                </label>
            </div>
            <div class="editors">
                <label class="field headers">
                    <span>"Headers"</span>
                    <textarea
                        rows="4"
                        spellcheck="false"
                        prop:value=move || draft.headers.get()
                        on:input=move |e| draft.headers.set(event_target_value(&e))
                    ></textarea>
                    <small class="hint">"One Name: value per line."</small>
                </label>
                <label class="field body">
                    <span>"Request body"</span>
                    <textarea
                        rows="12"
                        spellcheck="false"
                        aria-describedby="body-check"
                        aria-invalid=move || matches!(check.get(), BodyCheck::Invalid { .. }).to_string()
                        prop:value=move || draft.body.get()
                        on:input=move |e| draft.body.set(event_target_value(&e))
                    ></textarea>
                </label>
                <p
                    id="body-check"
                    class="check"
                    class:bad=move || matches!(check.get(), BodyCheck::Invalid { .. })
                    aria-live="polite"
                >
                    {move || check.get().describe()}
                </p>
            </div>
            <div class="actions">
                <button type="button" class="primary" on:click=move |_| send()>
                    "Send"
                </button>
                <span class="hint">"Ctrl+Enter / ⌘+Enter"</span>
                <button type="button" on:click=move |_| do_share()>
                    "Share"
                </button>
                <label class="field inline">
                    <span>"Export as"</span>
                    <select on:change=move |e| export_kind.set(event_target_value(&e))>
                        <option value="">"—"</option>
                        {export::KINDS.iter().map(|(id, label)| view! { <option value=*id>{*label}</option> }).collect_view()}
                    </select>
                </label>
            </div>
            {move || {
                let url = share_url.get();
                (!url.is_empty())
                    .then(|| {
                        view! {
                            <label class="field">
                                <span>"Share link"</span>
                                <input type="text" readonly prop:value=url />
                            </label>
                        }
                    })
            }}
            {move || {
                let kind = export_kind.get();
                let d = draft.get();
                (!kind.is_empty())
                    .then(|| {
                        let path = pg
                            .with(|p| p.lanes.first().map(|l| l.resolve_path(&d.path)))
                            .and_then(Result::ok)
                            .unwrap_or_else(|| d.path.clone());
                        let text = export::render(&kind, &d, &path);
                        view! {
                            <label class="field">
                                <span>"Exported request"</span>
                                <textarea readonly rows="8" spellcheck="false" prop:value=text></textarea>
                            </label>
                        }
                    })
            }}
        </section>
    }
}

fn status_class(status: u16) -> &'static str {
    match status {
        200..=299 => "status ok",
        300..=399 => "status info",
        _ => "status err",
    }
}

fn compact(v: &Option<Value>) -> String {
    match v {
        None => "(absent)".into(),
        Some(v) => v.to_string(),
    }
}

fn outcome_label(o: scim_core::Outcome) -> String {
    let raw = serde_json::to_value(o).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
    let mut out = String::new();
    for c in raw.chars() {
        if c.is_ascii_uppercase() {
            out.push(' ');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[component]
fn LaneView(idx: usize, pg: RwSignal<Playground>, draft: DraftSignals) -> impl IntoView {
    let name = LANE_NAMES.get(idx).copied().unwrap_or("Lane");
    let heading = format!("lane-{idx}-h");
    let last = move || pg.with(|p| p.lanes.get(idx).and_then(|l| l.last.clone()));
    let profile_name = move || pg.with(|p| p.lanes.get(idx).map(|l| l.profile_name.clone()).unwrap_or_default());
    let choices = catalog::catalog();

    view! {
        <section class="lane" aria-label=name>
            <div class="lane-head">
                <h2 id=heading>{name}</h2>
                <label class="field inline">
                    <span>"Profile"</span>
                    <select on:change=move |e| {
                        let v = event_target_value(&e);
                        pg.update(|p| p.set_profile(idx, &v));
                    }>
                        {choices
                            .iter()
                            .map(|c| {
                                let value = c.name.clone();
                                let is = c.name.clone();
                                view! {
                                    <option value=value selected=move || profile_name() == is>
                                        {c.name.clone()}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </label>
                <button
                    type="button"
                    class="small"
                    title="Back to the seed users"
                    on:click=move |_| pg.update(|p| p.reset_lane(idx))
                >
                    "Reset"
                </button>
            </div>
            <p class="desc">
                {move || pg.with(|p| p.lanes.get(idx).map(|l| l.profile().description.clone()).unwrap_or_default())}
            </p>
            {move || match last() {
                None => view! { <p class="status none">"No request sent yet."</p> }.into_any(),
                Some(x) => {
                    let body = x.pretty_body();
                    view! {
                        <div class="response">
                            <p class="reqline">
                                <code>{x.request_line.clone()}</code>
                            </p>
                            <p class=status_class(x.response.status)>
                                {x.status_text()}
                            </p>
                            <dl class="headers">
                                {x
                                    .response
                                    .headers
                                    .iter()
                                    .map(|(n, v)| {
                                        view! {
                                            <div>
                                                <dt>{n.clone()}</dt>
                                                <dd>{v.clone()}</dd>
                                            </div>
                                        }
                                    })
                                    .collect_view()}
                            </dl>
                            {(!body.is_empty())
                                .then(|| {
                                    view! {
                                        <pre class="body" tabindex="0" aria-label=format!("{name} response body")>
                                            {body}
                                        </pre>
                                    }
                                })}
                        </div>
                    }
                        .into_any()
                }
            }}
            <section class="explanation" aria-label="Explanation">
                <h3>"Explanation"</h3>
                {move || {
                    let expl = last().and_then(|x| x.response.explanation);
                    match expl {
                        None => view! { <p class="muted">"Writes (PUT, POST) are explained here, attribute by attribute."</p> }.into_any(),
                        Some(e) => {
                            view! {
                                <div class="scroll">
                                    <table>
                                        <caption>{format!("{} under profile {}", e.operation, e.profile)}</caption>
                                        <colgroup>
                                            <col class="attr" />
                                            <col class="outcome" />
                                            <col class="change" />
                                            <col class="rule" />
                                        </colgroup>
                                        <thead>
                                            <tr>
                                                <th scope="col">"Attribute"</th>
                                                <th scope="col">"Outcome"</th>
                                                <th scope="col">"Old → new"</th>
                                                <th scope="col">"Rule"</th>
                                            </tr>
                                        </thead>
                                        <tbody>
                                            {e
                                                .entries
                                                .into_iter()
                                                .map(|en| {
                                                    let bad = en.outcome.is_rejection();
                                                    view! {
                                                        <tr class:bad=bad>
                                                            <th scope="row">
                                                                <code>{en.path}</code>
                                                            </th>
                                                            <td>{outcome_label(en.outcome)}</td>
                                                            <td>
                                                                <code>{compact(&en.old)}</code>
                                                                " → "
                                                                <code>{compact(&en.new)}</code>
                                                            </td>
                                                            <td>
                                                                {en.rule}
                                                                {(!en.note.is_empty()).then(|| view! { <div class="note">{en.note}</div> })}
                                                            </td>
                                                        </tr>
                                                    }
                                                })
                                                .collect_view()}
                                        </tbody>
                                    </table>
                                </div>
                                {e.notes.into_iter().map(|n| view! { <p class="note">{n}</p> }).collect_view()}
                            }
                                .into_any()
                        }
                    }
                }}
            </section>
            <section class="users" aria-label=format!("Users in {name}")>
                <h3>"Users"</h3>
                <ul>
                    {move || {
                        let users = pg.with(|p| p.lanes.get(idx).map(|l| l.users()).unwrap_or_default());
                        if users.is_empty() {
                            return view! { <li class="muted">"No users. Reset restores the seed users."</li> }.into_any();
                        }
                        users
                            .into_iter()
                            .map(|u| {
                                let label = format!("Edit {} as a PUT", u.user_name);
                                let id = u.id.clone();
                                let un = u.user_name.clone();
                                view! {
                                    <li>
                                        <button
                                            type="button"
                                            class="link"
                                            aria-label=label
                                            on:click=move |_| {
                                                let headers = draft.headers.get_untracked();
                                                draft.set(Playground::user_as_put(&u, &headers));
                                            }
                                        >
                                            {un}
                                        </button>
                                        " "
                                        <code class="id">{id}</code>
                                    </li>
                                }
                            })
                            .collect_view()
                            .into_any()
                    }}
                </ul>
            </section>
        </section>
    }
}

#[component]
fn Differences(pg: RwSignal<Playground>) -> impl IntoView {
    let names = move || {
        pg.with(|p| {
            p.lanes
                .iter()
                .enumerate()
                .map(|(i, l)| format!("{} ({})", LANE_NAMES.get(i).copied().unwrap_or("Lane"), l.profile_name))
                .collect::<Vec<_>>()
        })
    };
    view! {
        <section class="differences" aria-labelledby="diff-h">
            <h2 id="diff-h">"Differences"</h2>
            {move || {
                match pg.with(|p| p.differences()) {
                    None => view! { <p class="muted">"Send a request to compare the two lanes."</p> }.into_any(),
                    Some(rows) if rows.is_empty() => view! { <p class="same">"Both lanes answered the same."</p> }.into_any(),
                    Some(rows) => {
                        let n = names();
                        let count = rows.len();
                        let volatile = rows.iter().filter(|r| r.volatile).count();
                        let summary = format!(
                            "{count} difference{}{}.",
                            if count == 1 { "" } else { "s" },
                            if volatile > 0 { format!(", {volatile} of them server-generated (ids, timestamps, versions)") } else { String::new() }
                        );
                        view! {
                            <p>{summary}</p>
                            <div class="scroll">
                                <table>
                                    <colgroup>
                                        <col class="attr" />
                                        <col />
                                        <col />
                                    </colgroup>
                                    <thead>
                                        <tr>
                                            <th scope="col">"Attribute"</th>
                                            <th scope="col">{n.first().cloned().unwrap_or_default()}</th>
                                            <th scope="col">{n.get(1).cloned().unwrap_or_default()}</th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {rows
                                            .into_iter()
                                            .map(|row| {
                                                let DiffRow { path, left: a, right: b, volatile } = row;
                                                view! {
                                                    <tr class:volatile=volatile>
                                                        <th scope="row">
                                                            <code>{path}</code>
                                                            {volatile.then(|| view! { <span class="tag">" server-generated"</span> })}
                                                        </th>
                                                        <td class:absent=a.is_none()>
                                                            <code>{compact(&a)}</code>
                                                        </td>
                                                        <td class:absent=b.is_none()>
                                                            <code>{compact(&b)}</code>
                                                        </td>
                                                    </tr>
                                                }
                                            })
                                            .collect_view()}
                                    </tbody>
                                </table>
                            </div>
                        }
                            .into_any()
                    }
                }
            }}
        </section>
    }
}

#[component]
fn HistoryView(
    pg: RwSignal<Playground>,
    draft: DraftSignals,
    send: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    view! {
        <section class="history" aria-labelledby="history-h">
            <h2 id="history-h">"History"</h2>
            <ul aria-label="History">
                {move || {
                    let items = pg.with(|p| p.history.clone());
                    if items.is_empty() {
                        return view! { <li class="muted">"Sent requests appear here."</li> }.into_any();
                    }
                    items
                        .into_iter()
                        .map(|h| {
                            let line = format!("{} {}", h.draft.method, h.draft.path);
                            let d1 = h.draft.clone();
                            let d2 = h.draft;
                            view! {
                                <li>
                                    <code>{line.clone()}</code>
                                    <span class="statuses">{h.statuses.join(" · ")}</span>
                                    <button
                                        type="button"
                                        class="small"
                                        aria-label=format!("Re-run {line}")
                                        on:click=move |_| {
                                            draft.set(d1.clone());
                                            send();
                                        }
                                    >
                                        "Re-run"
                                    </button>
                                    <button
                                        type="button"
                                        class="small"
                                        aria-label=format!("Edit {line}")
                                        on:click=move |_| draft.set(d2.clone())
                                    >
                                        "Edit"
                                    </button>
                                </li>
                            }
                        })
                        .collect_view()
                        .into_any()
                }}
            </ul>
            <crate::archive_view::HistoryArchives pg=pg load=move |d| draft.set(d) />
        </section>
    }
}
