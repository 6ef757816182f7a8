//! Anthropic's Messages API on the simulator over HTTP: forced and named tool calls whose input
//! satisfies `input_schema`, prose and JSON-format answers from the prompt, and Anthropic's
//! error shape.

mod common;

use common::RunningSim;
use common::schema::assert_valid;
use serde_json::{Value, json};

async fn messages(sim: &RunningSim, body: &Value, headers: &[(&str, &str)]) -> (u16, Value) {
    let mut request = sim.http.post(sim.url("/v1/messages")).json(body);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

const AUTH: [(&str, &str); 2] = [
    ("x-api-key", "sk-ant-sim"),
    ("anthropic-version", "2023-06-01"),
];

fn shots_tool() -> Value {
    json!({"name": "emit_shots", "description": "Return shots", "input_schema": {
        "type": "object",
        "properties": {
            "shots": {"type": "array", "minItems": 2, "maxItems": 4, "items": {"type": "object", "properties": {
                "framing": {"type": "string", "enum": ["wide", "medium", "close"]},
                "caption": {"type": "string", "maxLength": 30},
                "bar": {"type": "integer", "minimum": 12, "maximum": 16}
            }, "required": ["framing", "caption", "bar"]}}
        },
        "required": ["shots"]
    }})
}

#[tokio::test]
async fn forced_tool_input_satisfies_its_schema() {
    let sim = RunningSim::start().await;
    let request = json!({
        "model": "claude-sonnet-4-6", "max_tokens": 2048, "system": "You write shot lists.",
        "messages": [{"role": "user", "content": "Plan shots for bars 12-16 of the bridge"}],
        "tools": [shots_tool(), {"name": "other", "input_schema": {"type": "object"}}],
        "tool_choice": {"type": "tool", "name": "emit_shots"}
    });
    let (status, body) = messages(&sim, &request, &AUTH).await;
    assert_eq!(status, 200, "{body}");
    assert!(body["id"].as_str().unwrap().starts_with("msg_"));
    assert_eq!(body["type"], "message");
    assert_eq!(body["role"], "assistant");
    assert_eq!(body["model"], "claude-sonnet-4-6");
    assert_eq!(body["stop_reason"], "tool_use");
    let block = &body["content"][0];
    assert_eq!(block["type"], "tool_use");
    assert_eq!(block["name"], "emit_shots");
    assert!(block["id"].as_str().unwrap().starts_with("toolu_"));
    assert_valid(&block["input"], &shots_tool()["input_schema"]);
    let shots = block["input"]["shots"].as_array().unwrap();
    assert!((2..=4).contains(&shots.len()));
    for shot in shots {
        assert!((12..=16).contains(&shot["bar"].as_i64().unwrap()));
    }
    assert!(body["usage"]["input_tokens"].as_u64().unwrap() > 0);
    assert!(body["usage"]["output_tokens"].as_u64().unwrap() > 0);

    // Same request, same input; `any` picks the tool too.
    let (_, again) = messages(&sim, &request, &AUTH).await;
    assert_eq!(again["content"][0]["input"], block["input"]);
    let mut any = request.clone();
    any["tool_choice"] = json!({"type": "any"});
    any["messages"][0]["content"] = json!("use emit_shots for the bridge");
    let (_, body) = messages(&sim, &any, &AUTH).await;
    assert_eq!(body["content"][0]["name"], "emit_shots");
    sim.shut_down().await;
}

#[tokio::test]
async fn text_and_json_answers_come_from_the_prompt() {
    let sim = RunningSim::start().await;
    let request = json!({
        "model": "claude-haiku-4-5", "max_tokens": 512,
        "messages": [{"role": "user", "content": [{"type": "text", "text": "Summarise the lighthouse keeper ballad"}]}]
    });
    let (status, body) = messages(&sim, &request, &AUTH).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["stop_reason"], "end_turn");
    let text = body["content"][0]["text"].as_str().unwrap().to_lowercase();
    for word in text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        assert!(
            "summarise the lighthouse keeper ballad".contains(word),
            "{word}"
        );
    }
    let mut other = request.clone();
    other["messages"][0]["content"][0]["text"] = json!("Summarise the desert caravan song");
    let (_, body2) = messages(&sim, &other, &AUTH).await;
    assert_ne!(body2["content"][0]["text"], body["content"][0]["text"]);

    let schema = json!({"type": "object", "properties": {"title": {"type": "string"}, "score": {"type": "number", "minimum": 0, "maximum": 1}}, "required": ["title", "score"]});
    let mut json_mode = request.clone();
    json_mode["output_config"] = json!({"format": {"type": "json_schema", "schema": schema}});
    let (_, body) = messages(&sim, &json_mode, &AUTH).await;
    let answer: Value = serde_json::from_str(body["content"][0]["text"].as_str().unwrap()).unwrap();
    assert_valid(&answer, &schema);

    let mut short = request.clone();
    short["max_tokens"] = json!(2);
    let (_, body) = messages(&sim, &short, &AUTH).await;
    assert_eq!(body["stop_reason"], "max_tokens");
    assert_eq!(body["usage"]["output_tokens"], 2);
    sim.shut_down().await;
}

