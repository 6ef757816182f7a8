//! fal's webhook public keys as a JWKS document: reading it into a `WebhookVerifier`, fetching it,
//! and writing one (for the simulator, which publishes its own key the same way).

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::VerifyingKey;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{WebhookError, WebhookVerifier};

const FETCH_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Deserialize)]
struct Jwks {
    keys: Vec<Jwk>,
}

#[derive(Deserialize)]
struct Jwk {
    kty: String,
    crv: Option<String>,
    x: Option<String>,
}

impl WebhookVerifier {
    /// Reads the Ed25519 (`kty: OKP`, `crv: Ed25519`) keys of a JWKS document; entries of other
    /// key types are skipped, and a document without any usable key is refused.
    pub fn from_jwks(document: &[u8]) -> Result<Self, WebhookError> {
        let jwks: Jwks = serde_json::from_slice(document)
            .map_err(|err| WebhookError::InvalidJwks(err.to_string()))?;
        let keys = jwks
            .keys
            .iter()
            .filter(|jwk| jwk.kty == "OKP" && jwk.crv.as_deref() == Some("Ed25519"))
            .map(decode_key)
            .collect::<Result<Vec<_>, _>>()?;
        if keys.is_empty() {
            return Err(WebhookError::InvalidJwks("it holds no Ed25519 key".into()));
        }
        Ok(Self { keys })
    }

    /// Downloads and reads the JWKS at `jwks_url`. fal has published it at more than one address;
    /// the caller picks which from configuration.
    pub async fn fetch(jwks_url: &str) -> Result<Self, WebhookError> {
        let unavailable =
            |err: reqwest::Error| WebhookError::JwksUnavailable(err.without_url().to_string());
        let client = reqwest::Client::builder()
            .timeout(FETCH_TIMEOUT)
            .build()
            .map_err(unavailable)?;
        let response = client.get(jwks_url).send().await.map_err(unavailable)?;
        let status = response.status();
        if !status.is_success() {
            return Err(WebhookError::JwksUnavailable(format!(
                "{jwks_url} answered HTTP {status}"
            )));
        }
        let document = response.bytes().await.map_err(unavailable)?;
        Self::from_jwks(&document)
    }
}

fn decode_key(jwk: &Jwk) -> Result<VerifyingKey, WebhookError> {
    let invalid = |reason: &str| WebhookError::InvalidJwks(format!("an Ed25519 key {reason}"));
    let x = jwk.x.as_deref().ok_or_else(|| invalid("has no x"))?;
    let bytes = URL_SAFE_NO_PAD
        .decode(x.trim_end_matches('='))
        .map_err(|_| invalid("is not base64url"))?;
    let bytes: [u8; 32] = bytes
        .try_into()
        .map_err(|_| invalid("is not 32 bytes long"))?;
    VerifyingKey::from_bytes(&bytes).map_err(|_| invalid("is not a valid curve point"))
}

/// A JWKS document publishing `keys`, in the shape fal serves.
pub fn jwks_for(keys: &[VerifyingKey]) -> Value {
    let keys: Vec<Value> = keys
        .iter()
        .map(|key| {
            json!({
                "kty": "OKP",
                "crv": "Ed25519",
                "use": "sig",
                "alg": "EdDSA",
                "x": URL_SAFE_NO_PAD.encode(key.as_bytes()),
            })
        })
        .collect();
    json!({ "keys": keys })
}

#[cfg(test)]
mod tests {
    use ed25519_dalek::SigningKey;

    use super::*;

    #[test]
    fn published_keys_read_back() {
        let key = SigningKey::from_bytes(&[3; 32]).verifying_key();
        let document = serde_json::to_vec(&jwks_for(&[key])).unwrap();
        let verifier = WebhookVerifier::from_jwks(&document).unwrap();
        assert_eq!(verifier.keys, vec![key]);
    }

    #[test]
    fn other_key_types_are_skipped() {
        let key = SigningKey::from_bytes(&[3; 32]).verifying_key();
        let document = json!({"keys": [
            {"kty": "RSA", "n": "AQAB", "e": "AQAB"},
            {"kty": "OKP", "crv": "X25519", "x": URL_SAFE_NO_PAD.encode([9u8; 32])},
            {"kty": "OKP", "crv": "Ed25519", "x": URL_SAFE_NO_PAD.encode(key.as_bytes())},
        ]});
        let verifier = WebhookVerifier::from_jwks(document.to_string().as_bytes()).unwrap();
        assert_eq!(verifier.keys, vec![key]);
    }

    #[test]
    fn unusable_documents_are_refused() {
        let cases = [
            "not json".to_owned(),
            json!({"keys": []}).to_string(),
            json!({"keys": [{"kty": "RSA"}]}).to_string(),
            json!({"keys": [{"kty": "OKP", "crv": "Ed25519"}]}).to_string(),
            json!({"keys": [{"kty": "OKP", "crv": "Ed25519", "x": "!!"}]}).to_string(),
            json!({"keys": [{"kty": "OKP", "crv": "Ed25519", "x": URL_SAFE_NO_PAD.encode([1u8; 31])}]}).to_string(),
        ];
        for document in cases {
            assert!(
                matches!(
                    WebhookVerifier::from_jwks(document.as_bytes()),
                    Err(WebhookError::InvalidJwks(_))
                ),
                "accepted {document}"
            );
        }
    }
}
