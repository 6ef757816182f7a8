//! Miri's own provider clients against the simulator, on loopback: the point of the simulator is
//! that the same HTTP contracts hold there as at the providers, so `GeminiClient`, `ClaudeClient`,
//! `VectorSearchClient` and `FalClient` are driven unmodified and their answers checked by the
//! tests' own schema checker. Faults injected with `POST /_sim/faults` must come out of every
//! client as the `ProviderError` a real outage would give.

mod common;

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use common::RunningSim;
use common::schema::assert_valid;
use miri_core::llm::{
    Datapoint, EmbedRequest, Embedder, FinishReason, FunctionResponse, GenerateError,
    GenerateRequest, LanguageModel, Part, Restrict, TaskType, ToolChoice, ToolDeclaration, Turn,
    VectorIndex,
};
use miri_providers::claude::ClaudeClient;
use miri_providers::error::ProviderError;
use miri_providers::fal::{FalClient, QueueStatus};
use miri_providers::gemini::{FileError, FileSettings, GeminiBackend, GeminiClient};
use miri_providers::vertex::{StaticToken, VectorSearchClient, VectorSearchConfig};
use serde_json::{Value, json};

const TIMEOUT: Duration = Duration::from_secs(20);

fn gemini(sim: &RunningSim) -> GeminiClient {
    GeminiClient::new(
        sim.base.clone(),
        GeminiBackend::GeminiApi {
            key: "sim-key".into(),
        },
        TIMEOUT,
    )
    .unwrap()
}

fn gemini_on_vertex(sim: &RunningSim) -> GeminiClient {
    GeminiClient::new(
        sim.base.clone(),
        GeminiBackend::Vertex {
            project: "miri-test".into(),
            location: "us-central1".into(),
            tokens: Arc::new(StaticToken::new("ya29.sim")),
        },
        TIMEOUT,
    )
    .unwrap()
}

fn claude(sim: &RunningSim) -> ClaudeClient {
    ClaudeClient::new(sim.base.clone(), "sim-key".into(), TIMEOUT, 1024).unwrap()
}

fn fal(sim: &RunningSim) -> FalClient {
    FalClient::new(sim.base.clone(), "sim-key".into(), TIMEOUT).unwrap()
}

fn vector_search(sim: &RunningSim) -> VectorSearchClient {
    let config = VectorSearchConfig {
        api_base: sim.base.clone(),
        query_base: sim.base.clone(),
        project: "miri-test".into(),
        location: "us-central1".into(),
        index_id: "shots".into(),
        index_endpoint_id: "shots-endpoint".into(),
        deployed_index_id: "shots_v1".into(),
        timeout: TIMEOUT,
    };
    VectorSearchClient::new(config, Arc::new(StaticToken::new("ya29.sim"))).unwrap()
}

fn sections_schema() -> Value {
    json!({
        "type": "object",
        "properties": {
            "sections": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "properties": {
                        "start_s": {"type": "number", "minimum": 0},
                        "label": {"type": "string", "enum": ["intro", "verse", "chorus", "bridge", "outro"]},
                        "energy": {"type": "integer", "minimum": 1, "maximum": 10}
                    },
                    "required": ["start_s", "label", "energy"],
                    "additionalProperties": false
                }
            },
            "title": {"type": "string", "minLength": 1}
        },
        "required": ["sections", "title"]
    })
}

fn beats_tool() -> ToolDeclaration {
    ToolDeclaration {
        name: "get_beats".into(),
        description: "The beat grid of a track".into(),
        parameters: json!({
            "type": "object",
            "properties": {
                "track_id": {"type": "string", "minLength": 1},
                "bars": {"type": "array", "items": {"type": "integer", "minimum": 1, "maximum": 64}, "minItems": 1}
            },
            "required": ["track_id", "bars"]
        }),
    }
}

fn scene_tool() -> ToolDeclaration {
    ToolDeclaration {
        name: "describe_scene".into(),
        description: "Describe one scene".into(),
        parameters: json!({"type": "object", "properties": {"scene": {"type": "string"}}, "required": ["scene"]}),
    }
}

