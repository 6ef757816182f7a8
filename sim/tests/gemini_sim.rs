//! Gemini on the simulator over HTTP: structured answers that validate against the schema and
//! follow from the prompt, function calls, both front doors and google-genai's spellings,
//! streaming, usage, errors in Google's shape, the resumable Files API, and embeddings.

mod common;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use common::schema::{assert_valid, violations};
use common::{RunningSim, cosine, google_status};
use serde_json::{Value, json};

const GENERATE: &str = "/v1beta/models/gemini-2.5-pro:generateContent";

fn sections_schema() -> Value {
    json!({
        "type": "object",
        "properties": {
            "title": {"type": "string", "minLength": 3, "maxLength": 40},
            "mood": {"type": "string", "enum": ["calm", "tense", "euphoric"]},
            "bpm": {"type": "integer", "minimum": 60, "maximum": 180},
            "sections": {
                "type": "array", "minItems": 2, "maxItems": 5,
                "items": {
                    "type": "object",
                    "properties": {
                        "start_s": {"type": "number", "minimum": 0, "exclusiveMaximum": 240},
                        "label": {"type": "string"},
                        "loud": {"type": "boolean"},
                        "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 2}
                    },
                    "required": ["start_s", "label"],
                    "additionalProperties": false
                }
            }
        },
        "required": ["title", "mood", "bpm", "sections"]
    })
}

fn json_request(prompt: &str, schema: Value) -> Value {
    json!({
        "systemInstruction": {"role": "user", "parts": [{"text": "You are a music video director."}]},
        "contents": [{"role": "user", "parts": [{"text": prompt}]}],
        "generationConfig": {"responseMimeType": "application/json", "responseJsonSchema": schema}
    })
}

fn answer_text(body: &Value) -> &str {
    body["candidates"][0]["content"]["parts"][0]["text"]
        .as_str()
        .unwrap_or_else(|| panic!("no text in {body}"))
}

fn strings_in(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) => out.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|v| strings_in(v, out)),
        Value::Object(map) => map.values().for_each(|v| strings_in(v, out)),
        _ => {}
    }
}

#[tokio::test]
async fn json_schema_answers_validate_and_follow_from_the_prompt() {
    let sim = RunningSim::start().await;
    let prompt = "Segment this synthwave anthem about midnight highways and neon rain";
    let (status, body) = sim
        .gemini(GENERATE, &json_request(prompt, sections_schema()))
        .await;
    assert_eq!(status, 200, "{body}");
    let candidate = &body["candidates"][0];
    assert_eq!(candidate["content"]["role"], "model");
    assert_eq!(candidate["finishReason"], "STOP");
    assert_eq!(body["modelVersion"], "gemini-2.5-pro");
    assert!(body["responseId"].as_str().is_some_and(|id| !id.is_empty()));
    let usage = &body["usageMetadata"];
    let total = usage["promptTokenCount"].as_u64().unwrap()
        + usage["candidatesTokenCount"].as_u64().unwrap();
    assert_eq!(usage["totalTokenCount"].as_u64().unwrap(), total);

    let answer: Value = serde_json::from_str(answer_text(&body)).unwrap();
    assert_valid(&answer, &sections_schema());
    // Hand checks of the same schema, not through the checker.
    let bpm = answer["bpm"].as_i64().unwrap();
    assert!((60..=180).contains(&bpm));
    assert!(["calm", "tense", "euphoric"].contains(&answer["mood"].as_str().unwrap()));
    let sections = answer["sections"].as_array().unwrap();
    assert!((2..=5).contains(&sections.len()));
    let title_len = answer["title"].as_str().unwrap().chars().count();
    assert!((3..=40).contains(&title_len), "{answer}");

    // Every free string is made of the request's words.
    let known = format!("{prompt} You are a music video director.").to_lowercase();
    let mut strings = Vec::new();
    strings_in(&answer, &mut strings);
    for s in strings
        .iter()
        .filter(|s| !["calm", "tense", "euphoric"].contains(&s.as_str()))
    {
        for word in s.split(' ') {
            assert!(
                known.contains(word),
                "{word:?} of {s:?} is not from the prompt"
            );
        }
    }

    // Same prompt, same answer; another prompt, another answer.
    let (_, again) = sim
        .gemini(GENERATE, &json_request(prompt, sections_schema()))
        .await;
    assert_eq!(answer_text(&again), answer_text(&body));
    let (_, other) = sim
        .gemini(
            GENERATE,
            &json_request("A folk ballad about a lighthouse keeper", sections_schema()),
        )
        .await;
    assert_ne!(answer_text(&other), answer_text(&body));
    assert_valid(
        &serde_json::from_str(answer_text(&other)).unwrap(),
        &sections_schema(),
    );
    sim.shut_down().await;
}

