//! The Gemini client against a scripted HTTP server, on both backends: what goes on the wire for
//! generateContent, the Files API and embeddings, how answers map to the neutral types, and how
//! every kind of failure is classified.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use miri_core::llm::{
    Blob, BlobData, BlockReason, EmbedRequest, Embedder, FinishReason, FunctionCall,
    FunctionResponse, GenerateError, GenerateRequest, LanguageModel, Part, Reply, TaskType,
    ThoughtSignature, ToolChoice, ToolDeclaration, Turn, Usage,
};
use miri_providers::error::ProviderError;
use miri_providers::gemini::{FileError, FileSettings, GeminiBackend, GeminiClient};
use miri_providers::vertex::StaticToken;
use serde_json::{Value, json};
use url::Url;
use wiremock::matchers::{any, body_json, header, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const KEY: &str = "AIzaTestKey-1234567890";
const TOKEN: &str = "ya29.test-access-token";

fn api_client(server: &MockServer, timeout: Duration) -> GeminiClient {
    GeminiClient::new(
        Url::parse(&server.uri()).unwrap(),
        GeminiBackend::GeminiApi { key: KEY.into() },
        timeout,
    )
    .unwrap()
}

fn vertex_client(server: &MockServer, timeout: Duration) -> GeminiClient {
    GeminiClient::new(
        Url::parse(&server.uri()).unwrap(),
        GeminiBackend::Vertex {
            project: "miri-prod".into(),
            location: "global".into(),
            tokens: Arc::new(StaticToken::new(TOKEN)),
        },
        timeout,
    )
    .unwrap()
}

fn small_files() -> FileSettings {
    FileSettings {
        inline_limit: 16,
        chunk_size: 256 * 1024,
        poll_interval: Duration::from_millis(10),
        poll_limit: Duration::from_millis(300),
    }
}

fn text_reply(text: &str) -> Value {
    json!({
        "candidates": [{"content": {"role": "model", "parts": [{"text": text}]}, "finishReason": "STOP", "index": 0}],
        "usageMetadata": {"promptTokenCount": 5800, "candidatesTokenCount": 310, "thoughtsTokenCount": 900, "totalTokenCount": 7010},
        "modelVersion": "gemini-2.5-pro-002"
    })
}

fn hello(model: &str) -> GenerateRequest {
    GenerateRequest::new(
        model,
        vec![Turn::user(vec![Part::text("Segment this song.")])],
    )
}

#[tokio::test]
async fn generate_on_the_gemini_api_sends_the_documented_body_and_key() {
    let server = MockServer::start().await;
    let schema = json!({"type": "object", "properties": {"sections": {"type": "array"}}, "required": ["sections"]});
    let beats = json!({"type": "object", "properties": {"track_id": {"type": "string"}}});
    let mut request = GenerateRequest::new(
        "gemini-2.5-pro",
        vec![Turn::user(vec![
            Part::text("Segment this song."),
            Part::InlineData(Blob {
                mime_type: "audio/mp3".into(),
                data: BlobData::Bytes(b"ID3audio".to_vec()),
            }),
            Part::FileRef {
                mime_type: "audio/mpeg".into(),
                uri: "https://generativelanguage.googleapis.com/v1beta/files/abc".into(),
            },
        ])],
    );
    request.system = Some("You are a music video director.".into());
    request.response_schema = Some(schema.clone());
    request.tools = vec![ToolDeclaration {
        name: "get_beats".into(),
        description: "Beat grid".into(),
        parameters: beats.clone(),
    }];
    request.tool_choice = ToolChoice::Specific("get_beats".into());
    request.temperature = Some(0.5);
    request.max_output_tokens = Some(4096);

    let expected_body = json!({
        "systemInstruction": {"parts": [{"text": "You are a music video director."}]},
        "contents": [{"role": "user", "parts": [
            {"text": "Segment this song."},
            {"inlineData": {"mimeType": "audio/mp3", "data": "SUQzYXVkaW8="}},
            {"fileData": {"mimeType": "audio/mpeg", "fileUri": "https://generativelanguage.googleapis.com/v1beta/files/abc"}}
        ]}],
        "generationConfig": {"responseMimeType": "application/json", "responseJsonSchema": schema, "temperature": 0.5, "maxOutputTokens": 4096},
        "tools": [{"functionDeclarations": [{"name": "get_beats", "description": "Beat grid", "parametersJsonSchema": beats}]}],
        "toolConfig": {"functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": ["get_beats"]}}
    });
    Mock::given(method("POST"))
        .and(path("/v1beta/models/gemini-2.5-pro:generateContent"))
        .and(header("x-goog-api-key", KEY))
        .and(header("content-type", "application/json"))
        .and(body_json(&expected_body))
        .respond_with(ResponseTemplate::new(200).set_body_json(text_reply("{\"sections\":[]}")))
        .expect(1)
        .mount(&server)
        .await;

    let reply = api_client(&server, Duration::from_secs(5))
        .generate(&request)
        .await
        .unwrap();

    assert_eq!(
        reply,
        Reply {
            parts: vec![Part::text("{\"sections\":[]}")],
            finish: FinishReason::Stop,
            usage: Usage {
                input_tokens: 5800,
                output_tokens: 310,
                thinking_tokens: 900
            },
            model_version: Some("gemini-2.5-pro-002".into()),
        }
    );
    assert_eq!(reply.json().unwrap(), json!({"sections": []}));
    let sent = &server.received_requests().await.unwrap()[0];
    assert!(sent.headers.get("authorization").is_none());
}