fn ask(model: &str, text: &str) -> GenerateRequest {
    GenerateRequest::new(model, vec![Turn::user(vec![Part::text(text)])])
}

/// `seconds` of 16 kHz 16-bit mono WAV: a header and a quiet saw wave.
fn wav(seconds: u32) -> Vec<u8> {
    const RATE: u32 = 16_000;
    let data_len = seconds * RATE * 2;
    let mut out = Vec::with_capacity(44 + data_len as usize);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + data_len).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes()); // PCM
    out.extend_from_slice(&1u16.to_le_bytes()); // mono
    out.extend_from_slice(&RATE.to_le_bytes());
    out.extend_from_slice(&(RATE * 2).to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes());
    out.extend_from_slice(&16u16.to_le_bytes());
    out.extend_from_slice(b"data");
    out.extend_from_slice(&data_len.to_le_bytes());
    for i in 0..seconds * RATE {
        out.extend_from_slice(&(((i % 200) as i16 - 100) * 40).to_le_bytes());
    }
    out
}

fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[tokio::test]
async fn gemini_answers_in_the_requested_json_schema() {
    let sim = RunningSim::start().await;
    let schema = sections_schema();
    for client in [gemini(&sim), gemini_on_vertex(&sim)] {
        let mut request = ask(
            "gemini-2.5-flash",
            "Segment this song about rain on a rooftop into sections.",
        );
        request.system = Some("You are a music video director.".into());
        request.response_schema = Some(schema.clone());
        let reply = client.generate(&request).await.unwrap();
        assert_eq!(reply.finish, FinishReason::Stop, "{client:?}");
        assert_valid(&reply.json().expect("the reply is JSON"), &schema);
        assert!(reply.usage.input_tokens > 0 && reply.usage.output_tokens > 0);
    }
    sim.shut_down().await;
}

#[tokio::test]
async fn gemini_must_call_a_function_with_valid_args_and_gemini_3_takes_its_signed_turn_back() {
    let sim = RunningSim::start().await;
    let client = gemini(&sim);
    let mut request = ask("gemini-2.5-flash", "Find the beat grid of track seven.");
    request.tools = vec![scene_tool(), beats_tool()];
    request.tool_choice = ToolChoice::Any;
    let reply = client.generate(&request).await.unwrap();
    let calls: Vec<_> = reply.function_calls().collect();
    assert_eq!(calls.len(), 1, "{reply:?}");
    let tool = [scene_tool(), beats_tool()]
        .into_iter()
        .find(|tool| tool.name == calls[0].name)
        .expect("a declared function");
    assert_valid(&calls[0].args, &tool.parameters);

    request.tool_choice = ToolChoice::Specific("get_beats".into());
    let reply = client.generate(&request).await.unwrap();
    let call = reply.function_calls().next().expect("a function call");
    assert_eq!(call.name, "get_beats");
    assert_valid(&call.args, &beats_tool().parameters);

    // Gemini 3 signs its call; the client must send the model turn back with the signature.
    request.model = "gemini-3-flash-preview".into();
    let reply = client.generate(&request).await.unwrap();
    let call = reply
        .function_calls()
        .next()
        .expect("a function call")
        .clone();
    assert!(call.signature.is_some(), "Gemini 3 signs function calls");
    request.turns.push(reply.into_turn());
    request
        .turns
        .push(Turn::user(vec![Part::FunctionResponse(FunctionResponse {
            id: call.id.clone(),
            name: call.name.clone(),
            response: json!({"output": {"bpm": 92}}),
        })]));
    request.tool_choice = ToolChoice::None;
    let reply = client.generate(&request).await.unwrap();
    assert!(!reply.text().is_empty(), "{reply:?}");
    sim.shut_down().await;
}

