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
}

/// A split's metrics, with the confusion matrix for classification.
#[function_component(MetricsTable)]
pub fn metrics_table(props: &MetricsProps) -> Html {
    let rows: Vec<(&str, String)> = match &props.metrics {
        Metrics::Classification(m) => vec![
            ("accuracy", format::number(m.accuracy)),
            ("balanced accuracy", format::number(m.balanced_accuracy)),
            ("macro-F1", format::number(m.macro_f1)),
            (
                "ROC AUC",
                m.roc_auc.map(format::number).unwrap_or_else(|| "—".into()),
            ),
            ("log loss", format::number(m.log_loss)),
            ("rows", m.rows.to_string()),
        ],
        Metrics::Regression(m) => vec![
            ("RMSE", format::number(m.rmse)),
            ("MAE", format::number(m.mae)),
            ("R²", format::number(m.r2)),
            ("rows", m.rows.to_string()),
        ],
    };
    let confusion = match &props.metrics {
        Metrics::Classification(m) => html! {
            <table class="confusion" aria-label="Confusion matrix: rows are true classes, columns predicted">
                <caption>{ "Confusion (row: true class, column: predicted)" }</caption>
                { for m.confusion.iter().map(|row| html! {
                    <tr>{ for row.iter().map(|count| html! { <td class="num">{ count }</td> }) }</tr>
                }) }
            </table>
        },
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