#[tokio::test]
async fn many_prompts_and_tricky_schemas_all_validate() {
    let sim = RunningSim::start().await;
    let schemas = [
        sections_schema(),
        json!({"type": "array", "items": {"type": "string", "enum": ["a", "b", "c"]}, "minItems": 3, "maxItems": 3, "uniqueItems": true}),
        json!({"type": "object", "properties": {"n": {"type": ["integer", "null"], "exclusiveMinimum": 5, "maximum": 6}}, "required": ["n"]}),
        json!({"$defs": {"shot": {"type": "object", "properties": {"lens": {"type": "string", "maxLength": 4}, "next": {"$ref": "#/$defs/shot"}}, "required": ["lens"]}},
               "type": "object", "properties": {"first": {"$ref": "#/$defs/shot"}}, "required": ["first"]}),
        json!({"allOf": [{"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]},
                         {"properties": {"b": {"type": "number", "minimum": -1, "maximum": -0.5}}, "required": ["b"]}]}),
        json!({"anyOf": [{"type": "null"}, {"type": "object", "properties": {"x": {"const": 7}}, "required": ["x"]}]}),
        json!({"type": "string", "minLength": 200}),
    ];
    for (i, schema) in schemas.iter().enumerate() {
        for prompt in ["neon rooftop chase", "slow dolly through fog", "", "42"] {
            let (status, body) = sim
                .gemini(GENERATE, &json_request(prompt, schema.clone()))
                .await;
            assert_eq!(status, 200, "schema {i}: {body}");
            let answer: Value = serde_json::from_str(answer_text(&body)).unwrap();
            assert!(
                violations(&answer, schema).is_empty(),
                "schema {i}, prompt {prompt:?}: {answer} {:?}",
                violations(&answer, schema)
            );
        }
    }
    sim.shut_down().await;
}

#[tokio::test]
async fn openapi_response_schema_in_snake_case_on_v1_and_vertex() {
    let sim = RunningSim::start().await;
    let schema = json!({
        "type": "OBJECT",
        "properties": {
            "shots": {"type": "ARRAY", "min_items": "2", "max_items": "2", "items": {
                "type": "OBJECT",
                "properties": {"camera": {"type": "STRING", "enum": ["wide", "close"]}, "seconds": {"type": "NUMBER", "minimum": 1, "maximum": 4}},
                "required": ["camera", "seconds"], "property_ordering": ["seconds", "camera"]}},
            "lyric": {"type": "STRING"},
            "count": {"type": "INTEGER", "maximum": 3}
        },
        "required": ["shots", "lyric", "count"],
        "propertyOrdering": ["shots", "lyric", "count"]
    });
    // google-genai's spelling: snake_case nested fields, /v1/ path.
    let request = json!({
        "contents": [{"role": "user", "parts": [{"text": "Plan two shots for the chorus"}]}],
        "generation_config": {"response_mime_type": "application/json", "response_schema": schema}
    });
    for (status, body) in [
        sim.gemini("/v1/models/gemini-2.5-flash:generateContent", &request).await,
        sim.vertex("/v1/projects/p-1/locations/global/publishers/google/models/gemini-2.5-flash:generateContent", &request).await,
    ] {
        assert_eq!(status, 200, "{body}");
        let text = answer_text(&body);
        assert!(text.starts_with("{\"shots\":[{\"seconds\":"), "propertyOrdering not honoured: {text}");
        let answer: Value = serde_json::from_str(text).unwrap();
        let shots = answer["shots"].as_array().unwrap();
        assert_eq!(shots.len(), 2);
        for shot in shots {
            assert!(["wide", "close"].contains(&shot["camera"].as_str().unwrap()));
            let s = shot["seconds"].as_f64().unwrap();
            assert!((1.0..=4.0).contains(&s));
        }
        assert!(answer["count"].as_i64().unwrap() <= 3);
        assert!(answer["lyric"].is_string());
        assert_eq!(body["modelVersion"], "gemini-2.5-flash");
    }
    sim.shut_down().await;
}

#[tokio::test]
async fn function_calls_satisfy_the_declaration() {
    let sim = RunningSim::start().await;
    let parameters = json!({"type": "object", "properties": {
        "track_id": {"type": "string", "minLength": 1},
        "bars": {"type": "array", "items": {"type": "integer", "minimum": 1, "maximum": 64}, "minItems": 1}
    }, "required": ["track_id", "bars"]});
    let request = json!({
        "contents": [{"role": "user", "parts": [{"text": "Find the beat grid of track seven"}]}],
        "tools": [{"functionDeclarations": [
            {"name": "describe_scene", "parameters": {"type": "OBJECT", "properties": {"scene": {"type": "STRING"}}}},
            {"name": "get_beats", "description": "Beat grid", "parameters_json_schema": parameters}
        ]}],
        "toolConfig": {"functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": ["get_beats"]}}
    });
    let (status, body) = sim.gemini(GENERATE, &request).await;
    assert_eq!(status, 200, "{body}");
    let call = &body["candidates"][0]["content"]["parts"][0]["functionCall"];
    assert_eq!(call["name"], "get_beats", "{body}");
    assert_valid(&call["args"], &parameters);

    // AUTO calls a function only when the prompt names it, and not after its response.
    let mut auto = request.clone();
    auto["toolConfig"]["functionCallingConfig"] = json!({"mode": "AUTO"});
    auto["contents"][0]["parts"][0]["text"] = json!("Please describe scene three");
    let (_, body) = sim.gemini(GENERATE, &auto).await;
    let call = &body["candidates"][0]["content"]["parts"][0]["functionCall"];
    assert_eq!(call["name"], "describe_scene", "{body}");
    assert!(call["args"]["scene"].is_string());
    auto["contents"][0]["parts"][0]["text"] = json!("Write a haiku");
    let (_, body) = sim.gemini(GENERATE, &auto).await;
    assert!(answer_text(&body).len() > 3);
    sim.shut_down().await;
}