#[tokio::test]
async fn gemini_reads_audio_uploaded_through_the_files_api() {
    let sim = RunningSim::start().await;
    // Everything goes through the Files API, in three 256 KiB chunks.
    let client = gemini(&sim).with_file_settings(FileSettings {
        inline_limit: 1,
        chunk_size: 256 * 1024,
        poll_interval: Duration::from_millis(20),
        poll_limit: Duration::from_secs(10),
    });
    let song = wav(20);
    assert!((512 * 1024..768 * 1024).contains(&song.len()));
    let part = client
        .media_part("audio/wav", Bytes::from(song), "song-123")
        .await
        .unwrap();
    let Part::FileRef { mime_type, uri } = &part else {
        panic!("expected a file reference, got {part:?}");
    };
    assert_eq!(mime_type, "audio/wav");
    assert!(uri.starts_with(sim.base.as_str()), "{uri}");

    let schema = sections_schema();
    let mut request = GenerateRequest::new(
        "gemini-2.5-pro",
        vec![Turn::user(vec![
            Part::text("Segment this song."),
            part.clone(),
        ])],
    );
    request.response_schema = Some(schema.clone());
    let reply = client.generate(&request).await.unwrap();
    assert_valid(&reply.json().unwrap(), &schema);
    assert!(
        reply.usage.input_tokens >= 20 * 32,
        "20 s of audio at 32 tokens a second, got {:?}",
        reply.usage
    );

    let name = format!("files/{}", uri.rsplit('/').next().unwrap());
    client.delete_file(&name).await.unwrap();
    let gone = client.file(&name).await.unwrap_err();
    assert!(
        matches!(
            gone,
            FileError::Provider(ProviderError::Rejected { status: 404, .. })
        ),
        "{gone:?}"
    );
    sim.shut_down().await;
}

#[tokio::test]
async fn embeddings_have_the_asked_dimension_and_put_similar_texts_near() {
    let sim = RunningSim::start().await;
    let texts = [
        "a singer in a red coat on a rooftop at dusk",
        "singer wearing a red coat on the rooftop at dusk",
        "quarterly tax forms stacked in an office drawer",
    ];
    for client in [gemini(&sim), gemini_on_vertex(&sim)] {
        let request = EmbedRequest {
            model: "gemini-embedding-001".into(),
            texts: texts.iter().map(|t| (*t).to_owned()).collect(),
            task: TaskType::SemanticSimilarity,
            dimensions: Some(768),
        };
        let vectors = client.embed(&request).await.unwrap();
        assert_eq!(vectors.len(), 3, "{client:?}");
        for vector in &vectors {
            assert_eq!(vector.len(), 768);
            assert!((dot(vector, vector) - 1.0).abs() < 1e-3);
        }
        let (near, far) = (dot(&vectors[0], &vectors[1]), dot(&vectors[0], &vectors[2]));
        assert!(near > far + 0.1, "near {near}, far {far}");
    }
    sim.shut_down().await;
}

#[tokio::test]
async fn claude_answers_json_through_the_forced_tool_and_calls_a_named_tool() {
    let sim = RunningSim::start().await;
    let client = claude(&sim);
    let schema = sections_schema();
    let mut request = ask(
        "claude-sonnet-4-6",
        "Plan the sections of a song about rain.",
    );
    request.system = Some("You write shot lists.".into());
    request.response_schema = Some(schema.clone());
    let reply = client.generate(&request).await.unwrap();
    assert_eq!(reply.finish, FinishReason::Stop);
    assert_valid(&reply.json().expect("the reply is JSON"), &schema);

    let mut request = ask("claude-haiku-4-5", "Get the beats of track seven.");
    request.tools = vec![scene_tool(), beats_tool()];
    request.tool_choice = ToolChoice::Specific("get_beats".into());
    let reply = client.generate(&request).await.unwrap();
    assert_eq!(reply.finish, FinishReason::ToolUse);
    let call = reply.function_calls().next().expect("a tool call");
    assert_eq!(call.name, "get_beats");
    assert!(
        call.id
            .as_deref()
            .is_some_and(|id| id.starts_with("toolu_"))
    );
    assert_valid(&call.args, &beats_tool().parameters);
    sim.shut_down().await;
}

