//! The fal queue client against a scripted HTTP server: what goes on the wire, and how every kind
//! of answer is classified.

use std::time::Duration;

use miri_providers::error::ProviderError;
use miri_providers::fal::{FalClient, QueueStatus, QueueSubmission};
use serde_json::json;
use url::Url;
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const KEY: &str = "key-id:key-secret";
const ENDPOINT: &str = "fal-ai/flux-2/edit";

fn client_for(server: &MockServer, timeout: Duration) -> FalClient {
    FalClient::new(Url::parse(&server.uri()).unwrap(), KEY.into(), timeout).unwrap()
}

fn submission_json(server: &MockServer) -> serde_json::Value {
    let base = server.uri();
    json!({
        "status": "IN_QUEUE",
        "request_id": "9f1c",
        "queue_position": 0,
        "response_url": format!("{base}/fal-ai/flux-2/requests/9f1c"),
        "status_url": format!("{base}/fal-ai/flux-2/requests/9f1c/status"),
        "cancel_url": format!("{base}/fal-ai/flux-2/requests/9f1c/cancel"),
    })
}

/// Mounts a submit mock answering `response` and returns the client's verdict.
async fn submit_answered_with(response: ResponseTemplate) -> ProviderError {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/fal-ai/flux-2/edit"))
        .respond_with(response)
        .mount(&server)
        .await;
    client_for(&server, Duration::from_secs(5))
        .submit(ENDPOINT, &json!({"prompt": "p"}), None)
        .await
        .unwrap_err()
}

#[tokio::test]
async fn submit_sends_input_key_priority_and_encoded_webhook() {
    let server = MockServer::start().await;
    let input = json!({"prompt": "singer on a rooftop", "image_urls": ["https://cdn/x.png"], "seed": 17454220438242315174u64});
    let webhook = "https://hooks.miri.test/fal?shot=12&tag=a b";
    Mock::given(method("POST"))
        .and(path("/fal-ai/flux-2/edit"))
        .and(query_param("fal_webhook", webhook))
        .and(header("authorization", format!("Key {KEY}").as_str()))
        .and(header("x-fal-queue-priority", "normal"))
        .and(header("content-type", "application/json"))
        .and(body_json(&input))
        .respond_with(ResponseTemplate::new(200).set_body_json(submission_json(&server)))
        .expect(1)
        .mount(&server)
        .await;

    let submission = client_for(&server, Duration::from_secs(5))
        .submit(ENDPOINT, &input, Some(webhook))
        .await
        .unwrap();

    let base = server.uri();
    assert_eq!(
        submission,
        QueueSubmission {
            request_id: "9f1c".into(),
            status_url: format!("{base}/fal-ai/flux-2/requests/9f1c/status"),
            response_url: format!("{base}/fal-ai/flux-2/requests/9f1c"),
            cancel_url: format!("{base}/fal-ai/flux-2/requests/9f1c/cancel"),
        }
    );
    let raw_query = server.received_requests().await.unwrap()[0]
        .url
        .query()
        .unwrap()
        .to_owned();
    assert!(
        !raw_query.contains("https://"),
        "webhook URL went out unencoded: {raw_query}"
    );
}

#[tokio::test]
async fn submit_without_webhook_sends_no_query() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/fal-ai/kling-video/v3/pro/image-to-video"))
        .respond_with(ResponseTemplate::new(200).set_body_json(submission_json(&server)))
        .expect(1)
        .mount(&server)
        .await;
    client_for(&server, Duration::from_secs(5))
        .submit("fal-ai/kling-video/v3/pro/image-to-video", &json!({}), None)
        .await
        .unwrap();
    assert_eq!(
        server.received_requests().await.unwrap()[0].url.query(),
        None
    );
}

#[tokio::test]
async fn validation_failure_is_rejected_with_fal_message() {
    let err = submit_answered_with(ResponseTemplate::new(422).set_body_json(json!({
        "detail": [{"loc": ["body", "duration"], "msg": "Input should be a valid string", "type": "string_type"}]
    })))
    .await;
    let ProviderError::Rejected { status, message } = &err else {
        panic!("expected Rejected, got {err:?}");
    };
    assert_eq!(*status, 422);
    assert!(
        message.contains("Input should be a valid string"),
        "{message}"
    );
    assert!(message.contains("body.duration"), "{message}");
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn rate_limit_carries_retry_after() {
    let err =
        submit_answered_with(ResponseTemplate::new(429).insert_header("retry-after", "12")).await;
    assert_eq!(
        err,
        ProviderError::RateLimited {
            retry_after: Some(Duration::from_secs(12))
        }
    );
    assert!(err.is_retryable());
}

#[tokio::test]
async fn server_error_is_unavailable() {
    let err = submit_answered_with(
        ResponseTemplate::new(503).set_body_json(json!({"detail": "runner pool exhausted"})),
    )
    .await;
    assert_eq!(
        err,
        ProviderError::Unavailable {
            status: 503,
            message: "runner pool exhausted".into()
        }
    );
    assert!(err.is_retryable());
}

#[tokio::test]
async fn slow_answer_is_timeout() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(submission_json(&server))
                .set_delay(Duration::from_secs(3)),
        )
        .mount(&server)
        .await;
    let err = client_for(&server, Duration::from_millis(200))
        .submit(ENDPOINT, &json!({"prompt": "p"}), None)
        .await
        .unwrap_err();
    assert_eq!(err, ProviderError::Timeout);
    assert!(err.is_retryable());
}

