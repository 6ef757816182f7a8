//! The JSON fal POSTs to a webhook: which request finished, whether it worked, and its output.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::WebhookError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum WebhookStatus {
    #[serde(rename = "OK")]
    Ok,
    #[serde(rename = "ERROR")]
    Error,
}

/// On `Ok`, `payload` is the model output; on `Error`, `error` says what failed and `payload`
/// carries the model's error detail. `payload` is null with `payload_error` set when fal could not
/// serialise the output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhookBody {
    pub request_id: String,
    #[serde(default)]
    pub gateway_request_id: Option<String>,
    pub status: WebhookStatus,
    #[serde(default)]
    pub error: Option<String>,
    #[serde(default)]
    pub payload: Option<Value>,
    #[serde(default)]
    pub payload_error: Option<String>,
}

impl WebhookBody {
    /// Reads a callback body; verify its signature first.
    pub fn parse(body: &[u8]) -> Result<Self, WebhookError> {
        serde_json::from_slice(body).map_err(|err| WebhookError::MalformedBody(err.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn success_and_failure_callbacks_parse() {
        let ok = WebhookBody::parse(
            br#"{"request_id":"9f1c","gateway_request_id":"9f1c","status":"OK","error":null,
                 "payload":{"images":[{"url":"https://v3b.fal.media/files/x.png"}],"seed":17454220438242315174}}"#,
        )
        .unwrap();
        assert_eq!(ok.status, WebhookStatus::Ok);
        assert_eq!(
            ok.payload.unwrap()["seed"].as_u64(),
            Some(17_454_220_438_242_315_174)
        );

        let failed = WebhookBody::parse(
            br#"{"request_id":"9f1c","status":"ERROR","error":"Invalid status code: 422",
                 "payload":{"detail":[{"loc":["body","prompt"],"msg":"Field required","type":"missing"}]}}"#,
        )
        .unwrap();
        assert_eq!(failed.status, WebhookStatus::Error);
        assert_eq!(failed.error.as_deref(), Some("Invalid status code: 422"));
        assert_eq!(failed.gateway_request_id, None);
    }

    #[test]
    fn payload_error_is_kept() {
        let body = WebhookBody::parse(
            br#"{"request_id":"r","status":"OK","payload":null,"payload_error":"Response payload too large"}"#,
        )
        .unwrap();
        assert_eq!(body.payload, None);
        assert_eq!(
            body.payload_error.as_deref(),
            Some("Response payload too large")
        );
    }

    #[test]
    fn other_shapes_are_refused_with_the_reason() {
        let err = WebhookBody::parse(br#"{"request_id":"r","status":"MAYBE"}"#).unwrap_err();
        assert!(
            matches!(&err, WebhookError::MalformedBody(reason) if reason.contains("MAYBE")),
            "{err}"
        );
        assert!(matches!(
            WebhookBody::parse(b"{}"),
            Err(WebhookError::MalformedBody(_))
        ));
    }
}
