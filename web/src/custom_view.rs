//! Custom profiles in the page (kept out of `app`): a lane's "Load profile file…" control,
//! which reads a profile JSON file (learned, or written by hand), loads it with the core's
//! loader ([`crate::catalog::load_custom`]) and opens it in that lane, or shows why it does not
//! load, as text ("Remove profile" takes a custom one out again); and the options of a lane's
//! Profile list, built-ins first, then the custom
//! profiles marked "(learned)" or "(custom)". Custom profiles persist in saved state
//! ([`crate::storage`]).

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::catalog::{self, Origin};
use crate::playground::{LANE_NAMES, Playground};

/// The `<option>`s of lane `idx`'s Profile list, following custom profiles as they come.
pub fn profile_options(pg: RwSignal<Playground>, idx: usize) -> impl IntoView {
    let current = move || pg.with(|p| p.lanes.get(idx).map(|l| l.profile_name.clone()).unwrap_or_default());
    move || {
        pg.track();
        catalog::choices()
            .into_iter()
            .map(|c| {
                let is = c.name.clone();
                view! { <option value=c.name.clone() selected=move || current() == is>{c.label()}</option> }
            })
            .collect_view()
    }
}

/// Reads the text of the first file an `<input type="file">` holds (`None`: no file).
pub async fn file_text(input: &web_sys::HtmlInputElement) -> Result<Option<String>, String> {
    let Some(file) = input.files().and_then(|f| f.get(0)) else { return Ok(None) };
    let text = JsFuture::from(file.text()).await.map_err(|_| format!("{} could not be read.", file.name()))?;
    Ok(text.as_string())
}

/// "Load profile file…" for lane `idx`: the file's profile opens in the lane, or the lane
/// says, as text, why it did not load.
#[component]
pub fn LoadProfileFile(pg: RwSignal<Playground>, idx: usize, read_only: bool) -> impl IntoView {
    let lane = LANE_NAMES.get(idx).copied().unwrap_or("Lane");
    let input: NodeRef<leptos::html::Input> = NodeRef::new();
    let error: RwSignal<Option<String>> = RwSignal::new(None);
    let on_change = move |e: leptos::ev::Event| {
        let Some(el) = e.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else { return };
        spawn_local(async move {
            let loaded = match file_text(&el).await {
                Ok(Some(text)) => catalog::load_custom(&text, Origin::File).map(Some),
                Ok(None) => Ok(None),
                Err(e) => Err(e),
            };
            // The same file can be picked again after a fix.
            el.set_value("");
            match loaded {
                Ok(Some(c)) => {
                    error.set(None);
                    pg.update(|p| {
                        p.open_custom(idx, c);
                    });
                }
                Ok(None) => {}
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <button
            type="button"
            class="small"
            disabled=read_only
            title="Open a profile JSON file (learned from your server, or written by hand) in this lane"
            on:click=move |_| {
                if let Some(i) = input.get() {
                    i.click();
                }
            }
        >
            "Load profile file…"
        </button>
        <input
            type="file"
            class="sr-only"
            accept=".json,application/json"
            aria-label=format!("{lane}: profile JSON file")
            tabindex="-1"
            node_ref=input
            on:change=on_change
        />
        {move || {
            let name = pg.with(|p| p.lanes.get(idx).map(|l| l.profile_name.clone()).unwrap_or_default());
            (catalog::is_custom(&name) && !read_only).then(|| view! {
                <button
                    type="button"
                    class="small"
                    title=format!("Remove {name} from the Profile lists; lanes running it start over on rfc")
                    on:click=move |_| pg.update(|p| p.remove_custom(&name))
                >
                    "Remove profile"
                </button>
            })
        }}
        {move || error.get().map(|e| view! {
            <p class="not-applied profile-file-error" role="alert">{format!("{lane}: the profile file was not loaded. {e}")}</p>
        })}
    }
}