#[tokio::test]
async fn prose_streaming_auth_and_malformed_requests() {
    let sim = RunningSim::start().await;
    let request =
        json!({"contents": [{"parts": [{"text": "Describe a storm over the harbour at night"}]}]});
    let (status, body) = sim.gemini(GENERATE, &request).await;
    assert_eq!(status, 200);
    let prose = answer_text(&body).to_lowercase();
    assert!(
        ["storm", "harbour", "night", "describe", "over"]
            .iter()
            .any(|w| prose.contains(w)),
        "{prose}"
    );

    // Streaming: data events whose texts join into the unstreamed answer.
    let streamed = sim
        .http
        .post(sim.url("/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse"))
        .header("x-goog-api-key", "k")
        .json(&request)
        .send()
        .await
        .unwrap();
    assert_eq!(streamed.status(), 200);
    assert_eq!(streamed.headers()["content-type"], "text/event-stream");
    let text = streamed.text().await.unwrap();
    let events: Vec<Value> = text
        .split("\r\n\r\n")
        .filter(|e| !e.trim().is_empty())
        .map(|e| serde_json::from_str(e.strip_prefix("data: ").expect("a data event")).unwrap())
        .collect();
    assert!(!events.is_empty() && events.len() <= 3);
    let joined: String = events.iter().map(|e| answer_text(e).to_owned()).collect();
    assert_eq!(joined.to_lowercase(), prose);
    assert_eq!(
        events.last().unwrap()["candidates"][0]["finishReason"],
        "STOP"
    );

    // No credential: Gemini API 403, Vertex 401, both in Google's shape.
    let bare = sim
        .http
        .post(sim.url(GENERATE))
        .json(&request)
        .send()
        .await
        .unwrap();
    assert_eq!(bare.status(), 403);
    assert_eq!(
        google_status(&bare.json().await.unwrap(), 403),
        "PERMISSION_DENIED"
    );
    let bare = sim
        .http
        .post(sim.url("/v1/projects/p/locations/us-central1/publishers/google/models/gemini-2.5-pro:generateContent"))
        .json(&request)
        .send()
        .await
        .unwrap();
    assert_eq!(bare.status(), 401);
    assert_eq!(
        google_status(&bare.json().await.unwrap(), 401),
        "UNAUTHENTICATED"
    );
    // A key in the query string is accepted too.
    let keyed = sim
        .http
        .post(sim.url(&format!("{GENERATE}?key=k")))
        .json(&request)
        .send()
        .await
        .unwrap();
    assert_eq!(keyed.status(), 200);

    let broken = sim
        .http
        .post(sim.url(GENERATE))
        .header("x-goog-api-key", "k")
        .body("{\"contents\": [")
        .send()
        .await
        .unwrap();
    assert_eq!(broken.status(), 400);
    let body: Value = broken.json().await.unwrap();
    assert_eq!(google_status(&body, 400), "INVALID_ARGUMENT");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Invalid JSON payload"),
        "{body}"
    );
    let (status, body) = sim.gemini(GENERATE, &json!({"contents": []})).await;
    assert_eq!(status, 400);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("contents")
    );
    let (status, _) = sim
        .gemini("/v1beta/models/gemini-2.5-pro:frobnicate", &request)
        .await;
    assert_eq!(status, 404);
    sim.shut_down().await;
}

