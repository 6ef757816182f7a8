//! What an operator sees of a running stack: JSON logs in which one trace id follows a shot from
//! the REST call through the workflow's activities to the provider's webhook, and Prometheus
//! metrics from the gateway (requests, webhooks, shots by status, budgets, workflows by status
//! and every worker's breakers) and from the worker (provider latency and errors, render progress).

use miri_testkit::{Stack, StackOptions, free_port};
use serde_json::{Value, json};
use std::time::Duration;

const LONG: Duration = Duration::from_secs(90);
const GENERATE_TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const APPROVE_TRACE: &str = "0af7651916cd43dd8448eb211c80319c";

/// Every line of a JSON log, parsed; a line that is not JSON fails the test.
fn json_lines(log: &str, name: &str) -> Vec<Value> {
    log.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("a {name} log line is not JSON ({e}): {l}")))
        .collect()
}

/// The lines logged under `trace` (in the event's own span or any span around it).
fn traced<'a>(lines: &'a [Value], trace: &str) -> Vec<&'a Value> {
    lines
        .iter()
        .filter(|l| l["spans"].as_array().is_some_and(|spans| spans.iter().any(|s| s["trace_id"] == trace)))
        .collect()
}

fn has(lines: &[&Value], message: &str) -> bool {
    lines.iter().any(|l| l["message"].as_str().is_some_and(|m| m.contains(message)))
}

/// `name{labels}`'s value in a text exposition (labels as Prometheus prints them, sorted).
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines().find_map(|l| l.strip_prefix(series).and_then(|rest| rest.strip_prefix(' ')).and_then(|v| v.trim().parse().ok()))
}