#[tokio::test]
async fn generate_on_vertex_uses_the_project_path_and_a_bearer_token() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(
            "/v1/projects/miri-prod/locations/global/publishers/google/models/gemini-3-pro-preview:generateContent",
        ))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .and(body_json(json!({"contents": [{"role": "user", "parts": [{"text": "Segment this song."}]}]})))
        .respond_with(ResponseTemplate::new(200).set_body_json(text_reply("ok")))
        .expect(1)
        .mount(&server)
        .await;

    let reply = vertex_client(&server, Duration::from_secs(5))
        .generate(&hello("models/gemini-3-pro-preview"))
        .await
        .unwrap();

    assert_eq!(reply.text(), "ok");
    let sent = &server.received_requests().await.unwrap()[0];
    assert!(sent.headers.get("x-goog-api-key").is_none());
}

#[tokio::test]
async fn a_function_call_turn_goes_back_verbatim_with_its_thought_signatures() {
    let server = MockServer::start().await;
    let model_turn = json!({"role": "model", "parts": [
        {"text": "Looking at the beats.", "thoughtSignature": "sig-text"},
        {"functionCall": {"id": "call-1", "name": "get_beats", "args": {"track_id": "t-9"}}, "thoughtSignature": "sig-call"}
    ]});
    Mock::given(method("POST"))
        .and(body_json(
            json!({"contents": [{"role": "user", "parts": [{"text": "Segment this song."}]}]}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "candidates": [{"content": model_turn, "finishReason": "STOP"}],
            "usageMetadata": {"promptTokenCount": 10, "candidatesTokenCount": 5}
        })))
        .expect(1)
        .mount(&server)
        .await;
    let client = api_client(&server, Duration::from_secs(5));
    let first = hello("gemini-3.1-pro-preview");
    let reply = client.generate(&first).await.unwrap();

    assert_eq!(reply.finish, FinishReason::ToolUse);
    let calls: Vec<&FunctionCall> = reply.function_calls().collect();
    assert_eq!(
        calls,
        vec![&FunctionCall {
            id: Some("call-1".into()),
            name: "get_beats".into(),
            args: json!({"track_id": "t-9"}),
            signature: Some(ThoughtSignature("sig-call".into())),
        }]
    );

    let mut second = first.clone();
    second.turns.push(reply.into_turn());
    second
        .turns
        .push(Turn::user(vec![Part::FunctionResponse(FunctionResponse {
            id: Some("call-1".into()),
            name: "get_beats".into(),
            response: json!({"output": {"bpm": 120}}),
        })]));
    Mock::given(method("POST"))
        .and(body_json(json!({"contents": [
            {"role": "user", "parts": [{"text": "Segment this song."}]},
            model_turn,
            {"role": "user", "parts": [{"functionResponse": {"id": "call-1", "name": "get_beats", "response": {"output": {"bpm": 120}}}}]}
        ]})))
        .respond_with(ResponseTemplate::new(200).set_body_json(text_reply("done")))
        .expect(1)
        .mount(&server)
        .await;

    assert_eq!(client.generate(&second).await.unwrap().text(), "done");
}