/// A WAV of `seconds` of silence at 16 kHz mono 16-bit.
fn wav(seconds: u32) -> Vec<u8> {
    let data_len = 16_000 * 2 * seconds;
    let mut out = Vec::new();
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + data_len).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&16_000u32.to_le_bytes());
    out.extend_from_slice(&32_000u32.to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes());
    out.extend_from_slice(&16u16.to_le_bytes());
    out.extend_from_slice(b"data");
    out.extend_from_slice(&data_len.to_le_bytes());
    out.resize(44 + data_len as usize, 0);
    out
}

#[tokio::test]
async fn inline_audio_is_counted_at_32_tokens_a_second() {
    let sim = RunningSim::start().await;
    let request = json!({"contents": [{"parts": [
        {"text": "Segment this song."},
        {"inline_data": {"mime_type": "audio/wav", "data": STANDARD.encode(wav(10))}}
    ]}]});
    let (status, body) = sim.gemini(GENERATE, &request).await;
    assert_eq!(status, 200, "{body}");
    let details = body["usageMetadata"]["promptTokensDetails"]
        .as_array()
        .unwrap();
    let audio = details
        .iter()
        .find(|d| d["modality"] == "AUDIO")
        .expect("audio counted");
    assert_eq!(audio["tokenCount"], 320);
    let bad = json!({"contents": [{"parts": [{"inlineData": {"mimeType": "audio/wav", "data": "%%%"}}]}]});
    let (status, body) = sim.gemini(GENERATE, &bad).await;
    assert_eq!(status, 400);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Base64"),
        "{body}"
    );
    sim.shut_down().await;
}

