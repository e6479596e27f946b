//! `hearth serve`: the exported model behind HTTP, the way KServe, Triton or TF Serving put a
//! model there — natively, with axum (Tokio) and tract (the same runner as `hearth predict`;
//! onnxruntime's crate downloads binaries at build time, which this project cannot).
//!
//! - Open Inference Protocol V2 (KServe/Triton/MLServer REST): health, server and model
//!   metadata, readiness, and `POST /v2/models/{name}/infer` with one input per CSV column.
//! - TF Serving's `POST /v1/models/{name}:predict` with `{"instances": [{column: value}…]}`, or
//!   a `text/csv` body.
//! - Dynamic batching (`batcher.rs`), `/metrics` in Prometheus' text format with live drift
//!   against the training reference the file carries (`metrics.rs`), a body limit, a timeout,
//!   an access log (tracing), and a graceful stop (requests in flight finish).
//!
//! Every refusal is a 4xx with `{"error": "<one sentence naming the input>"}`; the server
//! keeps serving.

mod batcher;
mod error;
mod metrics;
pub mod request;

use std::future::Future;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path as UrlPath, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

pub use batcher::{Answerer, Arrival, BatchSettings, Batcher};
pub use error::ServeError;
pub use metrics::{Metrics, Window};

use crate::compress::{CompressedModel, Quantization};
use crate::export::{LABEL_OUTPUT, PROBABILITIES_OUTPUT, VALUE_OUTPUT};
use crate::infer::{Answers, InputRow, OnnxModel};
use crate::train::ModelFile;
use error::json_response;

/// How the server runs.
#[derive(Clone, Copy, Debug)]
pub struct ServeOptions {
    pub batch: BatchSettings,
    /// The largest request body read, in bytes.
    pub max_body_bytes: usize,
    /// How long a request may take before it is answered 503.
    pub timeout: Duration,
    /// Served rows kept per model for live drift.
    pub drift_window: usize,
}

/// Reads a model to serve: an exported `.onnx` file, or a `.hearth` model file (exported to
/// float32 ONNX in memory first, so both run the same graph). The error names the file.
pub fn load_model(path: &Path) -> Result<OnnxModel, String> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|error| format!("Could not read {name}: {error}."))?;
    let onnx = if bytes.first() == Some(&b'{') {
        let file = ModelFile::from_json(&String::from_utf8_lossy(&bytes))
            .map_err(|error| format!("{name}: {error}"))?;
        let compressed = CompressedModel::new(&file, Quantization::None, None)
            .map_err(|error| format!("{name}: {error}"))?;
        crate::export::to_onnx(&file, &compressed).map_err(|error| format!("{name}: {error}"))?
    } else {
        bytes
    };
    OnnxModel::load(&name, &onnx).map_err(|error| error.to_string())
}

/// One model being served.
struct Served {
    name: String,
    model: Arc<OnnxModel>,
    batcher: Batcher,
    window: Window,
}

struct Server {
    models: Vec<Served>,
    metrics: Metrics,
    options: ServeOptions,
}

impl Server {
    fn model(&self, name: &str) -> Result<&Served, ServeError> {
        self.models.iter().find(|m| m.name == name).ok_or_else(|| {
            ServeError::new(
                StatusCode::NOT_FOUND,
                format!(
                    "there is no model \"{name}\" here; this server has {}",
                    self.names()
                ),
            )
        })
    }

