//! The saved study, in the browser's IndexedDB: written after every trial, read when the page
//! opens, so a reload shows the study and can resume it.

use js_sys::Promise;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbOpenDbRequest, IdbRequest, IdbTransactionMode};

const DATABASE: &str = "hearth";
const STORE: &str = "studies";
const KEY: &str = "current";

/// What is saved: the study document, the model file of each complete trial, and what data
/// it ran on.
#[derive(Serialize, Deserialize)]
pub struct SavedSearch {
    pub study: String,
    pub models: BTreeMap<usize, String>,
    pub source: String,
    pub target: String,
}

pub async fn save(search: &SavedSearch) -> Result<(), String> {
    let text = serde_json::to_string(search).map_err(|error| error.to_string())?;
    let store = store(IdbTransactionMode::Readwrite).await?;
    let request = store
        .put_with_key(&JsValue::from_str(&text), &JsValue::from_str(KEY))
        .map_err(describe)?;
    finished(&request).await.map(|_| ())
}

/// The saved study, if there is one (and it can be read).
pub async fn load() -> Result<Option<SavedSearch>, String> {
    let store = store(IdbTransactionMode::Readonly).await?;
    let request = store.get(&JsValue::from_str(KEY)).map_err(describe)?;
    let Some(text) = finished(&request).await?.as_string() else {
        return Ok(None);
    };
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|error| format!("The saved study could not be read: {error}."))
}

async fn store(mode: IdbTransactionMode) -> Result<web_sys::IdbObjectStore, String> {
    let factory = web_sys::window()
        .ok_or("no window")?
        .indexed_db()
        .map_err(describe)?
        .ok_or("this browser has no IndexedDB")?;
    let open: IdbOpenDbRequest = factory.open_with_u32(DATABASE, 1).map_err(describe)?;
    let upgrade = Closure::once(move |event: web_sys::Event| {
        let database = event
            .target()
            .and_then(|target| target.dyn_into::<IdbRequest>().ok())
            .and_then(|request| request.result().ok())
            .and_then(|result| result.dyn_into::<IdbDatabase>().ok());
        if let Some(database) = database {
            let _ = database.create_object_store(STORE);
        }
    });
    open.set_onupgradeneeded(Some(upgrade.as_ref().unchecked_ref()));
    let database: IdbDatabase = finished(&open)
        .await?
        .dyn_into()
        .map_err(|_| "IndexedDB did not open a database".to_string())?;
    open.set_onupgradeneeded(None);
    database
        .transaction_with_str_and_mode(STORE, mode)
        .and_then(|transaction| transaction.object_store(STORE))
        .map_err(describe)
}

/// The request's result once it succeeds.
async fn finished(request: &IdbRequest) -> Result<JsValue, String> {
    let promise = Promise::new(&mut |resolve, reject| {
        request.set_onsuccess(Some(&resolve));
        request.set_onerror(Some(&reject));
    });
    JsFuture::from(promise).await.map_err(|_| {
        request
            .error()
            .ok()
            .flatten()
            .map(|error| error.message())
            .unwrap_or_else(|| "IndexedDB refused the request".to_string())
    })?;
    request.result().map_err(describe)
}

fn describe(error: JsValue) -> String {
    crate::web_file::describe(error)
}