#[tokio::test]
async fn resumable_upload_then_use_then_delete() {
    let sim = RunningSim::start().await;
    let song = wav(3);
    let start = sim
        .http
        .post(sim.url("/upload/v1beta/files"))
        .header("x-goog-api-key", "k")
        .header("X-Goog-Upload-Protocol", "resumable")
        .header("X-Goog-Upload-Command", "start")
        .header(
            "X-Goog-Upload-Header-Content-Length",
            song.len().to_string(),
        )
        .header("X-Goog-Upload-Header-Content-Type", "audio/wav")
        .json(&json!({"file": {"display_name": "song-123"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(start.status(), 200);
    let session = start.headers()["x-goog-upload-url"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(session.starts_with(sim.base.as_str()), "{session}");

    // Chunks carry no key: the session URL is the credential.
    let half = song.len() / 2;
    let chunk = |offset: usize, command: &'static str, bytes: Vec<u8>| {
        sim.http
            .post(&session)
            .header("X-Goog-Upload-Offset", offset.to_string())
            .header("X-Goog-Upload-Command", command)
            .body(bytes)
            .send()
    };
    let first = chunk(0, "upload", song[..half].to_vec()).await.unwrap();
    assert_eq!(first.status(), 200);
    assert_eq!(first.headers()["x-goog-upload-status"], "active");
    let wrong = chunk(1, "upload, finalize", song[half..].to_vec())
        .await
        .unwrap();
    assert_eq!(wrong.status(), 400);
    assert_eq!(
        google_status(&wrong.json().await.unwrap(), 400),
        "INVALID_ARGUMENT"
    );
    let last = chunk(half, "upload, finalize", song[half..].to_vec())
        .await
        .unwrap();
    assert_eq!(last.status(), 200);
    assert_eq!(last.headers()["x-goog-upload-status"], "final");
    let file = last.json::<Value>().await.unwrap()["file"].clone();
    assert_eq!(file["mimeType"], "audio/wav");
    assert_eq!(file["displayName"], "song-123");
    assert_eq!(file["sizeBytes"], song.len().to_string());
    assert!(file["expirationTime"].is_string() && file["sha256Hash"].is_string());
    let name = file["name"].as_str().unwrap().to_owned();
    let uri = file["uri"].as_str().unwrap().to_owned();
    let use_it = json!({"contents": [{"parts": [
        {"text": "Segment it"}, {"file_data": {"file_uri": uri, "mime_type": "audio/wav"}}
    ]}]});

    // Not usable until a GET has seen it ACTIVE.
    let (status, body) = sim.gemini(GENERATE, &use_it).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(google_status(&body, 400), "FAILED_PRECONDITION");
    let get = |key: bool| {
        let request = sim.http.get(sim.url(&format!("/v1beta/{name}")));
        if key {
            request.header("x-goog-api-key", "k")
        } else {
            request
        }
        .send()
    };
    assert_eq!(get(false).await.unwrap().status(), 403);
    let first: Value = get(true).await.unwrap().json().await.unwrap();
    assert_eq!(first["state"], "PROCESSING");
    let seen: Value = get(true).await.unwrap().json().await.unwrap();
    assert_eq!(seen["state"], "ACTIVE");
    assert_eq!(seen["uri"], uri.as_str());

    let (status, body) = sim.gemini(GENERATE, &use_it).await;
    assert_eq!(status, 200, "{body}");
    let audio = body["usageMetadata"]["promptTokensDetails"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["modality"] == "AUDIO")
        .cloned()
        .unwrap();
    assert_eq!(audio["tokenCount"], 96);

    // An unknown file is refused; a deleted one is gone.
    let unknown = json!({"contents": [{"parts": [{"fileData": {"fileUri": sim.url("/v1beta/files/nope"), "mimeType": "audio/wav"}}]}]});
    let (status, _) = sim.gemini(GENERATE, &unknown).await;
    assert_eq!(status, 400);
    let deleted = sim
        .http
        .delete(sim.url(&format!("/v1beta/{name}")))
        .header("x-goog-api-key", "k")
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 200);
    assert_eq!(get(true).await.unwrap().status(), 404);
    let (status, _) = sim.gemini(GENERATE, &use_it).await;
    assert_eq!(status, 400);
    sim.shut_down().await;
}

#[tokio::test]
async fn a_new_file_is_processing_on_first_look() {
    let sim = RunningSim::start().await;
    let start = sim
        .http
        .post(sim.url("/upload/v1beta/files"))
        .header("x-goog-api-key", "k")
        .header("X-Goog-Upload-Protocol", "resumable")
        .header("X-Goog-Upload-Command", "start")
        .header("X-Goog-Upload-Header-Content-Type", "audio/mpeg")
        .send()
        .await
        .unwrap();
    let session = start.headers()["x-goog-upload-url"]
        .to_str()
        .unwrap()
        .to_owned();
    let done = sim
        .http
        .post(&session)
        .header("X-Goog-Upload-Offset", "0")
        .header("X-Goog-Upload-Command", "upload, finalize")
        .body(vec![1u8; 1000])
        .send()
        .await
        .unwrap();
    let file = done.json::<Value>().await.unwrap()["file"].clone();
    assert_eq!(file["state"], "PROCESSING");
    let look = || async {
        sim.http
            .get(sim.url(&format!("/v1beta/{}", file["name"].as_str().unwrap())))
            .header("x-goog-api-key", "k")
            .send()
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap()["state"]
            .clone()
    };
    assert_eq!(look().await, "PROCESSING");
    assert_eq!(look().await, "ACTIVE");
    // A finalized session takes no more chunks.
    let again = sim
        .http
        .post(&session)
        .header("X-Goog-Upload-Offset", "1000")
        .header("X-Goog-Upload-Command", "upload, finalize")
        .body(vec![0u8])
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 404);
    sim.shut_down().await;
}

#[tokio::test]
async fn embeddings_in_three_shapes_put_similar_texts_near() {
    let sim = RunningSim::start().await;
    let a = "a red sports car races down the coastal highway at sunset";
    let b = "the red car raced along the coastal highway at sunset";
    let c = "quantum chemistry of noble gases in a laboratory";
    let (status, single) = sim
        .gemini(
            "/v1beta/models/gemini-embedding-001:embedContent",
            &json!({"content": {"parts": [{"text": a}]}, "taskType": "RETRIEVAL_DOCUMENT"}),
        )
        .await;
    assert_eq!(status, 200, "{single}");
    let va = single["embedding"]["values"].clone();
    assert_eq!(va.as_array().unwrap().len(), 768);
    assert!((cosine(&va, &va) - 1.0).abs() < 1e-4, "not unit length");

    let requests: Vec<Value> = [b, c]
        .iter()
        .map(|t| json!({"model": "models/gemini-embedding-001", "content": {"parts": [{"text": t}]}, "output_dimensionality": 768}))
        .collect();
    let batch = json!({ "requests": requests });
    let (status, body) = sim
        .gemini("/v1/models/gemini-embedding-001:batchEmbedContents", &batch)
        .await;
    assert_eq!(status, 200, "{body}");
    let (vb, vc) = (
        body["embeddings"][0]["values"].clone(),
        body["embeddings"][1]["values"].clone(),
    );
    assert!(
        cosine(&va, &vb) > cosine(&va, &vc) + 0.2,
        "near {} far {}",
        cosine(&va, &vb),
        cosine(&va, &vc)
    );

    let (status, body) = sim
        .vertex(
            "/v1/projects/p/locations/us-central1/publishers/google/models/gemini-embedding-001:predict",
            &json!({"instances": [{"content": a, "task_type": "RETRIEVAL_QUERY"}], "parameters": {"outputDimensionality": 256}}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let prediction = &body["predictions"][0]["embeddings"];
    assert_eq!(prediction["values"].as_array().unwrap().len(), 256);
    assert!(prediction["statistics"]["token_count"].as_u64().unwrap() > 0);
    assert_eq!(prediction["statistics"]["truncated"], false);

    let (status, _) = sim
        .gemini(
            "/v1beta/models/gemini-embedding-001:embedContent",
            &json!({"content": {"parts": [{"text": a}]}, "outputDimensionality": 99999}),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(sim.stats().await["calls"]["embeddings"], 4);
    sim.shut_down().await;
}

#[tokio::test]
async fn gemini_3_signs_function_calls_and_wants_the_signature_back() {
    let sim = RunningSim::start().await;
    let tools = json!([{"functionDeclarations": [{"name": "get_beats", "parameters": {"type": "OBJECT", "properties": {"track_id": {"type": "STRING"}}, "required": ["track_id"]}}]}]);
    let first = json!({
        "contents": [{"role": "user", "parts": [{"text": "get_beats for the single"}]}],
        "tools": tools, "toolConfig": {"functionCallingConfig": {"mode": "ANY"}}
    });
    let path = "/v1beta/models/gemini-3-flash-preview:generateContent";
    let (status, body) = sim.gemini(path, &first).await;
    assert_eq!(status, 200, "{body}");
    let part = body["candidates"][0]["content"]["parts"][0].clone();
    assert!(
        part["thoughtSignature"]
            .as_str()
            .is_some_and(|s| !s.is_empty()),
        "{part}"
    );

    let follow_up = |model_part: Value| {
        json!({
            "contents": [
                {"role": "user", "parts": [{"text": "get_beats for the single"}]},
                {"role": "model", "parts": [model_part]},
                {"role": "user", "parts": [{"functionResponse": {"name": "get_beats", "response": {"output": {"bpm": 128}}}}]}
            ],
            "tools": tools
        })
    };
    let (status, body) = sim.gemini(path, &follow_up(part.clone())).await;
    assert_eq!(status, 200, "{body}");
    assert!(
        answer_text(&body).len() > 3,
        "after a function response AUTO answers in text"
    );
    let mut unsigned = part.clone();
    unsigned.as_object_mut().unwrap().remove("thoughtSignature");
    let (status, body) = sim.gemini(path, &follow_up(unsigned.clone())).await;
    assert_eq!(status, 400);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("thought_signature"),
        "{body}"
    );
    // Gemini 2.5 neither signs nor asks.
    let (status, _) = sim.gemini(GENERATE, &follow_up(unsigned)).await;
    assert_eq!(status, 200);
    sim.shut_down().await;
}
