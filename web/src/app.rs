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
use crate::{editor, explain_view, export, lessons, share, templates};

/// The composer's fields, one signal each so typing in one re-renders only what reads it.
#[derive(Clone, Copy, Debug)]
struct DraftSignals {
    method: RwSignal<String>,
    path: RwSignal<String>,
    headers: RwSignal<String>,
    body: RwSignal<String>,
    raw: RwSignal<bool>,
}

impl DraftSignals {
    fn new(d: Draft) -> Self {
        DraftSignals {
            method: RwSignal::new(d.method),
            path: RwSignal::new(d.path),
            headers: RwSignal::new(d.headers),
            body: RwSignal::new(d.body),
            raw: RwSignal::new(d.raw),
        }
    }

    fn get(&self) -> Draft {
        Draft {
            method: self.method.get(),
            path: self.path.get(),
            headers: self.headers.get(),
            body: self.body.get(),
            raw: self.raw.get(),
        }
    }

    fn get_untracked(&self) -> Draft {
        Draft {
            method: self.method.get_untracked(),
            path: self.path.get_untracked(),
            headers: self.headers.get_untracked(),
            body: self.body.get_untracked(),
            raw: self.raw.get_untracked(),
        }
    }

    fn set(&self, d: Draft) {
        self.method.set(d.method);
        self.path.set(d.path);
        self.headers.set(d.headers);
        self.body.set(d.body);
        self.raw.set(d.raw);
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

/// A query parameter of the page's own URL.
fn query_param(name: &str) -> Option<String> {
    window().location().search().ok().and_then(|s| web_sys::UrlSearchParams::new_with_str(&s).ok())?.get(name)
}

/// `?name=1` or `?name=true`.
fn query_flag(name: &str) -> bool {
    query_param(name).is_some_and(|v| v == "1" || v == "true")
}

fn is_embed() -> bool {
    query_flag("embed")
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

    // `?template=ID` opens a template's scenario (an embed's or a link's starting point).
    let url_template = query_param("template").and_then(|id| templates::by_id(&id));
    if let Some(t) = url_template {
        pg.start_scenario(t.lanes);
        draft = (t.make)();
    }
    // `?lesson=ID` opens a lesson: its lanes and request, run on load.
    let url_lesson = query_param("lesson").and_then(|id| lessons::by_id(&id));
    if let Some((_, l)) = url_lesson {
        pg.start_scenario(l.lanes);
        draft = (l.make)();
    }
    let run_on_load = query_flag("run") || url_lesson.is_some();
    let read_only = query_flag("readonly");

    let pg = RwSignal::new(pg);
    let draft = DraftSignals::new(draft);
    let lesson: RwSignal<Option<usize>> = RwSignal::new(url_lesson.map(|(i, _)| i));
    let body_ref: NodeRef<leptos::html::Textarea> = NodeRef::new();
    let notices = Notices(RwSignal::new(Vec::new()));
    for n in notes {
        notices.push(n);
    }
    let persistence: StoredValue<Persistence<BrowserBackend>, LocalStorage> = StoredValue::new_local(persistence);

    // Save when the draft or the lanes change: once typing or sending pauses, and at once
    // when the page is hidden or unloaded. A save writes each lane's new change records, not
    // its store (see `storage`).
    let save_now = move || {
        let d = draft.get_untracked();
        let notice = pg.try_update_untracked(|p| persistence.try_update_value(|s| s.save(p, &d)).flatten()).flatten();
        if let Some(n) = notice {
            notices.push(n);
        }
    };
    let pending: StoredValue<Option<TimeoutHandle>, LocalStorage> = StoredValue::new_local(None);
    Effect::new(move |_| {
        let _ = draft.get();
        pg.track();
        if let Some(h) = pending.try_update_value(Option::take).flatten() {
            h.clear();
        }
        let h = set_timeout_with_handle(
            move || {
                pending.set_value(None);
                save_now();
            },
            std::time::Duration::from_millis(SAVE_DELAY_MS),
        )
        .ok();
        pending.set_value(h);
    });
    let _ = window_event_listener(ev::pagehide, move |_| {
        if let Some(h) = pending.try_update_value(Option::take).flatten() {
            h.clear();
            save_now();
        }
    });

    // Another tab saved: take its state (not in embeds: each keeps its own).
    if !embed {
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
    }

    let send = move || {
        let d = draft.get_untracked();
        match pg.try_update(|p| p.send(&d)) {
            Some(Err(e)) => notices.push(e),
            // Lanes stack below 900 px: bring the first answer into view.
            _ if window().inner_width().ok().and_then(|w| w.as_f64()).is_some_and(|w| w < 900.0) => {
                request_animation_frame(|| {
                    if let Some(el) = document().get_element_by_id("lane-0") {
                        el.scroll_into_view();
                    }
                });
            }
            _ => {}
        }
    };

    // Opens lesson `i`: its lanes fresh, its request, sent at once; the URL names it.
    let open_lesson = move |i: usize| {
        let Some(l) = lessons::LESSONS.get(i) else { return };
        draft.set((l.make)());
        pg.update(|p| p.start_scenario(l.lanes));
        lesson.set(Some(i));
        set_query_param("lesson", Some(l.id));
        send();
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
        // After every change (any composer field, any lane), once the DOM has it.
        Effect::new(move |_| {
            pg.track();
            let _ = draft.get();
            request_animation_frame(post_height);
        });
    }
    if run_on_load {
        // `?run=1`: the request runs once the page is up.
        request_animation_frame(send);
    }

    view! {
        <a class="skip" href="#composer">"Skip to the request"</a>
        <header class="top">
            <h1>"SCIM PUT playground"</h1>
            <p class="tagline">
                "Write a PUT, send it to two SCIM services at once, and see attribute by attribute what each did. "
                "Everything runs in this page; nothing is sent anywhere unless you press Send to your server."
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
            <LessonPanel lesson=lesson open_lesson=open_lesson />
            <Composer
                draft=draft
                pg=pg
                send=send
                notices=notices
                body_ref=body_ref
                initial_scenario=url_template.map(|t| t.id)
                read_only=read_only
                lesson=lesson
            />
            <div class="lanes">
                <LaneView idx=0 pg=pg draft=draft body_ref=body_ref lesson=lesson read_only=read_only />
                <LaneView idx=1 pg=pg draft=draft body_ref=body_ref lesson=lesson read_only=read_only />
            </div>
            <Differences pg=pg lesson=lesson />
            {(!embed).then(|| view! { <crate::remote_view::RemoteLane pg=pg draft=move || draft.get_untracked() /> })}
            <crate::atlas_view::AllProfiles pg=pg draft=move || draft.get_untracked() />
            <HistoryView pg=pg draft=draft send=send body_ref=body_ref />
        </main>
        {(!embed).then(|| view! { <EmbedBuilder draft=draft pg=pg notices=notices /> })}
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

/// "Embed this": the iframe snippet for the current request and lanes (carried in the
/// `#s=` fragment, like a share link), with auto-run, read-only and a height, plus the few
/// lines that resize the iframe to the height the page posts.
#[component]
fn EmbedBuilder(draft: DraftSignals, pg: RwSignal<Playground>, notices: Notices) -> impl IntoView {
    let run = RwSignal::new(true);
    let read_only = RwSignal::new(false);
    let height = RwSignal::new(String::from("600"));
    // "" embeds the current request; a lesson id embeds that lesson (which always runs).
    let start = RwSignal::new(String::new());
    let snippet = move || {
        let loc = window().location();
        let mut src = format!("{}{}?embed=1", loc.origin().unwrap_or_default(), loc.pathname().unwrap_or_default());
        let lesson = start.get();
        let frag = if lesson.is_empty() {
            let profiles: Vec<String> = pg.with(|p| p.lanes.iter().map(|l| l.profile_name.clone()).collect());
            format!("#{}", share::encode(&draft.get(), &profiles))
        } else {
            src.push_str(&format!("&lesson={lesson}"));
            String::new()
        };
        if run.get() && lesson.is_empty() {
            src.push_str("&run=1");
        }
        if read_only.get() {
            src.push_str("&readonly=1");
        }
        let h: u32 = height.get().trim().parse().unwrap_or(600);
        format!(
            "<iframe src=\"{src}{frag}\" title=\"SCIM playground\" width=\"100%\" height=\"{h}\" style=\"border:0\" loading=\"lazy\"></iframe>\n<script>\naddEventListener(\"message\", (e) => {{\n  if (e.data && e.data.type === \"scim-playground:height\")\n    for (const f of document.querySelectorAll(\"iframe\")) if (f.contentWindow === e.source) f.height = e.data.height;\n}});\n</script>"
        )
    };
    view! {
        <details class="embed-builder">
            <summary>"Embed this request in your docs"</summary>
            <div class="row">
                <label class="field inline">
                    <span>"Start from"</span>
                    <select on:change=move |e| start.set(event_target_value(&e))>
                        <option value="" selected=true>"This request and lanes"</option>
                        {lessons::LESSONS
                            .iter()
                            .enumerate()
                            .map(|(i, l)| view! { <option value=l.id>{format!("Lesson {}: {}", i + 1, l.title)}</option> })
                            .collect_view()}
                    </select>
                </label>
                <label class="field inline">
                    <input type="checkbox" prop:checked=move || run.get() on:change=move |e| run.set(event_target_checked(&e)) />
                    <span>"Run on load"</span>
                </label>
                <label class="field inline">
                    <input type="checkbox" prop:checked=move || read_only.get() on:change=move |e| read_only.set(event_target_checked(&e)) />
                    <span>"Read-only"</span>
                </label>
                <label class="field inline">
                    <span>"Height (px)"</span>
                    <input type="text" inputmode="numeric" size="5" prop:value=move || height.get() on:input=move |e| height.set(event_target_value(&e)) />
                </label>
            </div>
            <div class="copyable">
                <label class="field">
                    <span>"Embed snippet"</span>
                    <textarea readonly rows="6" spellcheck="false" prop:value=snippet></textarea>
                </label>
                <button type="button" class="small" on:click=move |_| copy(&snippet(), notices)>"Copy snippet"</button>
            </div>
            <p class="hint">"The lanes and the request travel in the link; a template's scenario opens with ?template=ID, a lesson with ?lesson=ID (it runs on load; see docs/embedding.md)."</p>
        </details>
    }
}

/// The rows the current lesson names (none outside a lesson).
fn highlighted(lesson: RwSignal<Option<usize>>) -> &'static [&'static str] {
    lesson.get().and_then(|i| lessons::LESSONS.get(i)).map_or(&[], |l| l.highlight)
}

/// The mark on a row a lesson highlights (the colour is not the only cue).
fn lesson_mark() -> impl IntoView {
    view! { <span class="tag lesson-mark">" ◆ this lesson"</span> }
}

/// Sets (or with `None` removes) one query parameter of the page's URL without reloading.
fn set_query_param(name: &str, value: Option<&str>) {
    let loc = window().location();
    let Ok(params) = web_sys::UrlSearchParams::new_with_str(&loc.search().unwrap_or_default()) else { return };
    match value {
        Some(v) => params.set(name, v),
        None => params.delete(name),
    }
    let query = String::from(params.to_string());
    let url = format!(
        "{}{}",
        loc.pathname().unwrap_or_default(),
        if query.is_empty() { String::new() } else { format!("?{query}") }
    );
    if let Ok(h) = window().history() {
        let _ = h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
}

/// The lesson path: the current step's text with Previous and Next, or a way in.
#[component]
fn LessonPanel(
    lesson: RwSignal<Option<usize>>,
    open_lesson: impl Fn(usize) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let total = lessons::LESSONS.len();
    move || {
        match lesson.get().and_then(|i| lessons::LESSONS.get(i).map(|l| (i, l))) {
        Some((i, l)) => view! {
            <section class="lesson-panel" aria-labelledby="lesson-h">
                <h2 id="lesson-h">{format!("Lesson {} of {total}: {}", i + 1, l.title)}</h2>
                <p>{l.text}</p>
                <p class="muted">{format!("Lanes: {} and {}. The rows that matter are marked ◆.", l.lanes[0], l.lanes[1])}</p>
                <div class="row">
                    <button type="button" class="small" disabled={i == 0} on:click=move |_| open_lesson(i.saturating_sub(1))>"Previous"</button>
                    <button type="button" class="small" disabled={i + 1 >= total} on:click=move |_| open_lesson(i + 1)>"Next"</button>
                    <button type="button" class="small" on:click=move |_| { lesson.set(None); set_query_param("lesson", None); }>"Leave the lessons"</button>
                </div>
            </section>
        }
        .into_any(),
        None => view! {
            <p class="lessons-start">
                "New to SCIM PUT? "
                <button type="button" class="small" on:click=move |_| open_lesson(0)>{format!("Start the lessons ({total} short steps)")}</button>
            </p>
        }
        .into_any(),
    }
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
    body_ref: NodeRef<leptos::html::Textarea>,
    initial_scenario: Option<&'static str>,
    read_only: bool,
    lesson: RwSignal<Option<usize>>,
) -> impl IntoView {
    // The template whose "look for" sentence shows, and the draft a template replaced.
    let scenario: RwSignal<Option<&'static str>> = RwSignal::new(initial_scenario);
    let pick_filter = RwSignal::new(String::new());
    let undo: RwSignal<Option<Draft>> = RwSignal::new(None);
    let check = Memo::new(move |_| draft.body.with(|b| BodyCheck::of(b)));
    let share_url = RwSignal::new(String::new());
    let export_kind = RwSignal::new(String::new());
    let export_lane = RwSignal::new(0usize);

    // The editor: highlighted copy, Format, completion of attribute names from both lanes'
    // schemas (recomputed only when a lane's profile changes).
    let hl_ref: NodeRef<leptos::html::Pre> = NodeRef::new();
    let cursor = RwSignal::new(0usize);
    let profiles = Memo::new(move |_| pg.with(|p| p.lanes.iter().map(|l| l.profile_name.clone()).collect::<Vec<_>>()));
    let names = Memo::new(move |_| {
        profiles.track();
        pg.with_untracked(|p| {
            let mut all: Vec<String> = Vec::new();
            for n in p.lanes.iter().flat_map(|l| l.attribute_names()) {
                if !all.contains(&n) {
                    all.push(n);
                }
            }
            all
        })
    });
    let track_cursor = move || {
        if let Some(el) = body_ref.get_untracked() {
            cursor.set(el.selection_start().ok().flatten().unwrap_or_default() as usize);
        }
    };
    let sync_scroll = move || {
        if let (Some(t), Some(h)) = (body_ref.get_untracked(), hl_ref.get_untracked()) {
            h.set_scroll_top(t.scroll_top());
            h.set_scroll_left(t.scroll_left());
        }
    };
    let suggestions = move || -> Vec<String> {
        if read_only {
            return Vec::new();
        }
        let prefix = draft.body.with(|b| editor::key_prefix(b, cursor.get()));
        match prefix {
            Some(p) if !p.is_empty() => {
                names.with(|n| editor::complete(n, &p, 8).into_iter().map(str::to_string).collect())
            }
            _ => Vec::new(),
        }
    };
    // Completes the key at the cursor: the rest of the name, the closing quote and `: `.
    let accept = move |name: String| {
        let at = cursor.get_untracked();
        let body = draft.body.get_untracked();
        let Some(prefix) = editor::key_prefix(&body, at) else { return };
        let chars: Vec<char> = body.chars().collect();
        let start = at.saturating_sub(prefix.chars().count());
        let head: String = chars.iter().take(start).collect();
        let tail: String = chars.iter().skip(at).collect();
        let tail = tail.strip_prefix('"').map(str::to_string).unwrap_or(tail);
        let tail = tail.trim_start().strip_prefix(':').map(|t| t.trim_start().to_string()).unwrap_or(tail);
        let insert = format!("{name}\": ");
        let caret = start + insert.chars().count();
        draft.body.set(format!("{head}{insert}{tail}"));
        cursor.set(caret);
        request_animation_frame(move || {
            if let Some(el) = body_ref.get_untracked() {
                let _ = el.focus();
                let _ = el.set_selection_range(caret as u32, caret as u32);
            }
        });
    };
    let do_format = move || match editor::format(&draft.body.get_untracked()) {
        Ok(pretty) => draft.body.set(pretty),
        Err(e) => notices.push(format!("Format: the body is not JSON yet ({e}).")),
    };

    let load_template = move |id: String| {
        let before = draft.get_untracked();
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
            lesson.set(None);
            set_query_param("lesson", None);
            draft.set((t.make)());
            pg.update(|p| p.start_scenario(t.lanes));
            scenario.set(Some(t.id));
        }
        // Undo only brings back what the person typed: the page's first draft or a template,
        // untouched, is not worth the notice.
        if draft.get_untracked() != before && !templates::is_untouched(&before) {
            undo.set(Some(before));
        }
        focus_composer(body_ref);
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
                    <select disabled=read_only on:change=move |e| draft.method.set(event_target_value(&e)) prop:value=move || draft.method.get()>
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
                        readonly=read_only
                        prop:value=move || draft.path.get()
                        on:input=move |e| draft.path.set(event_target_value(&e))
                    />
                </label>
                <label class="field pick">
                    <span>"Pick user"</span>
                    <select disabled=read_only on:change=move |e| {
                        let v = event_target_value(&e);
                        if !v.is_empty() {
                            draft.path.set(v);
                        }
                    }>
                        <option value="" selected=move || { pg.track(); draft.path.track(); true }>"A user, by userName…"</option>
                        {move || {
                            let (choices, total) = pg.with(|p| p.user_choices(&pick_filter.get(), LIST_PAGE));
                            let more = total.saturating_sub(choices.len());
                            let rest = (more > 0).then(|| {
                                view! { <option value="" disabled=true>{format!("… {more} more: type in Find user to narrow")}</option> }
                            });
                            let options = choices
                                .into_iter()
                                .map(|(name, ids)| {
                                    let where_ = ids
                                        .iter()
                                        .zip(LANE_NAMES)
                                        .map(|(id, lane)| match id {
                                            Some(id) => format!("{} id {id}", lane.trim_start_matches("Lane ")),
                                            None => format!("not in {lane}"),
                                        })
                                        .collect::<Vec<_>>()
                                        .join(" · ");
                                    let label = format!("{name} ({where_})");
                                    view! { <option value=format!("/Users/{{userName:{name}}}")>{label}</option> }
                                })
                                .collect_view();
                            view! { {options} {rest} }
                        }}
                    </select>
                    <input
                        type="search"
                        class="find"
                        aria-label="Find user"
                        placeholder="Find user…"
                        prop:value=move || pick_filter.get()
                        on:input=move |e| pick_filter.set(event_target_value(&e))
                    />
                </label>
                <label class="field template">
                    <span>"Template"</span>
                    <select disabled=read_only on:change=move |e| {
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
            {move || {
                scenario
                    .get()
                    .and_then(templates::by_id)
                    .map(|t| {
                        view! {
                            <p class="lookfor" role="note">
                                <strong>"Look for: "</strong>
                                {t.look_for}
                                {format!(" (lanes: {} and {})", t.lanes[0], t.lanes[1])}
                            </p>
                        }
                    })
            }}
            {move || {
                undo.get()
                    .map(|prev| {
                        view! {
                            <p class="undo">
                                "The template replaced your request. "
                                <button
                                    type="button"
                                    class="small"
                                    on:click=move |_| {
                                        draft.set(prev.clone());
                                        undo.set(None);
                                        scenario.set(None);
                                        focus_composer(body_ref);
                                    }
                                >
                                    "Undo"
                                </button>
                            </p>
                        }
                    })
            }}
            <div class="editors">
                <label class="field headers">
                    <span>"Headers"</span>
                    <textarea
                        readonly=read_only
                        rows="4"
                        spellcheck="false"
                        prop:value=move || draft.headers.get()
                        on:input=move |e| draft.headers.set(event_target_value(&e))
                    ></textarea>
                    <small class="hint">"One Name: value per line."</small>
                </label>
                <label class="field body">
                    <span>"Request body"</span>
                    <div class="editor">
                        // The highlighted copy under a transparent textarea: text nodes only.
                        <pre class="hl" aria-hidden="true" node_ref=hl_ref>
                            {move || {
                                draft
                                    .body
                                    .with(|b| {
                                        editor::tokens(b)
                                            .into_iter()
                                            .map(|(k, t)| view! { <span class=k.class()>{t.to_string()}</span> })
                                            .collect_view()
                                    })
                            }}
                            "\n"
                        </pre>
                        <textarea
                            node_ref=body_ref
                            readonly=read_only
                            rows="12"
                            spellcheck="false"
                            aria-describedby="body-check"
                            aria-invalid=move || matches!(check.get(), BodyCheck::Invalid { .. }).to_string()
                            prop:value=move || draft.body.get()
                            on:input=move |e| {
                                draft.body.set(event_target_value(&e));
                                track_cursor();
                            }
                            on:keyup=move |_| track_cursor()
                            on:click=move |_| track_cursor()
                            on:scroll=move |_| sync_scroll()
                        ></textarea>
                    </div>
                </label>
                {move || {
                    let items = suggestions();
                    (!items.is_empty())
                        .then(|| {
                            view! {
                                <div class="complete" role="group" aria-label="Attribute completions">
                                    {items
                                        .into_iter()
                                        .map(|name| {
                                            let label = name.clone();
                                            view! {
                                                <button type="button" class="small" on:click=move |_| accept(name.clone())>
                                                    {label}
                                                </button>
                                            }
                                        })
                                        .collect_view()}
                                </div>
                            }
                        })
                }}
                <p
                    id="body-check"
                    class="check"
                    class:bad=move || matches!(check.get(), BodyCheck::Invalid { .. })
                    aria-live="polite"
                >
                    {move || check.get().describe()}
                    " "
                    {(!read_only)
                        .then(|| {
                            view! {
                                <button type="button" class="small format" on:click=move |_| do_format()>
                                    "Format"
                                </button>
                            }
                        })}
                </p>
            </div>
            <div class="actions">
                <button type="button" class="primary" on:click=move |_| send()>
                    "Send"
                </button>
                <span class="hint">"Ctrl+Enter / ⌘+Enter"</span>
                <label class="field inline raw" title="Send headers and body exactly as written (only {userName:…} in the path is resolved)">
                    <input
                        type="checkbox"
                        disabled=read_only
                        prop:checked=move || draft.raw.get()
                        on:change=move |e| draft.raw.set(event_target_checked(&e))
                    />
                    <span>"Raw: send exactly as written"</span>
                </label>
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
                <label class="field inline">
                    <span>"for"</span>
                    <select on:change=move |e| export_lane.set(event_target_value(&e).parse().unwrap_or(0))>
                        {LANE_NAMES.iter().enumerate().map(|(i, n)| view! { <option value=i.to_string()>{*n}</option> }).collect_view()}
                    </select>
                </label>
            </div>
            {move || {
                let url = share_url.get();
                (!url.is_empty())
                    .then(|| {
                        view! {
                            <div class="copyable">
                                <label class="field">
                                    <span>"Share link"</span>
                                    <input type="text" readonly prop:value=url.clone() />
                                </label>
                                <button type="button" class="small" on:click=move |_| copy(&url, notices)>"Copy link"</button>
                            </div>
                        }
                    })
            }}
            {move || {
                let kind = export_kind.get();
                let d = draft.get();
                (!kind.is_empty())
                    .then(|| {
                        let i = export_lane.get();
                        let text = match pg.with(|p| p.lanes.get(i).map(|l| l.export_request(&d))) {
                            Some(Ok(req)) => export::render(&kind, &req, export::ORIGIN),
                            Some(Err(e)) => format!("# Cannot export for {}: {e}", LANE_NAMES.get(i).copied().unwrap_or("this lane")),
                            None => String::new(),
                        };
                        let copied = text.clone();
                        view! {
                            <div class="copyable">
                                <label class="field">
                                    <span>"Exported request"</span>
                                    <textarea readonly rows="8" spellcheck="false" prop:value=text></textarea>
                                </label>
                                <button type="button" class="small" on:click=move |_| copy(&copied, notices)>"Copy request"</button>
                            </div>
                        }
                    })
            }}
        </section>
    }
}

/// Puts `text` on the clipboard and says so (or that the browser refused).
fn copy(text: &str, notices: Notices) {
    let promise = window().navigator().clipboard().write_text(text);
    leptos::task::spawn_local(async move {
        match wasm_bindgen_futures::JsFuture::from(promise).await {
            Ok(_) => notices.push("Copied to the clipboard."),
            Err(_) => notices.push("The browser did not allow copying; select the text and copy it."),
        }
    });
}

/// Brings the composer into view and puts the caret in the body, so a request loaded from
/// elsewhere (a template, History "Edit", a user link) is where the person looks next.
fn focus_composer(body_ref: NodeRef<leptos::html::Textarea>) {
    if let Some(el) = body_ref.get_untracked() {
        let _ = el.focus();
        el.set_selection_range(0, 0).ok();
        if let Some(section) = document().get_element_by_id("composer") {
            section.scroll_into_view();
        }
    }
}

/// How long the page waits after the last change before saving.
const SAVE_DELAY_MS: u64 = 250;

/// How many users the Users lists and the picker show at once (the rest are a search away).
const LIST_PAGE: usize = 20;

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

/// The profile's knobs in one line (`omitted: keep · unknownAttributes: ignore · …`): the
/// card an Explanation rule that names a knob links to.
fn knobs(p: &scim_core::Profile) -> String {
    match serde_json::to_value(&p.behaviour) {
        Ok(Value::Object(m)) => {
            let parts: Vec<String> = m
                .iter()
                .map(|(k, v)| format!("{k}: {}", v.as_str().map_or_else(|| v.to_string(), str::to_string)))
                .collect();
            format!("Knobs: {}.", parts.join(" · "))
        }
        _ => String::new(),
    }
}

#[component]
fn LaneView(
    idx: usize,
    pg: RwSignal<Playground>,
    draft: DraftSignals,
    body_ref: NodeRef<leptos::html::Textarea>,
    lesson: RwSignal<Option<usize>>,
    read_only: bool,
) -> impl IntoView {
    let name = LANE_NAMES.get(idx).copied().unwrap_or("Lane");
    let heading = format!("lane-{idx}-h");
    let last = move || pg.with(|p| p.lanes.get(idx).and_then(|l| l.last.clone()));
    let users_filter = RwSignal::new(String::new());
    let users_page = Memo::new(move |_| {
        let f = users_filter.get();
        pg.with(|p| p.lanes.get(idx).map(|l| l.users_page(&f, LIST_PAGE)).unwrap_or_default())
    });

    view! {
        <section class="lane" aria-label=name id=format!("lane-{idx}")>
            <div class="lane-head">
                <h2 id=heading>{name}</h2>
                <label class="field inline">
                    <span>"Profile"</span>
                    <select disabled=read_only on:change=move |e| {
                        let v = event_target_value(&e);
                        pg.update(|p| p.set_profile(idx, &v));
                    }>
                        {crate::custom_view::profile_options(pg, idx)}
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
                <crate::custom_view::LoadProfileFile pg=pg idx=idx read_only=read_only />
            </div>
            <p class="desc" id=format!("lane-{idx}-profile") tabindex="-1">
                {move || pg.with(|p| p.lanes.get(idx).map(|l| l.profile().description.clone()).unwrap_or_default())}
                " "
                <span class="knobs">
                    {move || pg.with(|p| p.lanes.get(idx).map(|l| knobs(l.profile())).unwrap_or_default())}
                </span>
            </p>
            <crate::card_view::ProfileCard pg=pg idx=idx />
            {move || match last() {
                None => view! { <p class="status none">"No request sent yet."</p> }.into_any(),
                Some(x) => {
                    let body = x.pretty_body();
                    view! {
                        <div class="response">
                            <p class="reqline">
                                <code>{x.request_line.clone()}</code>
                            </p>
                            {x.hint.clone().map(|h| view! {
                                <p class="hint-box">
                                    {h}
                                    " "
                                    <button type="button" class="small" on:click=move |_| pg.update(|p| p.reset_lane(idx))>
                                        "Back to the seed users"
                                    </button>
                                </p>
                            })}
                            {x.sent.clone().map(|req| {
                                let body = String::from_utf8_lossy(&req.body).into_owned();
                                let notes = x.notes.clone();
                                let summary = if notes.is_empty() { "Request as sent".to_string() } else { format!("Request as sent ({} rewritten for this profile)", notes.len()) };
                                view! {
                                    <details class="sent">
                                        <summary>{summary}</summary>
                                        {(!notes.is_empty()).then(|| view! {
                                            <ul class="notes" aria-label=format!("{name}: rewritten for its profile")>
                                                {notes.into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}
                                            </ul>
                                        })}
                                        <pre class="body" tabindex="0" aria-label=format!("{name} request as sent")>
                                            {format!("{} {}\n", req.method, req.path)}
                                            {req.headers.iter().map(|(n, v)| format!("{n}: {v}\n")).collect::<String>()}
                                            {(!body.is_empty()).then(|| format!("\n{body}"))}
                                        </pre>
                                    </details>
                                }
                            })}
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
                    let view = last().and_then(|x| explain_view::build(&x.response));
                    match view {
                        None => view! { <p class="muted">"Writes (PUT, POST, PATCH) are explained here, attribute by attribute."</p> }.into_any(),
                        Some(v) => {
                            let schemas = v.schemas.clone();
                            let table = move |rows: Vec<explain_view::Row>, caption: &'static str, class: &'static str| {
                                view! {
                                    <table class=class>
                                        <caption>{caption}</caption>
                                        <thead>
                                            <tr>
                                                <th scope="col">"Attribute"</th>
                                                <th scope="col">"Outcome"</th>
                                                <th scope="col">"Old → new"</th>
                                                <th scope="col">"Rule"</th>
                                            </tr>
                                        </thead>
                                        <tbody>
                                            {rows
                                                .into_iter()
                                                .map(|r| {
                                                    let href = r.rule_href.map(|h| if h == "#profile" { format!("#lane-{idx}-profile") } else { h });
                                                    let marked = lessons::matches(highlighted(lesson), &r.name);
                                                    view! {
                                                        <tr class:bad=r.rejected class:lesson=marked>
                                                            <th scope="row">
                                                                <code>{r.name}</code>
                                                                {marked.then(lesson_mark)}
                                                                {r.schema.map(|i| view! { <sup class="tag">{format!(" ext{}", i + 1)}</sup> })}
                                                            </th>
                                                            <td>{r.outcome}</td>
                                                            <td class="change">
                                                                {r.change.into_iter().map(|c| view! { <code>{c}</code> }).collect_view()}
                                                            </td>
                                                            <td>
                                                                {match href {
                                                                    Some(h) => {
                                                                        let target = if h.starts_with('#') { "_self" } else { "_blank" };
                                                                        view! { <a href=h target=target rel="noopener">{r.rule}</a> }.into_any()
                                                                    }
                                                                    None => view! { <span>{r.rule}</span> }.into_any(),
                                                                }}
                                                                {r.note.map(|n| view! { <div class="note">{n}</div> })}
                                                            </td>
                                                        </tr>
                                                    }
                                                })
                                                .collect_view()}
                                        </tbody>
                                    </table>
                                }
                            };
                            view! {
                                {v.not_applied.map(|t| view! { <p class="not-applied" role="alert">{t}</p> })}
                                {(!v.stopped.is_empty()).then(|| table(v.stopped, "Why it stopped", "stopped"))}
                                {(!v.rows.is_empty()).then(|| {
                                    let caption = if v.not_applied_flag { "What the engine had decided before it stopped (not applied)" } else { "What happened" };
                                    table(v.rows, caption, if v.not_applied_flag { "would" } else { "done" })
                                })}
                                {(!schemas.is_empty()).then(|| view! {
                                    <p class="note">
                                        {schemas.iter().enumerate().map(|(i, s)| format!("ext{} = {s}", i + 1)).collect::<Vec<_>>().join("; ")}
                                    </p>
                                })}
                                {v.notes.into_iter().map(|n| view! { <p class="note">{n}</p> }).collect_view()}
                            }
                                .into_any()
                        }
                    }
                }}
            </section>
            <section class="users" aria-label=format!("Users in {name}")>
                <h3>"Users"</h3>
                <input
                    type="search"
                    class="find"
                    aria-label=format!("Find a user in {name}")
                    placeholder="Find a user…"
                    prop:value=move || users_filter.get()
                    on:input=move |e| users_filter.set(event_target_value(&e))
                />
                <p class="muted count">
                    {move || {
                        let total = users_page.with(|(_, t)| *t);
                        if total > LIST_PAGE { format!("Showing {LIST_PAGE} of {total}; type to narrow.") } else { String::new() }
                    }}
                </p>
                <ul>
                    {move || {
                        let users = users_page.with(|(u, _)| u.clone());
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
                                                focus_composer(body_ref);
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
fn Differences(pg: RwSignal<Playground>, lesson: RwSignal<Option<usize>>) -> impl IntoView {
    let show_all = RwSignal::new(false);
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
                    Some(all) => {
                        let n = names();
                        let total = all.len();
                        let shown: Vec<DiffRow> = if show_all.get() { all } else { all.into_iter().filter(DiffRow::is_behaviour).collect() };
                        let behaviour = shown.iter().filter(|r| r.is_behaviour()).count();
                        let hidden = total - shown.len();
                        let summary = if behaviour == 0 {
                            "Both lanes behaved the same for this request.".to_string()
                        } else {
                            format!("{behaviour} difference{} in behaviour.", if behaviour == 1 { "" } else { "s" })
                        };
                        let others = total - behaviour;
                        view! {
                            <p class=if behaviour == 0 { "same" } else { "" }>{summary}</p>
                            {(others > 0).then(|| view! {
                                <label class="field inline toggle">
                                    <input type="checkbox" prop:checked=move || show_all.get() on:change=move |e| show_all.set(event_target_checked(&e)) />
                                    <span>{format!("Show {others} more: server-generated, differed before the request, dialect")}</span>
                                </label>
                            })}
                            {(!shown.is_empty()).then(|| view! {
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
                                            {shown
                                                .into_iter()
                                                .map(|row| {
                                                    let label = row.cause.label();
                                                    let quiet = !row.is_behaviour();
                                                    let DiffRow { path, left: a, right: b, volatile, .. } = row;
                                                    let marked = lessons::matches(highlighted(lesson), &path);
                                                    view! {
                                                        <tr class:volatile=volatile && quiet class:quiet=quiet class:lesson=marked>
                                                            <th scope="row">
                                                                <code>{path}</code>
                                                                {marked.then(lesson_mark)}
                                                                {quiet.then(|| view! { <span class="tag">{format!(" {label}")}</span> })}
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
                            })}
                            {(hidden > 0).then(|| view! { <p class="muted">{format!("{hidden} rows hidden.")}</p> })}
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
    body_ref: NodeRef<leptos::html::Textarea>,
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
                                        on:click=move |_| {
                                            draft.set(d2.clone());
                                            focus_composer(body_ref);
                                        }
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