    fn names(&self) -> String {
        self.models
            .iter()
            .map(|m| format!("\"{}\"", m.name))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Serves `models` (name, model) on `listener` until `shutdown` completes; requests in flight
/// then finish before this returns.
pub async fn serve(
    listener: tokio::net::TcpListener,
    models: Vec<(String, OnnxModel)>,
    options: ServeOptions,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), String> {
    let metrics = Metrics::new();
    let models = models
        .into_iter()
        .map(|(name, model)| {
            let model = Arc::new(model);
            let batch_rows = metrics.batch_rows.clone();
            let labels = metrics::ModelLabels {
                model: name.clone(),
            };
            let on_batch = Arc::new(move |rows: usize| {
                batch_rows.get_or_create(&labels).observe(rows as f64);
            });
            Served {
                batcher: Batcher::start(model.clone(), options.batch, on_batch),
                window: Window::new(options.drift_window),
                name,
                model,
            }
        })
        .collect();
    let server = Arc::new(Server {
        models,
        metrics,
        options,
    });
    let router = Router::new()
        .route(
            "/v2/health/live",
            get(|| async { json_response(StatusCode::OK, &json!({ "live": true })) }),
        )
        .route(
            "/v2/health/ready",
            get(|| async { json_response(StatusCode::OK, &json!({ "ready": true })) }),
        )
        .route("/v2", get(server_metadata))
        .route("/v2/models/{name}", get(model_metadata))
        .route("/v2/models/{name}/ready", get(model_ready))
        .route("/v2/models/{name}/infer", post(infer_v2))
        .route("/v1/models/{spec}", get(model_status).post(predict_v1))
        .route("/metrics", get(render_metrics))
        .fallback(no_such_endpoint)
        .layer(middleware::from_fn(access_log))
        .with_state(server);
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(|error| format!("The server stopped: {error}."))
}

/// One line per request on stderr: method, path, status and milliseconds.
async fn access_log(request: Request, next: Next) -> Response {
    let (method, path) = (request.method().clone(), request.uri().path().to_string());
    let started = Instant::now();
    let response = next.run(request).await;
    tracing::info!(
        %method,
        path,
        status = response.status().as_u16(),
        ms = %format_args!("{:.3}", started.elapsed().as_secs_f64() * 1e3),
        "request"
    );
    response
}

async fn no_such_endpoint(method: Method, uri: axum::http::Uri) -> ServeError {
    ServeError::new(
        StatusCode::NOT_FOUND,
        format!(
            "there is no endpoint {method} {}; see /v2/models/NAME, /v2/models/NAME/infer, /v1/models/NAME:predict and /metrics",
            uri.path()
        ),
    )
}

async fn server_metadata(State(server): State<Arc<Server>>) -> Response {
    let models: Vec<&str> = server.models.iter().map(|m| m.name.as_str()).collect();
    json_response(
        StatusCode::OK,
        &json!({
            "name": "hearth",
            "version": env!("CARGO_PKG_VERSION"),
            "extensions": [],
            "models": models,
        }),
    )
}

async fn model_metadata(
    State(server): State<Arc<Server>>,
    UrlPath(name): UrlPath<String>,
) -> Result<Response, ServeError> {
    let served = server.model(&name)?;
    let model = &served.model;
    let inputs: Vec<Value> = model
        .inputs
        .iter()
        .map(|input| {
            json!({ "name": input.name, "datatype": request::datatype(input.kind), "shape": [-1, 1] })
        })
        .collect();
    let outputs = if model.classifies() {
        json!([
            { "name": LABEL_OUTPUT, "datatype": "BYTES", "shape": [-1] },
            { "name": PROBABILITIES_OUTPUT, "datatype": "FP32", "shape": [-1, model.class_names.len()] },
        ])
    } else {
        json!([{ "name": VALUE_OUTPUT, "datatype": "FP32", "shape": [-1] }])
    };
    Ok(json_response(
        StatusCode::OK,
        &json!({
            "name": served.name,
            "versions": ["1"],
            "platform": "onnx",
            "inputs": inputs,
            "outputs": outputs,
            "parameters": {
                "target": model.target,
                "task": model.task,
                "classes": model.class_names,
                "source": model.source,
            },
        }),
    ))
}

async fn model_ready(
    State(server): State<Arc<Server>>,
    UrlPath(name): UrlPath<String>,
) -> Result<Response, ServeError> {
    let served = server.model(&name)?;
    Ok(json_response(
        StatusCode::OK,
        &json!({ "name": served.name, "ready": true }),
    ))
}

/// TF Serving's model status (`GET /v1/models/{name}`).
async fn model_status(
    State(server): State<Arc<Server>>,
    UrlPath(name): UrlPath<String>,
) -> Result<Response, ServeError> {
    server.model(&name)?;
    Ok(json_response(
        StatusCode::OK,
        &json!({ "model_version_status": [{ "version": "1", "state": "AVAILABLE", "status": { "error_code": "OK", "error_message": "" } }] }),
    ))
}

async fn render_metrics(State(server): State<Arc<Server>>) -> Response {
    let text = server.metrics.render(
        server
            .models
            .iter()
            .map(|m| (m.name.as_str(), m.model.as_ref(), &m.window)),
    );
    let mut response = text.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    response
}

/// The body a request's rows come in.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    V2,
    Instances,
    Csv,
}

impl Format {
    fn endpoint(self) -> &'static str {
        match self {
            Format::V2 => "v2_infer",
            Format::Instances | Format::Csv => "v1_predict",
        }
    }
}

async fn infer_v2(
    State(server): State<Arc<Server>>,
    UrlPath(name): UrlPath<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    answer(server, name, Format::V2, &headers, body).await
}

async fn predict_v1(
    State(server): State<Arc<Server>>,
    UrlPath(spec): UrlPath<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let Some(name) = spec.strip_suffix(":predict") else {
        return ServeError::new(
            StatusCode::NOT_FOUND,
            format!("there is no endpoint POST /v1/models/{spec}; TF Serving's is /v1/models/NAME:predict"),
        )
        .into_response();
    };
    let csv = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/csv"));
    let format = if csv { Format::Csv } else { Format::Instances };
    answer(server, name.to_string(), format, &headers, body).await
}