#[tokio::test]
async fn snake_case_answers_are_accepted() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "candidates": [{"content": {"role": "model", "parts": [
                {"inline_data": {"mime_type": "image/png", "data": "iVBORw=="}},
                {"function_call": {"name": "get_beats", "args": {}}, "thought_signature": "sig"}
            ]}, "finish_reason": "STOP"}],
            "usage_metadata": {"prompt_token_count": 3, "candidates_token_count": 4, "thoughts_token_count": 5},
            "model_version": "gemini-2.5-flash"
        })))
        .mount(&server)
        .await;

    let reply = api_client(&server, Duration::from_secs(5))
        .generate(&hello("gemini-2.5-flash"))
        .await
        .unwrap();

    assert_eq!(
        reply,
        Reply {
            parts: vec![
                Part::InlineData(Blob {
                    mime_type: "image/png".into(),
                    data: BlobData::Base64("iVBORw==".into())
                }),
                Part::FunctionCall(FunctionCall {
                    id: None,
                    name: "get_beats".into(),
                    args: json!({}),
                    signature: Some(ThoughtSignature("sig".into())),
                }),
            ],
            finish: FinishReason::ToolUse,
            usage: Usage {
                input_tokens: 3,
                output_tokens: 4,
                thinking_tokens: 5
            },
            model_version: Some("gemini-2.5-flash".into()),
        }
    );
}

#[tokio::test]
async fn a_blocked_prompt_is_a_typed_error_naming_the_reason() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "promptFeedback": {"blockReason": "PROHIBITED_CONTENT", "blockReasonMessage": "The prompt was blocked."},
            "usageMetadata": {"promptTokenCount": 12}
        })))
        .mount(&server)
        .await;

    let err = api_client(&server, Duration::from_secs(5))
        .generate(&hello("gemini-2.5-pro"))
        .await
        .unwrap_err();

    assert_eq!(
        err,
        GenerateError::Blocked {
            reason: BlockReason::ProhibitedContent,
            message: Some("The prompt was blocked.".into())
        }
    );
    assert!(err.to_string().contains("prohibited content"), "{err}");
}

#[tokio::test]
async fn stopped_answers_keep_their_finish_reason() {
    for (raw, expected) in [
        ("MAX_TOKENS", FinishReason::MaxTokens),
        ("SAFETY", FinishReason::Safety("SAFETY".into())),
        ("RECITATION", FinishReason::Recitation),
        (
            "MALFORMED_FUNCTION_CALL",
            FinishReason::ToolCallFailed("MALFORMED_FUNCTION_CALL".into()),
        ),
        ("LANGUAGE", FinishReason::Other("LANGUAGE".into())),
    ] {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"candidates": [{"finishReason": raw}]})),
            )
            .mount(&server)
            .await;
        let reply = api_client(&server, Duration::from_secs(5))
            .generate(&hello("gemini-2.5-pro"))
            .await
            .unwrap();
        assert_eq!(reply.finish, expected, "{raw}");
        assert!(reply.parts.is_empty());
    }
}

#[tokio::test]
async fn an_answer_with_neither_candidates_nor_block_reason_is_malformed() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .mount(&server)
        .await;
    let err = api_client(&server, Duration::from_secs(5))
        .generate(&hello("gemini-2.5-pro"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, GenerateError::Provider(ProviderError::Malformed(m)) if m.contains("no candidates")),
        "{err:?}"
    );
}

// ---- Files API ----