#[tokio::test]
async fn vector_search_ranks_the_identical_vector_first_honours_restricts_and_removes() {
    let sim = RunningSim::start().await;
    let index = vector_search(&sim);
    let point = |id: &str, vector: Vec<f32>, project: &str| Datapoint {
        id: id.into(),
        vector,
        restricts: vec![Restrict::allow("project", &[project])],
    };
    let unit = |v: [f32; 4]| {
        let norm = dot(&v, &v).sqrt();
        v.map(|x| x / norm).to_vec()
    };
    let a = unit([1.0, 0.2, 0.0, 0.1]);
    index
        .upsert(&[
            point("shot-a", a.clone(), "p-7"),
            point("shot-b", unit([0.9, 0.4, 0.1, 0.0]), "p-7"),
            point("shot-c", unit([0.0, 0.1, 1.0, 0.3]), "p-7"),
            point("shot-d", unit([1.0, 0.2, 0.0, 0.12]), "p-8"),
        ])
        .await
        .unwrap();

    let all = index.find_neighbors(&a, 10, &[]).await.unwrap();
    let ids: Vec<&str> = all.iter().map(|n| n.id.as_str()).collect();
    assert_eq!(ids.len(), 4, "{all:?}");
    assert_eq!(ids[0], "shot-a", "{all:?}");
    assert_eq!(ids[3], "shot-c", "{all:?}");
    assert!(
        all.windows(2).all(|w| w[0].distance >= w[1].distance),
        "{all:?}"
    );

    let others = index
        .find_neighbors(&a, 10, &[Restrict::allow("project", &["p-8"])])
        .await
        .unwrap();
    assert_eq!(
        others.iter().map(|n| n.id.as_str()).collect::<Vec<_>>(),
        ["shot-d"]
    );
    let mine = index
        .find_neighbors(&a, 2, &[Restrict::allow("project", &["p-7"])])
        .await
        .unwrap();
    assert_eq!(
        mine.iter().map(|n| n.id.as_str()).collect::<Vec<_>>(),
        ["shot-a", "shot-b"]
    );

    index
        .remove(&["shot-a".into(), "never-there".into()])
        .await
        .unwrap();
    let after = index.find_neighbors(&a, 10, &[]).await.unwrap();
    assert!(after.iter().all(|n| n.id != "shot-a"), "{after:?}");
    assert_eq!(after.len(), 3);
    sim.shut_down().await;
}

