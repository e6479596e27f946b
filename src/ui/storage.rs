//! What the page keeps in the browser's IndexedDB so that a reload, a closed tab or a killed
//! browser loses nothing finished: the study (written after every trial), each of its trials'
//! models (written once, with the study that finished it), the current model and the Use step's
//! last batch report. Read when the page opens.

use js_sys::Promise;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    IdbDatabase, IdbKeyRange, IdbOpenDbRequest, IdbRequest, IdbTransaction, IdbTransactionMode,
};

use crate::protocol::{BatchPredictions, ServingModel, TrainedModel};

const DATABASE: &str = "hearth";
const STORE: &str = "studies";

/// One record of the store, with the type it holds.
pub struct Key<T> {
    name: &'static str,
    _holds: std::marker::PhantomData<T>,
}

const fn key<T>(name: &'static str) -> Key<T> {
    Key {
        name,
        _holds: std::marker::PhantomData,
    }
}

/// The study ("current" since the first version, which kept only the study).
pub const STUDY: Key<SavedSearch> = key("current");
pub const MODEL: Key<SavedModel> = key("model");
pub const BATCH: Key<SavedBatch> = key("use-batch");

/// What is saved of a study: the study document and what data it ran on. Its trials' model
/// files are records of their own ([`save_study`]), so that the study, rewritten after every
/// trial, stays small: with every model inside it, each trial rewrote all the earlier ones.
#[derive(Serialize, Deserialize)]
pub struct SavedSearch {
    pub study: String,
    /// Where records written before the trials' models had records of their own kept them:
    /// read, never written.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub models: BTreeMap<usize, String>,
    pub source: String,
    pub target: String,
}

/// Keys of the trials' model records: the prefix, then the trial's number.
const TRIAL_MODEL: &str = "trial-model/";

/// The current model and the name of the data it was made from.
#[derive(Serialize, Deserialize)]
pub struct SavedModel {
    pub model: TrainedModel,
    pub data: String,
}

/// The Use step's last batch and the model that answered it.
#[derive(Serialize, Deserialize)]
pub struct SavedBatch {
    pub batch: BatchPredictions,
    pub model: ServingModel,
}

/// Writes `value` under `key`; returns once the write is committed (a killed browser keeps it).
pub async fn save<T: Serialize>(key: &Key<T>, value: &T) -> Result<(), String> {
    let text = serde_json::to_string(value).map_err(|error| error.to_string())?;
    let store = store(IdbTransactionMode::Readwrite).await?;
    let transaction = store.transaction();
    let committed = committed(&transaction);
    let request = store
        .put_with_key(&JsValue::from_str(&text), &JsValue::from_str(key.name))
        .map_err(describe)?;
    finished(&request).await?;
    committed.await
}

/// Writes the study and the trials' models in `models` in one transaction, so that a model is
/// kept exactly when the study that lists its trial as finished is. `replace` first drops every
/// trial model kept so far (a new study's first save, which writes all the models it holds).
pub async fn save_study(
    saved: &SavedSearch,
    models: &[(usize, Rc<String>)],
    replace: bool,
) -> Result<(), String> {
    let text = serde_json::to_string(saved).map_err(|error| error.to_string())?;
    let store = store(IdbTransactionMode::Readwrite).await?;
    let transaction = store.transaction();
    let committed = committed(&transaction);
    if replace {
        store.delete(&trial_models()?.into()).map_err(describe)?;
    }
    for (number, model) in models {
        store
            .put_with_key(
                &JsValue::from_str(model),
                &JsValue::from_str(&format!("{TRIAL_MODEL}{number}")),
            )
            .map_err(describe)?;
    }
    let request = store
        .put_with_key(&JsValue::from_str(&text), &JsValue::from_str(STUDY.name))
        .map_err(describe)?;
    finished(&request).await?;
    committed.await
}

/// The kept trials' models by trial number (a record that is not a model file is skipped).
pub async fn load_trial_models() -> Result<BTreeMap<usize, String>, String> {
    let store = store(IdbTransactionMode::Readonly).await?;
    let range = trial_models()?;
    let keys = finished(&store.get_all_keys_with_key(&range).map_err(describe)?);
    let values = finished(&store.get_all_with_key(&range).map_err(describe)?);
    let keys = js_sys::Array::from(&keys.await?);
    let values = js_sys::Array::from(&values.await?);
    Ok(keys
        .iter()
        .zip(values.iter())
        .filter_map(|(key, value)| {
            let number = key.as_string()?.strip_prefix(TRIAL_MODEL)?.parse().ok()?;
            Some((number, value.as_string()?))
        })
        .collect())
}

/// Every key of a trial's model record: the prefix followed by anything.
fn trial_models() -> Result<IdbKeyRange, String> {
    IdbKeyRange::bound(
        &JsValue::from_str(TRIAL_MODEL),
        &JsValue::from_str(&format!("{TRIAL_MODEL}\u{ffff}")),
    )
    .map_err(describe)
}

/// The record under `key`, if there is one (and it can be read).
pub async fn load<T: DeserializeOwned>(key: &Key<T>) -> Result<Option<T>, String> {
    let store = store(IdbTransactionMode::Readonly).await?;
    let request = store.get(&JsValue::from_str(key.name)).map_err(describe)?;
    let Some(text) = finished(&request).await?.as_string() else {
        return Ok(None);
    };
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|error| format!("what an earlier visit saved could not be read ({error})"))
}

/// The sentence the page shows when the browser does not keep what is saved.
pub fn not_kept(reason: &str) -> String {
    format!(
        "This browser is not keeping Hearth's work ({}), so the study, the model and the last batch report stay in this tab only.",
        reason.trim_end_matches('.')
    )
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

/// The request's result once it succeeds. The listeners are set at once, so that requests
/// made together can be awaited one after the other.
fn finished(request: &IdbRequest) -> impl Future<Output = Result<JsValue, String>> + use<> {
    let promise = Promise::new(&mut |resolve, reject| {
        request.set_onsuccess(Some(&resolve));
        request.set_onerror(Some(&reject));
    });
    let request = request.clone();
    async move {
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
}

/// Resolves when `transaction` commits; fails with its error when it aborts (a full store).
/// The listeners are set at once, before any request of the transaction can finish.
fn committed(transaction: &IdbTransaction) -> impl Future<Output = Result<(), String>> {
    let promise = Promise::new(&mut |resolve, reject| {
        transaction.set_oncomplete(Some(&resolve));
        transaction.set_onabort(Some(&reject));
    });
    let transaction = transaction.clone();
    async move {
        JsFuture::from(promise).await.map(|_| ()).map_err(|_| {
            transaction
                .error()
                .map(|error| error.message())
                .unwrap_or_else(|| "IndexedDB did not commit the write".to_string())
        })
    }
}

fn describe(error: JsValue) -> String {
    crate::web_file::describe(error)
}