#[tokio::test]
async fn upload_starts_a_session_and_sends_keyless_chunks_to_it() {
    let server = MockServer::start().await;
    let data = Bytes::from(vec![7u8; 300 * 1024]);
    let session = format!("{}/upload/v1beta/files?upload_id=session-1", server.uri());
    Mock::given(method("POST"))
        .and(path("/upload/v1beta/files"))
        .and(header("x-goog-api-key", KEY))
        .and(header("x-goog-upload-protocol", "resumable"))
        .and(header("x-goog-upload-command", "start"))
        .and(header("x-goog-upload-header-content-length", "307200"))
        .and(header("x-goog-upload-header-content-type", "audio/mpeg"))
        .and(header("content-type", "application/json"))
        .and(body_json(json!({"file": {"display_name": "song-123"}})))
        .respond_with(
            ResponseTemplate::new(200).insert_header("x-goog-upload-url", session.as_str()),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/upload/v1beta/files"))
        .and(header("x-goog-upload-command", "upload"))
        .and(header("x-goog-upload-offset", "0"))
        .respond_with(ResponseTemplate::new(200).insert_header("x-goog-upload-status", "active"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/upload/v1beta/files"))
        // wiremock's header matcher splits on commas; this value is one token list, compared whole.
        .and(|request: &Request| {
            request.headers.get("x-goog-upload-command").map(|v| v.as_bytes())
                == Some(b"upload, finalize".as_slice())
        })
        .and(header("x-goog-upload-offset", "262144"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("x-goog-upload-status", "final")
                .set_body_json(json!({"file": {
                    "name": "files/abc", "uri": "https://generativelanguage.googleapis.com/v1beta/files/abc",
                    "mimeType": "audio/mpeg", "sizeBytes": "307200", "state": "PROCESSING"
                }})),
        )
        .expect(1)
        .mount(&server)
        .await;

    let file = api_client(&server, Duration::from_secs(5))
        .with_file_settings(small_files())
        .upload_file("audio/mpeg", data.clone(), "song-123")
        .await
        .unwrap();

    assert_eq!(file.name, "files/abc");
    assert_eq!(
        file.uri,
        "https://generativelanguage.googleapis.com/v1beta/files/abc"
    );
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 3);
    let mut sent = Vec::new();
    for chunk in &requests[1..] {
        assert_eq!(chunk.url.query(), Some("upload_id=session-1"));
        assert!(
            chunk.headers.get("x-goog-api-key").is_none(),
            "an upload chunk carried the API key"
        );
        assert_eq!(
            chunk
                .headers
                .get("content-length")
                .unwrap()
                .to_str()
                .unwrap(),
            chunk.body.len().to_string()
        );
        sent.extend_from_slice(&chunk.body);
    }
    assert_eq!(requests[1].body.len(), 262144);
    assert_eq!(sent, data.to_vec());
}

#[tokio::test]
async fn an_upload_session_on_another_origin_is_refused() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).insert_header(
            "x-goog-upload-url",
            "https://elsewhere.example/upload?upload_id=x",
        ))
        .expect(1)
        .mount(&server)
        .await;
    let err = api_client(&server, Duration::from_secs(5))
        .upload_file("audio/mpeg", Bytes::from_static(b"abc"), "song")
        .await
        .unwrap_err();
    assert!(
        matches!(&err, FileError::Provider(ProviderError::Malformed(m)) if m.contains("refusing")),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_chunk_answer_without_the_upload_status_is_malformed() {
    let server = MockServer::start().await;
    let session = format!("{}/session", server.uri());
    Mock::given(path("/upload/v1beta/files"))
        .respond_with(
            ResponseTemplate::new(200).insert_header("x-goog-upload-url", session.as_str()),
        )
        .mount(&server)
        .await;
    Mock::given(path("/session"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"file": {"name": "files/a", "uri": "u"}})),
        )
        .mount(&server)
        .await;
    let err = api_client(&server, Duration::from_secs(5))
        .upload_file("audio/mpeg", Bytes::from_static(b"abc"), "song")
        .await
        .unwrap_err();
    assert!(
        matches!(&err, FileError::Provider(ProviderError::Malformed(m)) if m.contains("X-Goog-Upload-Status")),
        "{err:?}"
    );
}

