//! The smallest useful leptos app, a counter, built with the playground's wasm profile,
//! wasm-bindgen and wasm-opt settings. `cargo xtask bench` reports its JS + wasm size beside
//! the playground's: what leptos itself costs, the floor the playground's weight is read
//! against.

use leptos::prelude::*;

#[component]
fn Counter() -> impl IntoView {
    let (count, set_count) = signal(0);
    view! {
        <button on:click=move |_| set_count.update(|n| *n += 1)>"Clicked " {count} " times"</button>
    }
}

fn main() {
    leptos::mount::mount_to_body(Counter);
}