#[tokio::test]
async fn refusals_use_anthropics_error_shape() {
    let sim = RunningSim::start().await;
    let request = json!({"model": "claude-sonnet-4-6", "max_tokens": 10, "messages": [{"role": "user", "content": "hi"}]});
    let (status, body) = messages(&sim, &request, &[("anthropic-version", "2023-06-01")]).await;
    assert_eq!(status, 401);
    assert_eq!(body["type"], "error");
    assert_eq!(body["error"]["type"], "authentication_error");
    let (status, body) = messages(&sim, &request, &[("x-api-key", "k")]).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["type"], "invalid_request_error");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("anthropic-version")
    );
    let (status, body) = messages(&sim, &json!({"model": "m", "messages": []}), &AUTH).await;
    assert_eq!(status, 400);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("max_tokens"),
        "{body}"
    );
    let mut unknown = request.clone();
    unknown["tool_choice"] = json!({"type": "tool", "name": "nope"});
    let (status, _) = messages(&sim, &unknown, &AUTH).await;
    assert_eq!(status, 400);
    assert_eq!(sim.stats().await["calls"]["claude"], 4);
    sim.shut_down().await;
}

#[tokio::test]
async fn streamed_answers_are_anthropics_event_stream() {
    let sim = RunningSim::start().await;
    let mut request = json!({
        "model": "claude-sonnet-4-6", "max_tokens": 1024, "stream": true,
        "messages": [{"role": "user", "content": "Plan shots for bars 12-16"}],
        "tools": [shots_tool()], "tool_choice": {"type": "tool", "name": "emit_shots"}
    });
    for tool in [true, false] {
        if !tool {
            request.as_object_mut().unwrap().remove("tool_choice");
            request.as_object_mut().unwrap().remove("tools");
        }
        let mut call = sim.http.post(sim.url("/v1/messages")).json(&request);
        for (name, value) in AUTH {
            call = call.header(name, value);
        }
        let response = call.send().await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "text/event-stream");
        let text = response.text().await.unwrap();
        let events: Vec<(String, Value)> = text
            .split("\n\n")
            .filter(|e| !e.trim().is_empty())
            .map(|e| {
                let (name, data) = e.split_once('\n').unwrap();
                (
                    name.strip_prefix("event: ").unwrap().to_owned(),
                    serde_json::from_str(data.strip_prefix("data: ").unwrap()).unwrap(),
                )
            })
            .collect();
        let names: Vec<&str> = events.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names.first(), Some(&"message_start"));
        assert_eq!(names.last(), Some(&"message_stop"));
        assert!(events.iter().all(|(n, d)| d["type"] == n.as_str()));
        let delta_key = if tool { "partial_json" } else { "text" };
        let joined: String = events
            .iter()
            .filter(|(n, _)| n == "content_block_delta")
            .map(|(_, d)| d["delta"][delta_key].as_str().unwrap().to_owned())
            .collect();
        let message_delta = &events.iter().find(|(n, _)| n == "message_delta").unwrap().1;
        if tool {
            let input: Value = serde_json::from_str(&joined).unwrap();
            assert_valid(&input, &shots_tool()["input_schema"]);
            assert_eq!(message_delta["delta"]["stop_reason"], "tool_use");
        } else {
            assert!(!joined.is_empty());
            assert_eq!(message_delta["delta"]["stop_reason"], "end_turn");
        }
    }
    sim.shut_down().await;
}
