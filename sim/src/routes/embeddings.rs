//! The three embedding shapes: Gemini's `:embedContent` and `:batchEmbedContents` (the only one
//! google-genai calls) and Vertex's `:predict`. Vectors come from [`crate::embed`].

use axum::body::Bytes;
use serde::Deserialize;
use serde_json::{Value, json};

use super::google::{self, GoogleError};
use crate::embed::{self, DEFAULT_DIMENSIONS, MAX_DIMENSIONS};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct EmbedRequest {
    content: Option<Content>,
    #[serde(alias = "output_dimensionality")]
    output_dimensionality: Option<usize>,
}

#[derive(Deserialize)]
struct Content {
    #[serde(default)]
    parts: Vec<TextPart>,
}

#[derive(Deserialize)]
struct TextPart {
    text: Option<String>,
}

#[derive(Deserialize)]
struct BatchRequest {
    requests: Vec<EmbedRequest>,
}

#[derive(Deserialize)]
struct PredictRequest {
    instances: Vec<Instance>,
    #[serde(default)]
    parameters: Parameters,
}

#[derive(Deserialize)]
struct Instance {
    content: String,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Parameters {
    #[serde(alias = "output_dimensionality")]
    output_dimensionality: Option<usize>,
}

pub fn embed_content(body: &Bytes) -> Result<Value, GoogleError> {
    let request: EmbedRequest = google::parse(body)?;
    Ok(json!({ "embedding": one(&request, "EmbedContentRequest")? }))
}

pub fn batch(body: &Bytes) -> Result<Value, GoogleError> {
    let request: BatchRequest = google::parse(body)?;
    let embeddings = request
        .requests
        .iter()
        .enumerate()
        .map(|(i, r)| one(r, &format!("BatchEmbedContentsRequest.requests[{i}]")))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(json!({ "embeddings": embeddings }))
}

pub fn predict(body: &Bytes) -> Result<Value, GoogleError> {
    let request: PredictRequest = google::parse(body)?;
    let dimensions = dimensions(request.parameters.output_dimensionality)?;
    let predictions: Vec<Value> = request
        .instances
        .iter()
        .map(|instance| {
            json!({ "embeddings": {
                "values": embed::embed(&instance.content, dimensions),
                "statistics": {
                    "token_count": embed::token_estimate(&instance.content),
                    "truncated": false,
                },
            }})
        })
        .collect();
    Ok(json!({ "predictions": predictions }))
}

fn one(request: &EmbedRequest, at: &str) -> Result<Value, GoogleError> {
    let text: Vec<&str> = request
        .content
        .iter()
        .flat_map(|c| &c.parts)
        .filter_map(|p| p.text.as_deref())
        .collect();
    if text.is_empty() {
        return Err(GoogleError::invalid(format!(
            "* {at}.content: contents must not be empty"
        )));
    }
    let dimensions = dimensions(request.output_dimensionality)?;
    Ok(json!({ "values": embed::embed(&text.join("\n"), dimensions) }))
}

fn dimensions(asked: Option<usize>) -> Result<usize, GoogleError> {
    match asked {
        None => Ok(DEFAULT_DIMENSIONS),
        Some(n) if (1..=MAX_DIMENSIONS).contains(&n) => Ok(n),
        Some(n) => Err(GoogleError::invalid(format!(
            "outputDimensionality {n} is out of range; use 1 to {MAX_DIMENSIONS}"
        ))),
    }
}
