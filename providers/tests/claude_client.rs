//! The Claude client against a scripted HTTP server: the Messages body built from a neutral
//! request, the reply read back, the JSON-schema-as-forced-tool mapping, and failure
//! classification (Anthropic's error body, 429 `retry-after`, 529 overloaded).

use std::time::Duration;

use miri_core::llm::{
    Blob, BlobData, FinishReason, FunctionCall, FunctionResponse, GenerateError, GenerateRequest,
    LanguageModel, Part, Reply, ToolChoice, ToolDeclaration, Turn, Usage,
};
use miri_providers::claude::ClaudeClient;
use miri_providers::error::ProviderError;
use serde_json::json;
use url::Url;
use wiremock::matchers::{any, body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const KEY: &str = "sk-ant-api03-test-secret";

fn client_for(server: &MockServer, timeout: Duration) -> ClaudeClient {
    ClaudeClient::new(
        Url::parse(&server.uri()).unwrap(),
        KEY.into(),
        timeout,
        2048,
    )
    .unwrap()
}

fn plan(model: &str) -> GenerateRequest {
    GenerateRequest::new(
        model,
        vec![Turn::user(vec![Part::text("Plan shots for bars 12-16.")])],
    )
}

fn answer(content: serde_json::Value, stop_reason: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "id": "msg_01", "type": "message", "role": "assistant", "model": "claude-sonnet-4-6",
        "content": content, "stop_reason": stop_reason, "stop_sequence": null,
        "usage": {"input_tokens": 812, "output_tokens": 96, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0}
    }))
}

#[tokio::test]
async fn messages_carry_the_conversation_tools_and_headers() {
    let server = MockServer::start().await;
    let shots = json!({"type": "object", "properties": {"shots": {"type": "array", "items": {"type": "string"}}}, "required": ["shots"]});
    let mut request = GenerateRequest::new(
        "claude-sonnet-4-6",
        vec![
            Turn::user(vec![
                Part::text("Does this still match the rules?"),
                Part::InlineData(Blob {
                    mime_type: "image/png".into(),
                    data: BlobData::Bytes(b"\x89PNG".to_vec()),
                }),
            ]),
            Turn::model(vec![Part::FunctionCall(FunctionCall {
                id: Some("toolu_01".into()),
                name: "emit_shots".into(),
                args: json!({"shots": ["wide"]}),
                signature: None,
            })]),
            Turn::user(vec![Part::FunctionResponse(FunctionResponse {
                id: Some("toolu_01".into()),
                name: "emit_shots".into(),
                response: json!({"ok": true}),
            })]),
        ],
    );
    request.system = Some("You write shot lists.".into());
    request.tools = vec![ToolDeclaration {
        name: "emit_shots".into(),
        description: "Return shots".into(),
        parameters: shots.clone(),
    }];
    request.tool_choice = ToolChoice::Specific("emit_shots".into());
    request.temperature = Some(0.25);
    request.max_output_tokens = Some(1024);

    Mock::given(method("POST"))
        .and(path("/v1/messages"))
        .and(header("x-api-key", KEY))
        .and(header("anthropic-version", "2023-06-01"))
        .and(header("content-type", "application/json"))
        .and(body_json(json!({
            "model": "claude-sonnet-4-6",
            "max_tokens": 1024,
            "system": "You write shot lists.",
            "messages": [
                {"role": "user", "content": [
                    {"type": "text", "text": "Does this still match the rules?"},
                    {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw=="}}
                ]},
                {"role": "assistant", "content": [{"type": "tool_use", "id": "toolu_01", "name": "emit_shots", "input": {"shots": ["wide"]}}]},
                {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_01", "content": "{\"ok\":true}"}]}
            ],
            "tools": [{"name": "emit_shots", "description": "Return shots", "input_schema": shots}],
            "tool_choice": {"type": "tool", "name": "emit_shots"},
            "temperature": 0.25
        })))
        .respond_with(answer(
            json!([
                {"type": "text", "text": "Plan:"},
                {"type": "tool_use", "id": "toolu_02", "name": "emit_shots", "input": {"shots": ["wide", "close"]}}
            ]),
            "tool_use",
        ))
        .expect(1)
        .mount(&server)
        .await;

    let reply = client_for(&server, Duration::from_secs(5))
        .generate(&request)
        .await
        .unwrap();

    assert_eq!(
        reply,
        Reply {
            parts: vec![
                Part::text("Plan:"),
                Part::FunctionCall(FunctionCall {
                    id: Some("toolu_02".into()),
                    name: "emit_shots".into(),
                    args: json!({"shots": ["wide", "close"]}),
                    signature: None,
                }),
            ],
            finish: FinishReason::ToolUse,
            usage: Usage {
                input_tokens: 812,
                output_tokens: 96,
                thinking_tokens: 0
            },
            model_version: Some("claude-sonnet-4-6".into()),
        }
    );
}

