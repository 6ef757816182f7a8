//! fal's webhook callbacks: proving a callback came from fal (Ed25519 over the request id, user id,
//! timestamp and body hash) and reading what it says.
//!
//! Verification and signing share `signed_message`, so the simulator that signs and the gateway
//! that verifies cannot drift apart.

mod body;
mod jwks;
mod keys;

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use reqwest::header::HeaderMap;
use sha2::{Digest, Sha256};

pub use body::{WebhookBody, WebhookStatus};
pub use jwks::jwks_for;
pub use keys::{KeyPolicy, WebhookKeys};

pub const HEADER_REQUEST_ID: &str = "x-fal-webhook-request-id";
pub const HEADER_USER_ID: &str = "x-fal-webhook-user-id";
pub const HEADER_TIMESTAMP: &str = "x-fal-webhook-timestamp";
pub const HEADER_SIGNATURE: &str = "x-fal-webhook-signature";

/// How far a callback's timestamp may sit from our clock, either way.
pub const MAX_CLOCK_SKEW_SECS: i64 = 300;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    #[error("the webhook lacks the {0} header; it did not come from fal, or a proxy stripped it")]
    MissingHeader(&'static str),
    #[error("the webhook's {name} header is unreadable ({reason}); it did not come from fal")]
    MalformedHeader { name: &'static str, reason: String },
    #[error(
        "the webhook is {skew_secs} s away from our clock (limit {MAX_CLOCK_SKEW_SECS} s); reject it as a replay, or fix this machine's clock"
    )]
    Stale { skew_secs: i64 },
    #[error(
        "the webhook signature matches none of fal's keys; ignore it, or refetch the JWKS if fal rotated its keys"
    )]
    BadSignature,
    #[error("the JWKS document is unusable: {0}; check the configured JWKS URL")]
    InvalidJwks(String),
    #[error("could not fetch the JWKS: {0}; check the network and the configured JWKS URL")]
    JwksUnavailable(String),
    #[error("the webhook body is not a fal callback: {0}")]
    MalformedBody(String),
}

/// The exact text fal signs: `request_id\nuser_id\ntimestamp\n<hex sha256 of the raw body>`.
pub fn signed_message(request_id: &str, user_id: &str, timestamp: &str, body: &[u8]) -> String {
    let digest = hex::encode(Sha256::digest(body));
    format!("{request_id}\n{user_id}\n{timestamp}\n{digest}")
}

/// Signs a callback as fal would; the result goes in `X-Fal-Webhook-Signature`.
pub fn sign(
    key: &SigningKey,
    request_id: &str,
    user_id: &str,
    timestamp: i64,
    body: &[u8],
) -> String {
    let message = signed_message(request_id, user_id, &timestamp.to_string(), body);
    hex::encode(key.sign(message.as_bytes()).to_bytes())
}

/// Checks callbacks against the public keys fal publishes.
#[derive(Debug, Clone)]
pub struct WebhookVerifier {
    keys: Vec<VerifyingKey>,
}

impl WebhookVerifier {
    /// Trusts the keys of both verifiers (fal publishes its keys at more than one address).
    pub fn merge(mut self, other: WebhookVerifier) -> Self {
        for key in other.keys {
            if !self.keys.contains(&key) {
                self.keys.push(key);
            }
        }
        self
    }

    /// Accepts the callback if its headers are complete, its timestamp is within
    /// `MAX_CLOCK_SKEW_SECS` of `now_unix`, and any known key verifies its signature.
    pub fn verify(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        now_unix: i64,
    ) -> Result<(), WebhookError> {
        let request_id = header(headers, HEADER_REQUEST_ID)?;
        let user_id = header(headers, HEADER_USER_ID)?;
        let timestamp = header(headers, HEADER_TIMESTAMP)?;
        let signature = header(headers, HEADER_SIGNATURE)?;

        let sent_at: i64 = timestamp
            .parse()
            .map_err(|_| WebhookError::MalformedHeader {
                name: HEADER_TIMESTAMP,
                reason: "not a Unix time in seconds".into(),
            })?;
        let skew_secs = now_unix.saturating_sub(sent_at);
        if skew_secs.saturating_abs() > MAX_CLOCK_SKEW_SECS {
            return Err(WebhookError::Stale { skew_secs });
        }

        let signature = parse_signature(signature)?;
        let message = signed_message(request_id, user_id, timestamp, body);
        if self
            .keys
            .iter()
            .any(|key| key.verify(message.as_bytes(), &signature).is_ok())
        {
            Ok(())
        } else {
            Err(WebhookError::BadSignature)
        }
    }
}

fn header<'a>(headers: &'a HeaderMap, name: &'static str) -> Result<&'a str, WebhookError> {
    let value = headers.get(name).ok_or(WebhookError::MissingHeader(name))?;
    value.to_str().map_err(|_| WebhookError::MalformedHeader {
        name,
        reason: "not ASCII text".into(),
    })
}

fn parse_signature(text: &str) -> Result<Signature, WebhookError> {
    let malformed = |reason: &str| WebhookError::MalformedHeader {
        name: HEADER_SIGNATURE,
        reason: reason.into(),
    };
    let bytes = hex::decode(text.trim()).map_err(|_| malformed("not hexadecimal"))?;
    let bytes: [u8; 64] = bytes
        .try_into()
        .map_err(|_| malformed("not a 64-byte Ed25519 signature"))?;
    Ok(Signature::from_bytes(&bytes))
}

