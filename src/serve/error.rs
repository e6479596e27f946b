//! A refused request: its HTTP status and one sentence, answered as `{"error": "…"}`.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// A request refused: its HTTP status and one sentence.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct ServeError {
    pub status: StatusCode,
    pub message: String,
}

impl ServeError {
    /// A 400 for what is wrong with the request (`reason` without a capital or a full stop).
    pub fn bad(reason: impl Into<String>) -> ServeError {
        ServeError::new(StatusCode::BAD_REQUEST, reason)
    }

    pub(super) fn new(status: StatusCode, reason: impl Into<String>) -> ServeError {
        let reason = reason.into();
        let mut chars = reason.chars();
        let mut message: String = chars
            .next()
            .map(|c| c.to_uppercase().chain(chars).collect())
            .unwrap_or_default();
        if !message.ends_with('.') {
            message.push('.');
        }
        ServeError { status, message }
    }
}

impl IntoResponse for ServeError {
    fn into_response(self) -> Response {
        json_response(self.status, &json!({ "error": self.message }))
    }
}

/// `value` as a JSON answer with `status`.
pub(super) fn json_response(status: StatusCode, value: &Value) -> Response {
    let mut response = (status, value.to_string()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}