#[tokio::test]
async fn a_response_schema_becomes_a_forced_tool_whose_input_is_the_answer() {
    let server = MockServer::start().await;
    let schema = json!({"type": "object", "properties": {"verdict": {"type": "string"}}, "required": ["verdict"]});
    let mut request = plan("claude-haiku-4-5");
    request.response_schema = Some(schema.clone());
    Mock::given(method("POST"))
        .and(path("/v1/messages"))
        .and(body_json(json!({
            "model": "claude-haiku-4-5",
            "max_tokens": 2048,
            "messages": [{"role": "user", "content": [{"type": "text", "text": "Plan shots for bars 12-16."}]}],
            "tools": [{"name": "respond_with_json", "description": "Give the answer as JSON matching the input schema.", "input_schema": schema}],
            "tool_choice": {"type": "tool", "name": "respond_with_json"}
        })))
        .respond_with(answer(
            json!([
                {"type": "text", "text": "Here is the verdict."},
                {"type": "tool_use", "id": "toolu_9", "name": "respond_with_json", "input": {"verdict": "pass"}}
            ]),
            "tool_use",
        ))
        .expect(1)
        .mount(&server)
        .await;

    let reply = client_for(&server, Duration::from_secs(5))
        .generate(&request)
        .await
        .unwrap();

    assert_eq!(reply.finish, FinishReason::Stop);
    assert_eq!(reply.json().unwrap(), json!({"verdict": "pass"}));
    assert_eq!(reply.function_calls().count(), 0);
}

#[tokio::test]
async fn stop_reasons_are_typed() {
    for (raw, expected) in [
        ("end_turn", FinishReason::Stop),
        ("max_tokens", FinishReason::MaxTokens),
        ("stop_sequence", FinishReason::StopSequence),
        ("pause_turn", FinishReason::PauseTurn),
        ("refusal", FinishReason::Refusal),
        (
            "model_context_window_exceeded",
            FinishReason::ContextWindowExceeded,
        ),
        ("something_new", FinishReason::Other("something_new".into())),
    ] {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(answer(json!([{"type": "text", "text": "x"}, {"type": "thinking", "thinking": "…", "signature": "s"}]), raw))
            .mount(&server)
            .await;
        let reply = client_for(&server, Duration::from_secs(5))
            .generate(&plan("claude-opus-4-7"))
            .await
            .unwrap();
        assert_eq!(reply.finish, expected, "{raw}");
        assert_eq!(reply.parts, vec![Part::text("x")]);
    }
}