/// Answers one prediction request, counting it (and its rows, when they were read) in the
/// metrics.
async fn answer(
    server: Arc<Server>,
    name: String,
    format: Format,
    headers: &HeaderMap,
    body: Body,
) -> Response {
    let started = Instant::now();
    // Counted down when the answer is made, or when the client leaves and the request is dropped.
    let _in_flight = InFlight::count(&server.metrics.in_flight);
    let known = server.models.iter().any(|m| m.name == name);
    let label = if known { name.clone() } else { String::new() };
    let work = answer_rows(&server, &name, format, headers, body);
    let (response, rows) = match tokio::time::timeout(server.options.timeout, work).await {
        Ok(Ok((response, rows))) => (response, rows),
        Ok(Err((error, rows))) => (error.into_response(), rows),
        Err(_) => (
            ServeError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                format!(
                    "the model did not answer within {} ms (--timeout-ms); try fewer rows or again later",
                    server.options.timeout.as_millis()
                ),
            )
            .into_response(),
            0,
        ),
    };
    let metrics = &server.metrics;
    let status = response.status();
    metrics
        .requests
        .get_or_create(&metrics::RequestLabels {
            model: label.clone(),
            endpoint: format.endpoint().into(),
            status: status.as_u16().to_string(),
        })
        .inc();
    if rows > 0 {
        metrics
            .rows
            .get_or_create(&metrics::RowLabels {
                model: label.clone(),
                status: if status == StatusCode::OK {
                    "ok"
                } else {
                    "error"
                }
                .into(),
            })
            .inc_by(rows as u64);
    }
    metrics
        .latency
        .get_or_create(&metrics::EndpointLabels {
            model: label,
            endpoint: format.endpoint().into(),
        })
        .observe(started.elapsed().as_secs_f64());
    response
}

/// One request in the in-flight gauge, for as long as it lives.
struct InFlight<'a>(&'a prometheus_client::metrics::gauge::Gauge);

impl<'a> InFlight<'a> {
    fn count(gauge: &'a prometheus_client::metrics::gauge::Gauge) -> InFlight<'a> {
        gauge.inc();
        InFlight(gauge)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.dec();
    }
}

async fn answer_rows(
    server: &Server,
    name: &str,
    format: Format,
    headers: &HeaderMap,
    body: Body,
) -> Result<(Response, usize), (ServeError, usize)> {
    let unread = |error| (error, 0);
    let served = server.model(name).map_err(unread)?;
    let arrival = served.batcher.arrive();
    let body = read_body(headers, body, server.options.max_body_bytes)
        .await
        .map_err(unread)?;
    let model = served.model.as_ref();
    let (rows, id) = match format {
        Format::V2 => request::v2_rows(model, &body),
        Format::Instances => request::instance_rows(model, &body).map(|rows| (rows, None)),
        Format::Csv => request::csv_rows(model, &body).map(|rows| (rows, None)),
    }
    .map_err(unread)?;
    let count = rows.len();
    let answers = run(served, rows, arrival)
        .await
        .map_err(|error| (error, count))?;
    let value = match format {
        Format::V2 => serde_json::to_value(request::V2Answer {
            model_name: &served.name,
            id,
            outputs: request::v2_outputs(model, answers),
        })
        .unwrap_or(Value::Null),
        Format::Instances | Format::Csv => {
            json!({ "predictions": request::predictions(model, answers) })
        }
    };
    Ok((json_response(StatusCode::OK, &value), count))
}

/// The model's answers to `rows`, recorded in its drift window.
async fn run(
    served: &Served,
    rows: Vec<InputRow>,
    arrival: Arrival,
) -> Result<Answers, ServeError> {
    // Only the rows the window can hold are kept.
    let window_rows = rows[rows.len().saturating_sub(served.window.capacity())..].to_vec();
    let answers = served
        .batcher
        .answer(rows, arrival)
        .await
        .map_err(|error| ServeError::bad(error.to_string()))?;
    served.window.record(&served.model, &window_rows, &answers);
    Ok(answers)
}

/// The whole body, refused with 413 past `limit` bytes — at once when its announced length
/// is over the limit, before any of it is read.
async fn read_body(headers: &HeaderMap, body: Body, limit: usize) -> Result<Bytes, ServeError> {
    let too_large = || {
        ServeError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "the request body is larger than this server's limit of {limit} bytes (--max-body-mb), or it was cut off"
            ),
        )
    };
    let announced = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if announced.is_some_and(|length| length > limit as u64) {
        return Err(too_large());
    }
    axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| too_large())
}
