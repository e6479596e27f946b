//! The page: Yew components per pipeline step, state in a reducer ([`state`]), and the worker
//! connection as a hook ([`hooks`]). Nothing here parses or trains: the worker does.

mod app;
mod components;
mod engine;
mod help;
mod hooks;
mod keep;
mod search;
mod search_form;
pub mod state;
mod storage;
pub mod teach_state;

/// Mounts the app on the page's `<main id="app">` (or the body).
pub fn start() {
    console_error_panic_hook::set_once();
    let root = web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| document.get_element_by_id("app"));
    match root {
        Some(root) => {
            yew::Renderer::<app::App>::with_root(root).render();
        }
        None => {
            yew::Renderer::<app::App>::new().render();
        }
    }
}
