//! The one error type of the API and its one mapping to an HTTP status and JSON body.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::http::request_id;
use crate::ports::StoreError;

/// Every way a request can fail. Each variant's doc line names its status.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// 401: no `x-api-key` header.
    #[error("the x-api-key header is missing")]
    MissingApiKey,
    /// 401: the key is malformed, unknown, revoked or expired.
    #[error("the API key is not valid")]
    InvalidApiKey,
    /// 403: the key reaches the project but lacks this feature or permission.
    #[error("the API key lacks the {feature} {permission} scope for this project")]
    MissingScope { feature: String, permission: String },
    /// 403: a signed URL or request was refused (bad signature, expired, or a body
    /// other than the one signed for); `code` says which.
    #[error("{message}")]
    Forbidden { code: &'static str, message: String },
    /// 400: the key reaches several projects and no `x-project-id` chose one.
    #[error("this key reaches several projects; choose one with the x-project-id header")]
    ProjectRequired,
    /// 404: nothing of that kind is visible to the caller.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// 400: one input field is wrong.
    #[error("{field}: {reason}")]
    Validation { field: String, reason: String },
    /// 400: the request is wrong in a way with its own code.
    #[error("{message}")]
    BadRequest { code: &'static str, message: String },
    /// 409: the item changed since it was read, or already exists.
    #[error("{0}")]
    Conflict(String),
    /// 409: the Idempotency-Key was used before with a different request.
    #[error("the Idempotency-Key was already used for a different request")]
    IdempotencyKeyReused,
    /// 409: a request with the same Idempotency-Key is still running.
    #[error("a request with this Idempotency-Key is still in progress")]
    RequestInProgress,
    /// 413: the body or declared upload is over the limit.
    #[error("{0}")]
    PayloadTooLarge(String),
    /// 503: a configured dependency is missing.
    #[error("{0}")]
    Unavailable(String),
    /// 500: anything else; the cause is logged, never answered.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// The result of anything that answers a request.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A validation failure of one field.
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::Validation {
            field: field.into(),
            reason: reason.into(),
        }
    }

    /// The stable machine-readable code of the error.
    pub fn code(&self) -> &'static str {
        match self {
            Error::MissingApiKey => "missing_api_key",
            Error::InvalidApiKey => "invalid_api_key",
            Error::MissingScope { .. } => "missing_scope",
            Error::Forbidden { code, .. } => code,
            Error::ProjectRequired => "project_required",
            Error::NotFound(_) => "not_found",
            Error::Validation { .. } => "validation_failed",
            Error::BadRequest { code, .. } => code,
            Error::Conflict(_) => "conflict",
            Error::IdempotencyKeyReused => "idempotency_key_reused",
            Error::RequestInProgress => "request_in_progress",
            Error::PayloadTooLarge(_) => "payload_too_large",
            Error::Unavailable(_) => "service_unavailable",
            Error::Internal(_) => "internal_error",
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Error::MissingApiKey | Error::InvalidApiKey => StatusCode::UNAUTHORIZED,
            Error::MissingScope { .. } | Error::Forbidden { .. } => StatusCode::FORBIDDEN,
            Error::ProjectRequired | Error::Validation { .. } | Error::BadRequest { .. } => {
                StatusCode::BAD_REQUEST
            }
            Error::NotFound(_) => StatusCode::NOT_FOUND,
            Error::Conflict(_) | Error::IdempotencyKeyReused | Error::RequestInProgress => {
                StatusCode::CONFLICT
            }
            Error::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Error::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl From<StoreError> for Error {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::ConditionFailed | StoreError::TransactionCanceled { .. } => {
                Error::Conflict(
                    "the item was changed by another request; read it again and retry".into(),
                )
            }
            StoreError::TooLarge { size } => {
                Error::PayloadTooLarge(format!("the item is {size} bytes, over the storage limit"))
            }
            other => Error::Internal(anyhow::Error::new(other)),
        }
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let status = self.status();
        let request_id = request_id::current();
        let message = match &self {
            Error::Internal(cause) => {
                tracing::error!(error = ?cause, "request failed");
                "internal error; quote the request id when reporting it".to_string()
            }
            other => {
                if status.is_client_error() && status != StatusCode::NOT_FOUND {
                    tracing::warn!(code = other.code(), "request refused");
                }
                other.to_string()
            }
        };
        let body = json!({
            "error": { "code": self.code(), "message": message, "request_id": request_id }
        });
        (status, Json(body)).into_response()
    }
}