#[tokio::test]
async fn undocumented_bodies_are_malformed() {
    let err =
        submit_answered_with(ResponseTemplate::new(200).set_body_json(json!({"queued": true})))
            .await;
    assert!(
        matches!(&err, ProviderError::Malformed(reason) if reason.contains("request_id")),
        "{err:?}"
    );
    assert!(!err.is_retryable());

    let err =
        submit_answered_with(ResponseTemplate::new(200).set_body_string("<html>hi</html>")).await;
    assert!(matches!(err, ProviderError::Malformed(_)), "{err:?}");
}

#[tokio::test]
async fn unreachable_host_is_transport_and_never_leaks_the_key() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let client = FalClient::new(
        Url::parse(&format!("http://127.0.0.1:{port}")).unwrap(),
        KEY.into(),
        Duration::from_secs(5),
    )
    .unwrap();
    let err = client.submit(ENDPOINT, &json!({}), None).await.unwrap_err();
    assert!(matches!(err, ProviderError::Transport(_)), "{err:?}");
    assert!(err.is_retryable());
    assert!(!err.to_string().contains("key-secret"));
    assert!(!format!("{client:?}").contains("key-secret"));
}

#[tokio::test]
async fn status_maps_202_and_200_bodies() {
    let server = MockServer::start().await;
    let base = server.uri();
    Mock::given(method("GET"))
        .and(path("/fal-ai/flux-2/requests/queued/status"))
        .and(query_param("logs", "0"))
        .and(header("authorization", format!("Key {KEY}").as_str()))
        .respond_with(ResponseTemplate::new(202).set_body_json(
            json!({"status": "IN_QUEUE", "request_id": "queued", "queue_position": 4}),
        ))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/fal-ai/flux-2/requests/running/status"))
        .respond_with(
            ResponseTemplate::new(202).set_body_json(
                json!({"status": "IN_PROGRESS", "request_id": "running", "logs": null}),
            ),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/fal-ai/flux-2/requests/done/status"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"status": "COMPLETED", "request_id": "done", "metrics": {"inference_time": 2.1}})))
        .mount(&server)
        .await;
    let client = client_for(&server, Duration::from_secs(5));

    let status = |id: &str| format!("{base}/fal-ai/flux-2/requests/{id}/status");
    assert_eq!(
        client.status(&status("queued")).await.unwrap(),
        QueueStatus::InQueue { position: Some(4) }
    );
    assert_eq!(
        client.status(&status("running")).await.unwrap(),
        QueueStatus::InProgress
    );
    assert_eq!(
        client.status(&status("done")).await.unwrap(),
        QueueStatus::Completed
    );
    assert!(matches!(
        client.status(&status("missing")).await,
        Err(ProviderError::Rejected { status: 404, .. })
    ));
}

#[tokio::test]
async fn result_returns_the_model_output_or_its_failure() {
    let server = MockServer::start().await;
    let base = server.uri();
    let output = json!({"video": {"url": "https://v3b.fal.media/files/c.mp4", "content_type": "video/mp4", "file_name": "c.mp4", "file_size": 81234}});
    Mock::given(method("GET"))
        .and(path("/fal-ai/kling-video/requests/ok"))
        .and(header("authorization", format!("Key {KEY}").as_str()))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(&output)
                .insert_header("x-fal-request-id", "ok"),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/fal-ai/kling-video/requests/failed"))
        .respond_with(ResponseTemplate::new(422).set_body_json(json!({
            "detail": [{"loc": ["body", "start_image_url"], "msg": "Image too small", "type": "value_error"}]
        })))
        .mount(&server)
        .await;
    let client = client_for(&server, Duration::from_secs(5));

    assert_eq!(
        client
            .result(&format!("{base}/fal-ai/kling-video/requests/ok"))
            .await
            .unwrap(),
        output
    );
    let err = client
        .result(&format!("{base}/fal-ai/kling-video/requests/failed"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ProviderError::Rejected { status: 422, message } if message.contains("Image too small")),
        "{err:?}"
    );
}

#[tokio::test]
async fn cancel_puts_to_the_cancel_url() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path("/fal-ai/flux-2/requests/9f1c/cancel"))
        .and(header("authorization", format!("Key {KEY}").as_str()))
        .respond_with(
            ResponseTemplate::new(202).set_body_json(json!({"status": "CANCELLATION_REQUESTED"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    client_for(&server, Duration::from_secs(5))
        .cancel(&format!(
            "{}/fal-ai/flux-2/requests/9f1c/cancel",
            server.uri()
        ))
        .await
        .unwrap();
}

#[tokio::test]
async fn key_is_never_sent_to_another_origin() {
    let server = MockServer::start().await;
    let elsewhere = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"status": "COMPLETED"})))
        .expect(0)
        .mount(&elsewhere)
        .await;
    let err = client_for(&server, Duration::from_secs(5))
        .status(&format!(
            "{}/fal-ai/flux-2/requests/x/status",
            elsewhere.uri()
        ))
        .await
        .unwrap_err();
    assert!(matches!(err, ProviderError::Malformed(_)), "{err:?}");
}