#[tokio::test]
async fn waiting_polls_until_active_and_delete_removes_the_file() {
    let server = MockServer::start().await;
    let file = |state: &str| json!({"name": "files/abc", "uri": "https://g/v1beta/files/abc", "mimeType": "audio/mpeg", "state": state});
    Mock::given(method("GET"))
        .and(path("/v1beta/files/abc"))
        .and(header("x-goog-api-key", KEY))
        .respond_with(ResponseTemplate::new(200).set_body_json(file("PROCESSING")))
        .up_to_n_times(2)
        .expect(2)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1beta/files/abc"))
        .respond_with(ResponseTemplate::new(200).set_body_json(file("ACTIVE")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/v1beta/files/abc"))
        .and(header("x-goog-api-key", KEY))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .expect(1)
        .mount(&server)
        .await;
    let client = api_client(&server, Duration::from_secs(5)).with_file_settings(small_files());

    let active = client.wait_until_active("files/abc").await.unwrap();
    client.delete_file("files/abc").await.unwrap();

    assert_eq!(active.uri, "https://g/v1beta/files/abc");
}

#[tokio::test]
async fn a_failed_or_stuck_file_is_a_typed_error() {
    let server = MockServer::start().await;
    Mock::given(path("/v1beta/files/bad"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"name": "files/bad", "uri": "u", "state": "FAILED"})),
        )
        .mount(&server)
        .await;
    Mock::given(path("/v1beta/files/slow"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"name": "files/slow", "uri": "u", "state": "PROCESSING"})),
        )
        .mount(&server)
        .await;
    let client = api_client(&server, Duration::from_secs(5)).with_file_settings(small_files());

    assert_eq!(
        client.wait_until_active("files/bad").await.unwrap_err(),
        FileError::Failed {
            name: "files/bad".into()
        }
    );
    let err = client.wait_until_active("files/slow").await.unwrap_err();
    assert!(
        matches!(err, FileError::StillProcessing { ref name, .. } if name == "files/slow"),
        "{err:?}"
    );
    assert!(
        matches!(
            client.file("../models").await,
            Err(FileError::Provider(ProviderError::Malformed(_)))
        ),
        "a name outside files/ must not become a path"
    );
}

#[tokio::test]
async fn media_goes_inline_when_small_and_through_the_files_api_when_large() {
    let server = MockServer::start().await;
    let session = format!("{}/session", server.uri());
    Mock::given(path("/upload/v1beta/files"))
        .respond_with(
            ResponseTemplate::new(200).insert_header("x-goog-upload-url", session.as_str()),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/session"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("x-goog-upload-status", "final")
                .set_body_json(json!({"file": {"name": "files/big", "uri": "https://g/files/big", "state": "PROCESSING"}})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/v1beta/files/big"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"name": "files/big", "uri": "https://g/files/big", "state": "ACTIVE"}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let client = api_client(&server, Duration::from_secs(5)).with_file_settings(small_files());

    let small = client
        .media_part("audio/wav", Bytes::from_static(b"tiny"), "s")
        .await
        .unwrap();
    assert_eq!(
        small,
        Part::InlineData(Blob {
            mime_type: "audio/wav".into(),
            data: BlobData::Bytes(b"tiny".to_vec())
        })
    );
    let large = client
        .media_part("audio/wav", Bytes::from(vec![1u8; 64]), "song")
        .await
        .unwrap();
    assert_eq!(
        large,
        Part::FileRef {
            mime_type: "audio/wav".into(),
            uri: "https://g/files/big".into()
        }
    );
}

#[tokio::test]
async fn vertex_has_no_files_api() {
    let server = MockServer::start().await;
    let client = vertex_client(&server, Duration::from_secs(5)).with_file_settings(small_files());
    assert_eq!(
        client
            .media_part("audio/wav", Bytes::from(vec![1u8; 64]), "song")
            .await
            .unwrap_err(),
        FileError::NoFilesApi
    );
    assert_eq!(
        client.delete_file("files/a").await.unwrap_err(),
        FileError::NoFilesApi
    );
    assert!(server.received_requests().await.unwrap().is_empty());
}

// ---- embeddings ----

#[tokio::test]
async fn embeddings_on_the_gemini_api_batch_and_normalise_truncated_vectors() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1beta/models/gemini-embedding-001:batchEmbedContents"))
        .and(header("x-goog-api-key", KEY))
        .and(body_json(json!({"requests": [
            {"model": "models/gemini-embedding-001", "content": {"parts": [{"text": "rooftop at dusk"}]}, "taskType": "RETRIEVAL_DOCUMENT", "outputDimensionality": 2},
            {"model": "models/gemini-embedding-001", "content": {"parts": [{"text": "neon alley"}]}, "taskType": "RETRIEVAL_DOCUMENT", "outputDimensionality": 2}
        ]})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"embeddings": [{"values": [3.0, 4.0]}, {"values": [0.0, -2.0]}]})))
        .expect(1)
        .mount(&server)
        .await;

    let vectors = api_client(&server, Duration::from_secs(5))
        .embed(&EmbedRequest {
            model: "gemini-embedding-001".into(),
            texts: vec!["rooftop at dusk".into(), "neon alley".into()],
            task: TaskType::RetrievalDocument,
            dimensions: Some(2),
        })
        .await
        .unwrap();

    assert_eq!(vectors, vec![vec![0.6, 0.8], vec![0.0, -1.0]]);
}