#[tokio::test]
async fn parts_claude_cannot_take_are_refused_before_sending() {
    let server = MockServer::start().await;
    let client = client_for(&server, Duration::from_secs(5));
    let audio = GenerateRequest::new(
        "claude-sonnet-4-6",
        vec![Turn::user(vec![Part::InlineData(Blob {
            mime_type: "audio/mp3".into(),
            data: BlobData::Base64("AAAA".into()),
        })])],
    );
    let file = GenerateRequest::new(
        "claude-sonnet-4-6",
        vec![Turn::user(vec![Part::FileRef {
            mime_type: "audio/mpeg".into(),
            uri: "https://generativelanguage.googleapis.com/v1beta/files/a".into(),
        }])],
    );
    let anonymous_call = GenerateRequest::new(
        "claude-sonnet-4-6",
        vec![Turn::model(vec![Part::FunctionCall(FunctionCall {
            id: None,
            name: "f".into(),
            args: json!({}),
            signature: None,
        })])],
    );
    for request in [audio, file, anonymous_call] {
        let err = client.generate(&request).await.unwrap_err();
        assert!(matches!(err, GenerateError::Unsupported(_)), "{err:?}");
    }
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn failures_are_classified_with_anthropic_messages() {
    let anthropic_error = |status: u16, kind: &str, message: &str| {
        ResponseTemplate::new(status)
            .set_body_json(json!({"type": "error", "error": {"type": kind, "message": message}}))
    };
    let cases = [
        (
            anthropic_error(400, "invalid_request_error", "max_tokens: must be positive"),
            Duration::from_secs(5),
            ProviderError::Rejected {
                status: 400,
                message: "max_tokens: must be positive (invalid_request_error)".into(),
            },
        ),
        (
            anthropic_error(401, "authentication_error", "invalid x-api-key"),
            Duration::from_secs(5),
            ProviderError::Rejected {
                status: 401,
                message: "invalid x-api-key (authentication_error)".into(),
            },
        ),
        (
            anthropic_error(
                429,
                "rate_limit_error",
                "Number of requests has exceeded your rate limit",
            )
            .insert_header("retry-after", "30"),
            Duration::from_secs(5),
            ProviderError::RateLimited {
                retry_after: Some(Duration::from_secs(30)),
            },
        ),
        (
            anthropic_error(500, "api_error", "Internal server error"),
            Duration::from_secs(5),
            ProviderError::Unavailable {
                status: 500,
                message: "Internal server error (api_error)".into(),
            },
        ),
        (
            anthropic_error(529, "overloaded_error", "Overloaded"),
            Duration::from_secs(5),
            ProviderError::Unavailable {
                status: 529,
                message: "Overloaded (overloaded_error)".into(),
            },
        ),
        (
            answer(json!([]), "end_turn").set_delay(Duration::from_secs(3)),
            Duration::from_millis(200),
            ProviderError::Timeout,
        ),
    ];
    for (response, timeout, expected) in cases {
        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(response)
            .mount(&server)
            .await;
        let err = client_for(&server, timeout)
            .generate(&plan("claude-sonnet-4-6"))
            .await
            .unwrap_err();
        let GenerateError::Provider(err) = err else {
            panic!("expected a provider error, got {err:?}");
        };
        assert_eq!(err, expected);
        assert_eq!(err.is_retryable(), expected.is_retryable());
        assert!(!err.to_string().contains(KEY));
    }
}

#[tokio::test]
async fn an_undocumented_answer_is_malformed_with_a_snippet() {
    for (body, shown) in [
        (r#"{"content": "nope"}"#, "nope"),
        ("<html>gateway</html>", "<html>gateway"),
    ] {
        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(200).set_body_string(body))
            .mount(&server)
            .await;
        let err = client_for(&server, Duration::from_secs(5))
            .generate(&plan("claude-sonnet-4-6"))
            .await
            .unwrap_err();
        assert!(
            matches!(&err, GenerateError::Provider(ProviderError::Malformed(m)) if m.contains(shown)),
            "{err:?}"
        );
    }
}

#[tokio::test]
async fn the_key_never_shows_in_debug_or_transport_errors() {
    let server = MockServer::start().await;
    let debug = format!("{:?}", client_for(&server, Duration::from_secs(5)));
    assert!(
        !debug.contains(KEY) && debug.contains("redacted"),
        "{debug}"
    );

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let closed = ClaudeClient::new(
        Url::parse(&format!("http://127.0.0.1:{port}")).unwrap(),
        KEY.into(),
        Duration::from_secs(5),
        2048,
    )
    .unwrap();
    let err = closed
        .generate(&plan("claude-sonnet-4-6"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, GenerateError::Provider(ProviderError::Transport(_))),
        "{err:?}"
    );
    assert!(!err.to_string().contains(KEY), "{err}");

    assert!(
        ClaudeClient::new(
            Url::parse("https://api.anthropic.com").unwrap(),
            String::new(),
            Duration::from_secs(1),
            1
        )
        .is_err()
    );
}

#[tokio::test]
async fn a_text_tool_result_goes_as_plain_text() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(body_json(json!({
            "model": "claude-sonnet-4-6",
            "max_tokens": 2048,
            "messages": [{"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "bar 12 is a downbeat"}]}]
        })))
        .respond_with(answer(json!([{"type": "text", "text": "ok"}]), "end_turn"))
        .expect(1)
        .mount(&server)
        .await;
    let request = GenerateRequest::new(
        "claude-sonnet-4-6",
        vec![Turn::user(vec![Part::FunctionResponse(FunctionResponse {
            id: Some("toolu_1".into()),
            name: "get_beats".into(),
            response: json!("bar 12 is a downbeat"),
        })])],
    );
    let reply = client_for(&server, Duration::from_secs(5))
        .generate(&request)
        .await
        .unwrap();
    assert_eq!(reply.text(), "ok");
}
