use std::rc::Rc;

use yew::prelude::*;

use crate::format;
use crate::protocol::TrainedModel;
use crate::train::Metrics;

#[derive(Properties, PartialEq)]
pub struct MetricsProps {
    pub id: AttrValue,
    pub title: AttrValue,
    pub metrics: Metrics,
    /// The class names in the model's order, for the confusion matrix's axes (empty: numbers).
    #[prop_or_default]
    pub classes: Rc<Vec<String>>,
}

/// A split's metrics, with the confusion matrix for classification. Scores use
/// [`format::score`] (as the CLI and the other steps do); errors are in the target's units.
#[function_component(MetricsTable)]
pub fn metrics_table(props: &MetricsProps) -> Html {
    let rows: Vec<(&str, String)> = match &props.metrics {
        Metrics::Classification(m) => vec![
            ("accuracy", format::score(m.accuracy)),
            ("balanced accuracy", format::score(m.balanced_accuracy)),
            ("macro-F1", format::score(m.macro_f1)),
            (
                "ROC AUC",
                m.roc_auc.map(format::score).unwrap_or_else(|| "—".into()),
            ),
            ("log loss", format::score(m.log_loss)),
            ("rows", m.rows.to_string()),
        ],
        Metrics::Regression(m) => vec![
            ("RMSE", format::number(m.rmse)),
            ("MAE", format::number(m.mae)),
            ("R²", format::score(m.r2)),
            ("rows", m.rows.to_string()),
        ],
    };
    let confusion = match &props.metrics {
        Metrics::Classification(m) => confusion_table(&m.confusion, &props.classes),
        Metrics::Regression(_) => html! {},
    };
    html! {
        <div id={props.id.clone()} class="metrics">
            <h4>{ &props.title }</h4>
            <table>
                { for rows.iter().map(|(name, value)| html! {
                    <tr data-metric={*name}><th>{ *name }</th><td class="num">{ value }</td></tr>
                }) }
            </table>
            { confusion }
        </div>
    }
}

/// The name of class `index`: the model's own when known, else its number.
fn class_label(classes: &[String], index: usize) -> String {
    classes
        .get(index)
        .cloned()
        .unwrap_or_else(|| index.to_string())
}

/// `confusion[true][predicted]` with the class names on both axes, as header cells so that a
/// screen reader announces "true Adelie, predicted Gentoo" with each count.
fn confusion_table(confusion: &[Vec<u64>], classes: &[String]) -> Html {
    let columns = confusion.iter().map(Vec::len).max().unwrap_or(0);
    html! {
        <table class="confusion">
            <caption>{ "Confusion matrix: rows are the true class, columns the predicted class" }</caption>
            <thead>
                <tr>
                    <th scope="col" class="corner">{ "true ╲ predicted" }</th>
                    { for (0..columns).map(|c| html! { <th scope="col" class="predicted">{ class_label(classes, c) }</th> }) }
                </tr>
            </thead>
            <tbody>
                { for confusion.iter().enumerate().map(|(t, row)| html! {
                    <tr>
                        <th scope="row" class="true">{ class_label(classes, t) }</th>
                        { for row.iter().map(|count| html! { <td class="num">{ count }</td> }) }
                    </tr>
                }) }
            </tbody>
        </table>
    }
}

#[derive(Properties, PartialEq)]
pub struct DownloadProps {
    pub model: Rc<TrainedModel>,
    /// The file name without extension.
    pub name: String,
}

/// A download link for the trained model, served from a Blob: nothing leaves the browser.
#[function_component(ModelDownload)]
pub fn model_download(props: &DownloadProps) -> Html {
    let model = props.model.clone();
    let url = use_memo(Rc::as_ptr(&props.model) as usize, move |_| {
        blob_url(&model.model, "application/json")
    });
    let file_name = format!(
        "{}.hearth",
        if props.name.is_empty() {
            "model"
        } else {
            &props.name
        }
    );
    match url.as_ref() {
        Some(url) => html! {
            <p><a id="download-model" class="button" href={url.clone()} download={file_name.clone()}>
                { format!("Download {file_name} ({})", format::bytes(props.model.model.len() as f64)) }
            </a></p>
        },
        None => {
            html! { <p class="error">{ "The model file could not be prepared for download." }</p> }
        }
    }
}

/// A `blob:` URL holding `text`, for a download link: the file is made in the browser.
pub fn blob_url(text: &str, mime: &str) -> Option<String> {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).ok()?;
    web_sys::Url::create_object_url_with_blob(&blob).ok()
}
