//! Hooks that keep the page's finished work in the browser's storage ([`super::storage`]) and
//! bring it back when the page opens: the study (saved by the search driver after every trial),
//! the current model and the Use step's last batch. A browser that refuses (no IndexedDB, a
//! full store) gets one sentence on the page; the work goes on in memory.

use std::collections::BTreeMap;
use std::rc::Rc;

use serde::Serialize;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use super::state::{Action, SearchView, State};
use super::storage::{self, Key, SavedBatch, SavedModel};
use crate::protocol::{BatchPredictions, ServingModel, TrainedModel};
use crate::search::Study;

/// Brings back what an earlier visit kept: the study (to look at, and to resume on the same
/// data), its last model (set aside) and the Use step's last batch.
#[hook]
pub fn use_restore_work(dispatcher: UseReducerDispatcher<State>) {
    use_effect_with((), move |_| {
        spawn_local(async move {
            let study = match storage::load(&storage::STUDY).await {
                Ok(study) => study,
                Err(reason) => {
                    // The store cannot be opened at all: nothing else will load either.
                    dispatcher.dispatch(Action::StorageFailed(storage::not_kept(&reason)));
                    return;
                }
            };
            if let Some(mut saved) = study {
                // Older records hold their models inside; newer ones beside.
                let mut models = std::mem::take(&mut saved.models);
                match storage::load_trial_models().await {
                    Ok(kept) => models.extend(kept),
                    Err(reason) => {
                        dispatcher.dispatch(Action::StorageFailed(storage::not_kept(&reason)))
                    }
                }
                match restored_study(saved, models) {
                    Ok(view) => dispatcher.dispatch(Action::Search(Rc::new(view))),
                    Err(reason) => dispatcher.dispatch(Action::StorageFailed(format!(
                        "The study an earlier visit kept could not be read back ({}).",
                        reason.trim_end_matches('.')
                    ))),
                }
            }
            let model = loaded(&storage::MODEL)
                .await
                .map(|saved| (Rc::new(saved.model), saved.data));
            let batch = loaded(&storage::BATCH)
                .await
                .map(|saved| (Rc::new(saved.batch), Rc::new(saved.model)));
            if model.is_some() || batch.is_some() {
                dispatcher.dispatch(Action::Restored { model, batch });
            }
        });
    });
}

fn restored_study(
    saved: storage::SavedSearch,
    models: BTreeMap<usize, String>,
) -> Result<SearchView, String> {
    let study = Study::from_json(&saved.study).map_err(|error| error.to_string())?;
    let models = models
        .into_iter()
        .map(|(number, model)| (number, Rc::new(model)))
        .collect::<BTreeMap<_, _>>();
    Ok(SearchView {
        saved: Some(study.finished()),
        study: Rc::new(study),
        models: Rc::new(models),
        running: false,
        workers: 0,
        source: saved.source,
        target: saved.target,
        auto: false,
        error: None,
    })
}

/// A record that an older or newer Hearth wrote differently is skipped, not an error.
async fn loaded<T: serde::de::DeserializeOwned>(key: &Key<T>) -> Option<T> {
    storage::load(key).await.ok().flatten()
}

/// Saves the current model whenever it changes (trained, refitted, loaded, used again).
#[hook]
pub fn use_keep_model(
    model: Option<(Rc<TrainedModel>, String)>,
    dispatcher: UseReducerDispatcher<State>,
) {
    use_effect_with(Same(model), move |Same(model)| {
        if let Some((model, data)) = model {
            let saved = SavedModel {
                model: (**model).clone(),
                data: data.clone(),
            };
            keep(&storage::MODEL, saved, dispatcher);
        }
    });
}

/// Saves the Use step's batch (with the model that answered it) when one arrives.
#[hook]
pub fn use_keep_batch(
    batch: Option<Rc<BatchPredictions>>,
    model: Option<Rc<ServingModel>>,
    dispatcher: UseReducerDispatcher<State>,
) {
    use_effect_with(Same(batch), move |Same(batch)| {
        if let (Some(batch), Some(model)) = (batch, model) {
            let saved = SavedBatch {
                batch: (**batch).clone(),
                model: (*model).clone(),
            };
            keep(&storage::BATCH, saved, dispatcher);
        }
    });
}

fn keep<T: Serialize + 'static>(
    key: &'static Key<T>,
    value: T,
    dispatcher: UseReducerDispatcher<State>,
) {
    spawn_local(async move {
        if let Err(reason) = storage::save(key, &value).await {
            dispatcher.dispatch(Action::StorageFailed(storage::not_kept(&reason)));
        }
    });
}

/// Effect dependencies compared by identity: the same `Rc` is the same model or batch, and a
/// deep comparison of megabytes of model text on every render is waste.
struct Same<T>(T);

impl<T> PartialEq for Same<Option<(Rc<T>, String)>> {
    fn eq(&self, other: &Self) -> bool {
        match (&self.0, &other.0) {
            (Some((a, x)), Some((b, y))) => Rc::ptr_eq(a, b) && x == y,
            (None, None) => true,
            _ => false,
        }
    }
}

impl<T> PartialEq for Same<Option<Rc<T>>> {
    fn eq(&self, other: &Self) -> bool {
        match (&self.0, &other.0) {
            (Some(a), Some(b)) => Rc::ptr_eq(a, b),
            (None, None) => true,
            _ => false,
        }
    }
}