#[cfg(test)]
mod tests {
    use reqwest::header::HeaderValue;

    use super::*;

    const NOW: i64 = 1_760_000_000;
    const BODY: &[u8] = br#"{"request_id":"req-1","status":"OK","payload":{"seed":42}}"#;

    fn fal_key() -> SigningKey {
        SigningKey::from_bytes(&[7; 32])
    }

    fn verifier_for(keys: &[VerifyingKey]) -> WebhookVerifier {
        let jwks = serde_json::to_vec(&jwks_for(keys)).unwrap();
        WebhookVerifier::from_jwks(&jwks).unwrap()
    }

    fn signed_headers(key: &SigningKey, timestamp: i64, body: &[u8]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        let mut set = |name: &'static str, value: String| {
            headers.insert(name, HeaderValue::from_str(&value).unwrap());
        };
        set(HEADER_REQUEST_ID, "req-1".into());
        set(HEADER_USER_ID, "user-9".into());
        set(HEADER_TIMESTAMP, timestamp.to_string());
        set(
            HEADER_SIGNATURE,
            sign(key, "req-1", "user-9", timestamp, body),
        );
        headers
    }

    #[test]
    fn signed_message_has_fal_layout() {
        assert_eq!(
            signed_message("r", "u", "17", b"abc"),
            "r\nu\n17\nba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn genuine_callback_verifies() {
        let verifier = verifier_for(&[fal_key().verifying_key()]);
        let headers = signed_headers(&fal_key(), NOW - 20, BODY);
        assert_eq!(verifier.verify(&headers, BODY, NOW), Ok(()));
    }

    #[test]
    fn any_published_key_may_verify() {
        let other = SigningKey::from_bytes(&[1; 32]).verifying_key();
        let verifier = verifier_for(&[other, fal_key().verifying_key()]);
        let headers = signed_headers(&fal_key(), NOW, BODY);
        assert_eq!(verifier.verify(&headers, BODY, NOW), Ok(()));
    }

    #[test]
    fn tampered_body_is_rejected() {
        let verifier = verifier_for(&[fal_key().verifying_key()]);
        let headers = signed_headers(&fal_key(), NOW, BODY);
        let tampered = br#"{"request_id":"req-1","status":"OK","payload":{"seed":43}}"#;
        assert_eq!(
            verifier.verify(&headers, tampered, NOW),
            Err(WebhookError::BadSignature)
        );
    }

    #[test]
    fn tampered_request_id_is_rejected() {
        let verifier = verifier_for(&[fal_key().verifying_key()]);
        let mut headers = signed_headers(&fal_key(), NOW, BODY);
        headers.insert(HEADER_REQUEST_ID, HeaderValue::from_static("req-2"));
        assert_eq!(
            verifier.verify(&headers, BODY, NOW),
            Err(WebhookError::BadSignature)
        );
    }

    #[test]
    fn unknown_key_is_rejected() {
        let verifier = verifier_for(&[SigningKey::from_bytes(&[1; 32]).verifying_key()]);
        let headers = signed_headers(&fal_key(), NOW, BODY);
        assert_eq!(
            verifier.verify(&headers, BODY, NOW),
            Err(WebhookError::BadSignature)
        );
    }

    #[test]
    fn old_and_future_timestamps_are_stale() {
        let verifier = verifier_for(&[fal_key().verifying_key()]);
        let old = signed_headers(&fal_key(), NOW - 301, BODY);
        assert_eq!(
            verifier.verify(&old, BODY, NOW),
            Err(WebhookError::Stale { skew_secs: 301 })
        );
        let future = signed_headers(&fal_key(), NOW + 400, BODY);
        assert_eq!(
            verifier.verify(&future, BODY, NOW),
            Err(WebhookError::Stale { skew_secs: -400 })
        );
        let edge = signed_headers(&fal_key(), NOW - 300, BODY);
        assert_eq!(verifier.verify(&edge, BODY, NOW), Ok(()));
    }

    #[test]
    fn each_missing_header_is_named() {
        let verifier = verifier_for(&[fal_key().verifying_key()]);
        for name in [
            HEADER_REQUEST_ID,
            HEADER_USER_ID,
            HEADER_TIMESTAMP,
            HEADER_SIGNATURE,
        ] {
            let mut headers = signed_headers(&fal_key(), NOW, BODY);
            headers.remove(name);
            let err = verifier.verify(&headers, BODY, NOW).unwrap_err();
            assert_eq!(err, WebhookError::MissingHeader(name));
            assert!(err.to_string().contains(name));
        }
    }

    #[test]
    fn garbled_signature_and_timestamp_are_malformed() {
        let verifier = verifier_for(&[fal_key().verifying_key()]);
        let mut headers = signed_headers(&fal_key(), NOW, BODY);
        headers.insert(HEADER_SIGNATURE, HeaderValue::from_static("abcd"));
        assert!(matches!(
            verifier.verify(&headers, BODY, NOW),
            Err(WebhookError::MalformedHeader {
                name: HEADER_SIGNATURE,
                ..
            })
        ));

        let mut headers = signed_headers(&fal_key(), NOW, BODY);
        headers.insert(HEADER_TIMESTAMP, HeaderValue::from_static("yesterday"));
        assert!(matches!(
            verifier.verify(&headers, BODY, NOW),
            Err(WebhookError::MalformedHeader {
                name: HEADER_TIMESTAMP,
                ..
            })
        ));
    }
}