async fn post_traced(stack: &Stack, path: &str, body: Value, trace: &str) -> reqwest::Response {
    stack
        .rest
        .post(format!("{}{path}", stack.http))
        .bearer_auth(&stack.token)
        .header("traceparent", format!("00-{trace}-00f067aa0ba902b7-01"))
        .json(&body)
        .send()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_trace_id_follows_a_shot_and_the_metrics_count_what_happened() {
    let worker_metrics = format!("127.0.0.1:{}", free_port());
    let env = vec![("MIRI_LOG_FORMAT".to_string(), "json".to_string()), ("MIRI_METRICS_ADDR".to_string(), worker_metrics.clone())];
    let stack = Stack::start(StackOptions { env, ..StackOptions::default() }).await.unwrap();
    let project = stack.create_project("observed").await.unwrap();
    let shot = stack.create_shot(&project, 0, 4000).await.unwrap();

    // The caller's traceparent is honoured and named in the answer; without one, a fresh id.
    let resp = post_traced(&stack, "/api/shots/generate", json!({"shotId": shot}), GENERATE_TRACE).await;
    assert_eq!(resp.status(), 202);
    assert_eq!(resp.headers()["x-trace-id"], GENERATE_TRACE);
    let resp = stack.rest.get(format!("{}/api/shots/{shot}", stack.http)).bearer_auth(&stack.token).send().await.unwrap();
    let fresh = resp.headers()["x-trace-id"].to_str().unwrap().to_string();
    assert!(fresh.len() == 32 && fresh != GENERATE_TRACE, "{fresh}");

    stack.wait_status(&shot, "AWAITING_APPROVAL", LONG).await.unwrap();
    let resp = post_traced(&stack, &format!("/api/shots/{shot}/approve"), json!({}), APPROVE_TRACE).await;
    assert_eq!(resp.status(), 202);
    stack.wait_status(&shot, "COMPLETED", LONG).await.unwrap();
    let (status, body) = stack.post(&format!("/api/projects/{project}/renders"), json!({"mode": "animatic"})).await.unwrap();
    assert_eq!(status, 202, "{body}");
    let done = stack.wait_finished(&format!("/api/renders/{}", body["renderId"].as_str().unwrap()), LONG).await.unwrap();
    assert_eq!(done["status"], "completed", "{done}");

    // The gateway's lines and the worker's, every one JSON.
    let gateway = json_lines(&stack.log("gateway"), "gateway");
    let worker = json_lines(&stack.log("worker"), "worker");
    for (trace, endpoint) in [(GENERATE_TRACE, "flux-2"), (APPROVE_TRACE, "kling")] {
        let at_gateway = traced(&gateway, trace);
        let at_worker = traced(&worker, trace);
        assert!(
            at_gateway.iter().any(|l| l["message"] == "answered" && l["status"] == 202),
            "the REST call is logged under {trace}: {at_gateway:?}"
        );
        assert!(
            at_worker.iter().any(|l| l["message"] == "submitted to the provider" && l["endpoint"].as_str().unwrap().contains(endpoint)
                && l["shot"] == shot.as_str()),
            "the workflow's paid call to {endpoint} is logged under {trace}: {at_worker:?}"
        );
        assert!(has(&at_worker, "provider result ingested"), "its result is ingested under {trace}: {at_worker:?}");
        assert!(
            at_gateway.iter().any(|l| l["message"] == "fal webhook" && l["outcome"] == "accepted"),
            "the provider's webhook is logged under {trace}: {at_gateway:?}"
        );
    }
    // The activity's lines also name the workflow they ran for (the SDK's span).
    let submitted = traced(&worker, GENERATE_TRACE).into_iter().find(|l| l["message"] == "submitted to the provider").unwrap();
    let spans = submitted["spans"].as_array().unwrap();
    assert!(spans.iter().any(|s| s["temporalWorkflowID"] == format!("shot:{shot}")), "{submitted}");
    assert!(!has(&traced(&gateway, GENERATE_TRACE), "Bearer"), "no token in the logs");

    // The gateway's metrics: the studio owner's token only.
    let metrics = format!("{}/metrics", stack.http);
    let anonymous = stack.rest.get(&metrics).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);
    let viewer = stack.key(&project, "viewer", "grafana?").await.unwrap();
    let refused = stack.rest.get(&metrics).bearer_auth(&viewer).send().await.unwrap();
    assert_eq!(refused.status(), 403);
    // Temporal's counts are eventually consistent: the workflows' ends show within seconds.
    let finished = ["miri_workflows{status=\"Completed\",type=\"ShotWorkflow\"}", "miri_workflows{status=\"Completed\",type=\"RenderWorkflow\"}"];
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    let text = loop {
        let resp = stack.rest.get(&metrics).bearer_auth(&stack.token).send().await.unwrap();
        assert_eq!(resp.status(), 200);
        assert!(resp.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
        let text = resp.text().await.unwrap();
        if finished.iter().all(|series| sample(&text, series) == Some(1.0)) || tokio::time::Instant::now() > deadline {
            break text;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    let p = project.as_str();
    assert_eq!(sample(&text, &format!("miri_shots{{project=\"{p}\",status=\"COMPLETED\"}}")), Some(1.0), "{text}");
    assert_eq!(sample(&text, &format!("miri_shots{{project=\"{p}\",status=\"DRAFT\"}}")), Some(0.0), "{text}");
    assert!(sample(&text, &format!("miri_budget_spent_usd{{project=\"{p}\"}}")).unwrap() > 0.0, "{text}");
    assert!(sample(&text, &format!("miri_budget_cap_usd{{project=\"{p}\"}}")).unwrap() > 0.0, "{text}");
    assert_eq!(sample(&text, "miri_webhooks_total{outcome=\"accepted\"}"), Some(2.0), "a still and a clip: {text}");
    assert_eq!(
        sample(&text, "miri_http_requests_total{method=\"POST\",route=\"/api/shots/generate\",status=\"202\"}"),
        Some(1.0),
        "{text}"
    );
    assert_eq!(sample(&text, "miri_http_requests_total{method=\"GET\",route=\"/metrics\",status=\"403\"}"), Some(1.0), "{text}");
    assert_eq!(sample(&text, "miri_http_requests_total{method=\"GET\",route=\"/metrics\",status=\"401\"}"), Some(1.0), "{text}");
    assert_eq!(sample(&text, "miri_temporal_up"), Some(1.0), "{text}");
    for series in finished {
        assert_eq!(sample(&text, series), Some(1.0), "{text}");
    }
    assert!(text.contains("miri_provider_breaker_state{provider=\"fal\",worker=\""), "every worker's breakers: {text}");
    assert!(!text.contains(&shot), "no shot id is a label");

    // Operators find the shot in the Temporal UI by its search attributes.
    for query in [
        format!("ProjectId = '{p}' AND ShotStatus = 'COMPLETED'"),
        format!("ShotId = '{shot}'"),
    ] {
        assert_eq!(stack.temporal_count(&query, 1).await.unwrap(), 1, "{query}");
    }
    assert_eq!(stack.temporal_count(&format!("ProjectId = '{p}' AND ShotStatus = 'DRAFT'"), 0).await.unwrap(), 0);

    // The worker's own: every paid call and its outcome, the render's progress.
    let text = reqwest::get(format!("http://{worker_metrics}/metrics")).await.unwrap().text().await.unwrap();
    assert!(sample(&text, "miri_provider_call_duration_seconds_count{outcome=\"ok\",provider=\"fal\"}").unwrap() >= 1.0, "{text}");
    assert!(sample(&text, "miri_provider_call_duration_seconds_count{outcome=\"ok\",provider=\"kling\"}").unwrap() >= 1.0, "{text}");
    assert_eq!(sample(&text, &format!("miri_render_progress_ratio{{project=\"{p}\"}}")), Some(1.0), "{text}");
    assert_eq!(sample(&text, "miri_renders_total{outcome=\"done\"}"), Some(1.0), "{text}");
}

#[tokio::test]
async fn a_log_format_that_does_not_exist_is_refused_by_name() {
    let out = tokio::process::Command::new(miri_testkit::miri_bin())
        .args(["analyze", "beats", "/nonexistent.mp3"])
        .env("MIRI_LOG_FORMAT", "yaml")
        .output()
        .await
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("MIRI_LOG_FORMAT=\"yaml\" is not a log format; use text or json"), "{stderr}");
}