#[tokio::test]
async fn embeddings_on_vertex_use_predict_and_keep_full_size_vectors_as_they_come() {
    let server = MockServer::start().await;
    for (text, values) in [("a", json!([3.0, 4.0])), ("b", json!([1.0, 1.0]))] {
        Mock::given(method("POST"))
            .and(path(
                "/v1/projects/miri-prod/locations/global/publishers/google/models/gemini-embedding-001:predict",
            ))
            .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
            .and(body_json(json!({"instances": [{"content": text, "task_type": "RETRIEVAL_QUERY"}], "parameters": {"autoTruncate": true}})))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"predictions": [
                {"embeddings": {"values": values, "statistics": {"token_count": 1, "truncated": false}}}
            ]})))
            .expect(1)
            .mount(&server)
            .await;
    }

    let vectors = vertex_client(&server, Duration::from_secs(5))
        .embed(&EmbedRequest {
            model: "gemini-embedding-001".into(),
            texts: vec!["a".into(), "b".into()],
            task: TaskType::RetrievalQuery,
            dimensions: None,
        })
        .await
        .unwrap();

    assert_eq!(vectors, vec![vec![3.0, 4.0], vec![1.0, 1.0]]);
}

#[tokio::test]
async fn fewer_vectors_than_texts_is_malformed() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"embeddings": [{"values": [1.0]}]})),
        )
        .mount(&server)
        .await;
    let err = api_client(&server, Duration::from_secs(5))
        .embed(&EmbedRequest {
            model: "gemini-embedding-001".into(),
            texts: vec!["a".into(), "b".into()],
            task: TaskType::Clustering,
            dimensions: None,
        })
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ProviderError::Malformed(m) if m.contains("1 vectors for 2 texts")),
        "{err:?}"
    );
}

// ---- failures, for every operation family ----

/// Runs `op` against a server answering each kind of failure and checks the classification, and
/// that no error shows the key. `decodes` says whether `op` reads a JSON body.
async fn assert_failures(
    backend_client: fn(&MockServer, Duration) -> GeminiClient,
    op: impl AsyncFn(&GeminiClient) -> Result<(), ProviderError>,
    decodes: bool,
) {
    let google_error = |code: u16, status: &str, message: &str| {
        ResponseTemplate::new(code)
            .set_body_json(json!({"error": {"code": code, "message": message, "status": status}}))
    };
    let mut cases = vec![
        (
            google_error(
                400,
                "INVALID_ARGUMENT",
                "Request contains an invalid argument.",
            ),
            Duration::from_secs(5),
            ProviderError::Rejected {
                status: 400,
                message: "Request contains an invalid argument. (INVALID_ARGUMENT)".into(),
            },
        ),
        (
            google_error(429, "RESOURCE_EXHAUSTED", "Quota exceeded.")
                .insert_header("retry-after", "17"),
            Duration::from_secs(5),
            ProviderError::RateLimited {
                retry_after: Some(Duration::from_secs(17)),
            },
        ),
        (
            google_error(503, "UNAVAILABLE", "The model is overloaded."),
            Duration::from_secs(5),
            ProviderError::Unavailable {
                status: 503,
                message: "The model is overloaded. (UNAVAILABLE)".into(),
            },
        ),
        (
            ResponseTemplate::new(200).set_delay(Duration::from_secs(3)),
            Duration::from_millis(200),
            ProviderError::Timeout,
        ),
    ];
    if decodes {
        cases.push((
            ResponseTemplate::new(200)
                .insert_header("x-goog-upload-status", "final")
                .set_body_string("<html>not json</html>"),
            Duration::from_secs(5),
            ProviderError::Malformed(String::new()),
        ));
    }
    for (response, timeout, expected) in cases {
        let server = MockServer::start().await;
        // A malformed answer carries an upload session too, so uploads fail on the final body.
        let session = format!("{}/session", server.uri());
        let response = match expected {
            ProviderError::Malformed(_) => {
                response.insert_header("x-goog-upload-url", session.as_str())
            }
            _ => response,
        };
        Mock::given(any())
            .respond_with(response)
            .mount(&server)
            .await;
        let client = backend_client(&server, timeout).with_file_settings(small_files());
        let err = op(&client).await.expect_err("the failure must surface");
        match (&err, &expected) {
            (ProviderError::Malformed(reason), ProviderError::Malformed(_)) => {
                assert!(reason.contains("<html>not json"), "{reason}")
            }
            _ => assert_eq!(err, expected),
        }
        assert_eq!(err.is_retryable(), expected.is_retryable());
        assert!(!err.to_string().contains(KEY) && !err.to_string().contains(TOKEN));
    }
}

