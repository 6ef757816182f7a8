//! The fal webhook as an attacker sends it: four header lines (request id, user id, timestamp,
//! signature) and a body, all arbitrary. Whatever arrives, the check and the parsers answer
//! without panicking; nothing unsigned by the trusted key is accepted; and what the key signed
//! is accepted, so the check is not merely refusing everything.

#![no_main]

use ed25519_dalek::SigningKey;
use http::{HeaderMap, HeaderValue};
use libfuzzer_sys::fuzz_target;
use miri_providers::fal::webhook::{
    HEADER_REQUEST_ID, HEADER_SIGNATURE, HEADER_TIMESTAMP, HEADER_USER_ID, WebhookBody, WebhookVerifier, jwks_for, sign,
};

const NOW: i64 = 1_800_000_000;

fn headers(fields: [(&'static str, &[u8]); 4]) -> Option<HeaderMap> {
    let mut map = HeaderMap::new();
    for (name, value) in fields {
        map.insert(name, HeaderValue::from_bytes(value).ok()?);
    }
    Some(map)
}

fuzz_target!(|data: &[u8]| {
    let key = SigningKey::from_bytes(&[7; 32]);
    let jwks = serde_json::to_vec(&jwks_for(&[key.verifying_key()])).unwrap();
    let verifier = WebhookVerifier::from_jwks(&jwks).unwrap();
    // Any bytes as a JWKS document or a callback body: an answer, never a panic.
    let _ = WebhookVerifier::from_jwks(data);
    let _ = WebhookBody::parse(data);

    let mut parts = data.splitn(5, |b| *b == b'\n');
    let (Some(request_id), Some(user_id), Some(timestamp), Some(signature)) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return;
    };
    let body = parts.next().unwrap_or_default();
    let Some(sent) = headers([
        (HEADER_REQUEST_ID, request_id),
        (HEADER_USER_ID, user_id),
        (HEADER_TIMESTAMP, timestamp),
        (HEADER_SIGNATURE, signature),
    ]) else {
        return;
    };
    let (Ok(request_id), Ok(user_id)) = (std::str::from_utf8(request_id), std::str::from_utf8(user_id)) else { return };
    if verifier.verify(&sent, body, NOW).is_ok() {
        // Accepted: it must carry exactly the signature the trusted key makes for it.
        let stamp: i64 = std::str::from_utf8(timestamp).unwrap().parse().unwrap();
        let genuine = sign(&key, request_id, user_id, stamp, body);
        assert_eq!(std::str::from_utf8(signature).unwrap().trim().to_lowercase(), genuine, "a forged webhook was accepted");
    }
    // Signed by the key, now: accepted.
    let genuine = sign(&key, request_id, user_id, NOW, body);
    let stamp = NOW.to_string();
    if let Some(signed) = headers([
        (HEADER_REQUEST_ID, request_id.as_bytes()),
        (HEADER_USER_ID, user_id.as_bytes()),
        (HEADER_TIMESTAMP, stamp.as_bytes()),
        (HEADER_SIGNATURE, genuine.as_bytes()),
    ]) && signed.get(HEADER_REQUEST_ID).and_then(|v| v.to_str().ok()) == Some(request_id)
        && signed.get(HEADER_USER_ID).and_then(|v| v.to_str().ok()) == Some(user_id)
    {
        assert_eq!(verifier.verify(&signed, body, NOW), Ok(()), "a genuine webhook was refused");
    }
});