#[tokio::test]
async fn fal_client_meets_injected_outages_and_rate_limits_then_finishes_a_still() {
    let sim = RunningSim::start().await;
    let client = fal(&sim);
    let input = json!({"prompt": "neon rooftop in hex #C4725A", "seed": 7});

    sim.set_faults(json!({"serverErrorRate": 1.0})).await;
    let err = client
        .submit("fal-ai/flux-2", &input, None)
        .await
        .unwrap_err();
    assert!(
        matches!(err, ProviderError::Unavailable { status: 503, .. }),
        "{err:?}"
    );
    assert!(err.is_retryable());

    sim.set_faults(json!({"rateLimitRate": 1.0, "retryAfterSecs": 7}))
        .await;
    let err = client
        .submit("fal-ai/flux-2", &input, None)
        .await
        .unwrap_err();
    assert_eq!(
        err,
        ProviderError::RateLimited {
            retry_after: Some(Duration::from_secs(7))
        }
    );
    assert!(err.is_retryable());

    sim.set_faults(json!({})).await;
    let submission = client.submit("fal-ai/flux-2", &input, None).await.unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while !matches!(
        client.status(&submission.status_url).await.unwrap(),
        QueueStatus::Completed
    ) {
        assert!(tokio::time::Instant::now() < deadline, "never completed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let output = client.result(&submission.response_url).await.unwrap();
    assert_eq!(output["seed"], 7);
    assert_eq!(output["images"][0]["width"], 1024);
    let err = client.cancel(&submission.cancel_url).await.unwrap_err();
    assert!(
        matches!(&err, ProviderError::Rejected { status: 400, message } if message.contains("ALREADY_COMPLETED")),
        "{err:?}"
    );

    // fal's validation list becomes a rejection naming the field.
    let kling = "fal-ai/kling-video/v3/standard/image-to-video";
    let bad = json!({"prompt": "p", "start_image_url": "https://a/s.png", "duration": 5});
    let err = client.submit(kling, &bad, None).await.unwrap_err();
    assert!(
        matches!(&err, ProviderError::Rejected { status: 422, message } if message.contains("body.duration")),
        "{err:?}"
    );
    assert!(!err.is_retryable());
    sim.shut_down().await;
}

#[tokio::test]
async fn gemini_claude_and_vector_search_classify_injected_faults_as_retryable() {
    let sim = RunningSim::start().await;
    let gemini = gemini(&sim);
    let claude = claude(&sim);
    let index = vector_search(&sim);
    let request = ask("gemini-2.5-flash", "a short line about rain");
    let embed = EmbedRequest {
        model: "gemini-embedding-001".into(),
        texts: vec!["rain".into()],
        task: TaskType::RetrievalDocument,
        dimensions: Some(8),
    };

    async fn errors(
        gemini: &GeminiClient,
        claude: &ClaudeClient,
        index: &VectorSearchClient,
        request: &GenerateRequest,
        embed: &EmbedRequest,
    ) -> Vec<ProviderError> {
        let provider = |result: Result<_, GenerateError<ProviderError>>| match result {
            Err(GenerateError::Provider(err)) => err,
            other => panic!("expected a provider error, got {other:?}"),
        };
        vec![
            provider(gemini.generate(request).await),
            gemini.embed(embed).await.unwrap_err(),
            provider(claude.generate(&ask("claude-haiku-4-5", "hi")).await),
            index.find_neighbors(&[1.0, 0.0], 1, &[]).await.unwrap_err(),
        ]
    }

    sim.set_faults(json!({"serverErrorRate": 1.0})).await;
    let found = errors(&gemini, &claude, &index, &request, &embed).await;
    let statuses: Vec<u16> = found
        .iter()
        .map(|err| match err {
            ProviderError::Unavailable { status, .. } => *status,
            other => panic!("expected Unavailable, got {other:?}"),
        })
        .collect();
    assert_eq!(statuses, [503, 503, 529, 503]);
    assert!(found.iter().all(ProviderError::is_retryable));

    sim.set_faults(json!({"rateLimitRate": 1.0, "retryAfterSecs": 3}))
        .await;
    for err in errors(&gemini, &claude, &index, &request, &embed).await {
        assert_eq!(
            err,
            ProviderError::RateLimited {
                retry_after: Some(Duration::from_secs(3))
            }
        );
    }
    sim.shut_down().await;
}

#[tokio::test]
async fn both_language_models_stop_at_max_output_tokens() {
    let sim = RunningSim::start().await;
    let prompt =
        "Describe a long rainy night on a rooftop, the harbour lights, the singer and the band.";
    let mut request = ask("gemini-2.5-flash", prompt);
    let full = gemini(&sim).generate(&request).await.unwrap();
    assert_eq!(full.finish, FinishReason::Stop);
    assert!(full.usage.output_tokens > 4, "{full:?}");

    request.max_output_tokens = Some(4);
    let cut = gemini(&sim).generate(&request).await.unwrap();
    assert_eq!(cut.finish, FinishReason::MaxTokens, "{cut:?}");
    assert!(cut.usage.output_tokens <= 4, "{cut:?}");
    assert!(!cut.text().is_empty() && cut.text().len() < full.text().len());

    request.model = "claude-haiku-4-5".into();
    let cut = claude(&sim).generate(&request).await.unwrap();
    assert_eq!(cut.finish, FinishReason::MaxTokens, "{cut:?}");
    assert!(cut.usage.output_tokens <= 4, "{cut:?}");
    sim.shut_down().await;
}