fn provider(err: GenerateError<ProviderError>) -> ProviderError {
    match err {
        GenerateError::Provider(err) => err,
        other => panic!("expected a provider error, got {other:?}"),
    }
}

fn file_provider(err: FileError) -> ProviderError {
    match err {
        FileError::Provider(err) => err,
        other => panic!("expected a provider error, got {other:?}"),
    }
}

fn embed_request() -> EmbedRequest {
    EmbedRequest {
        model: "gemini-embedding-001".into(),
        texts: vec!["a".into()],
        task: TaskType::SemanticSimilarity,
        dimensions: Some(768),
    }
}

#[tokio::test]
async fn generate_failures_are_classified_on_both_backends() {
    for backend in [api_client, vertex_client] {
        assert_failures(
            backend,
            async |c| {
                c.generate(&hello("gemini-2.5-pro"))
                    .await
                    .map(drop)
                    .map_err(provider)
            },
            true,
        )
        .await;
    }
}

#[tokio::test]
async fn embed_failures_are_classified_on_both_backends() {
    for backend in [api_client, vertex_client] {
        assert_failures(
            backend,
            async |c| c.embed(&embed_request()).await.map(drop),
            true,
        )
        .await;
    }
}

#[tokio::test]
async fn files_api_failures_are_classified() {
    assert_failures(
        api_client,
        async |c| {
            c.upload_file("audio/mpeg", Bytes::from_static(b"abc"), "song")
                .await
                .map(drop)
                .map_err(file_provider)
        },
        true,
    )
    .await;
    assert_failures(
        api_client,
        async |c| c.file("files/abc").await.map(drop).map_err(file_provider),
        true,
    )
    .await;
    assert_failures(
        api_client,
        async |c| c.delete_file("files/abc").await.map_err(file_provider),
        false,
    )
    .await;
}

#[tokio::test]
async fn the_key_and_token_never_show_in_debug_or_transport_errors() {
    let server = MockServer::start().await;
    let api = api_client(&server, Duration::from_secs(5));
    let vertex = vertex_client(&server, Duration::from_secs(5));
    for debug in [format!("{api:?}"), format!("{vertex:?}")] {
        assert!(!debug.contains(KEY) && !debug.contains(TOKEN), "{debug}");
        assert!(debug.contains("redacted"), "{debug}");
    }
    assert!(!format!("{:?}", StaticToken::new(TOKEN)).contains(TOKEN));

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let closed = GeminiClient::new(
        Url::parse(&format!("http://127.0.0.1:{port}")).unwrap(),
        GeminiBackend::GeminiApi { key: KEY.into() },
        Duration::from_secs(5),
    )
    .unwrap();
    let err = provider(closed.generate(&hello("gemini-2.5-pro")).await.unwrap_err());
    assert!(matches!(err, ProviderError::Transport(_)), "{err:?}");
    assert!(!err.to_string().contains(KEY), "{err}");
}

#[test]
fn bad_configuration_is_refused() {
    let base = Url::parse("https://generativelanguage.googleapis.com").unwrap();
    let key = |k: &str| GeminiBackend::GeminiApi { key: k.into() };
    assert!(GeminiClient::new(base.clone(), key(""), Duration::from_secs(1)).is_err());
    assert!(GeminiClient::new(base.clone(), key("ab\ncd"), Duration::from_secs(1)).is_err());
    assert!(
        GeminiClient::new(
            Url::parse("mailto:x@y").unwrap(),
            key(KEY),
            Duration::from_secs(1)
        )
        .is_err()
    );
    let err = GeminiClient::new(base, key("ab\ncd"), Duration::from_secs(1)).unwrap_err();
    assert!(!err.to_string().contains("ab\ncd"));
}
