//! Gemini embeddings: `:batchEmbedContents` on the Gemini API (what Google's own client always
//! calls), `:predict` on Vertex AI. Truncated vectors are not unit length, so whenever a
//! dimensionality is asked for the vectors are L2-normalised here (a no-op on full-size ones).

use miri_core::llm::{EmbedRequest, Embedder, TaskType, l2_normalise};
use serde::{Deserialize, Serialize};

use super::client::GeminiClient;
use crate::error::{ProviderError, decode, exchange};

/// Texts per `:batchEmbedContents` call (Google's documented cap, reported as 100).
const GEMINI_API_BATCH: usize = 100;
/// Texts per Vertex `:predict` call: `gemini-embedding-001` takes one instance per request.
const VERTEX_BATCH: usize = 1;

fn task_name(task: TaskType) -> &'static str {
    match task {
        TaskType::RetrievalQuery => "RETRIEVAL_QUERY",
        TaskType::RetrievalDocument => "RETRIEVAL_DOCUMENT",
        TaskType::SemanticSimilarity => "SEMANTIC_SIMILARITY",
        TaskType::Classification => "CLASSIFICATION",
        TaskType::Clustering => "CLUSTERING",
        TaskType::QuestionAnswering => "QUESTION_ANSWERING",
        TaskType::FactVerification => "FACT_VERIFICATION",
        TaskType::CodeRetrievalQuery => "CODE_RETRIEVAL_QUERY",
    }
}

#[derive(Serialize)]
struct BatchBody<'a> {
    requests: Vec<EmbedContent<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct EmbedContent<'a> {
    model: &'a str,
    content: TextContent<'a>,
    task_type: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    output_dimensionality: Option<u32>,
}

#[derive(Serialize)]
struct TextContent<'a> {
    parts: [TextPart<'a>; 1],
}

#[derive(Serialize)]
struct TextPart<'a> {
    text: &'a str,
}

#[derive(Deserialize)]
struct BatchAnswer {
    embeddings: Vec<Values>,
}

#[derive(Deserialize)]
struct Values {
    values: Vec<f32>,
}

#[derive(Serialize)]
struct PredictBody<'a> {
    instances: Vec<PredictInstance<'a>>,
    parameters: PredictParameters,
}

#[derive(Serialize)]
struct PredictInstance<'a> {
    content: &'a str,
    task_type: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PredictParameters {
    #[serde(skip_serializing_if = "Option::is_none")]
    output_dimensionality: Option<u32>,
    auto_truncate: bool,
}

#[derive(Deserialize)]
struct PredictAnswer {
    predictions: Vec<Prediction>,
}

#[derive(Deserialize)]
struct Prediction {
    embeddings: Values,
}

impl GeminiClient {
    async fn embed_batch(
        &self,
        request: &EmbedRequest,
        texts: &[String],
    ) -> Result<Vec<Vec<f32>>, ProviderError> {
        let task_type = task_name(request.task);
        let url = self.model_url(
            &request.model,
            if self.is_vertex() {
                "predict"
            } else {
                "batchEmbedContents"
            },
        );
        let http = self.authed(self.http.post(url)).await?;
        let vectors: Vec<Vec<f32>> = if self.is_vertex() {
            let body = PredictBody {
                instances: texts
                    .iter()
                    .map(|text| PredictInstance {
                        content: text,
                        task_type,
                    })
                    .collect(),
                parameters: PredictParameters {
                    output_dimensionality: request.dimensions,
                    auto_truncate: true,
                },
            };
            let answer = exchange("embed", http.json(&body)).await?;
            let answer: PredictAnswer = decode("embed", &answer.body)?;
            answer
                .predictions
                .into_iter()
                .map(|p| p.embeddings.values)
                .collect()
        } else {
            let model = format!(
                "models/{}",
                request
                    .model
                    .strip_prefix("models/")
                    .unwrap_or(&request.model)
            );
            let body = BatchBody {
                requests: texts
                    .iter()
                    .map(|text| EmbedContent {
                        model: &model,
                        content: TextContent {
                            parts: [TextPart { text }],
                        },
                        task_type,
                        output_dimensionality: request.dimensions,
                    })
                    .collect(),
            };
            let answer = exchange("embed", http.json(&body)).await?;
            let answer: BatchAnswer = decode("embed", &answer.body)?;
            answer.embeddings.into_iter().map(|e| e.values).collect()
        };
        if vectors.len() != texts.len() {
            return Err(ProviderError::Malformed(format!(
                "embed: {} vectors for {} texts",
                vectors.len(),
                texts.len()
            )));
        }
        Ok(vectors)
    }
}

impl Embedder for GeminiClient {
    type Error = ProviderError;

    async fn embed(&self, request: &EmbedRequest) -> Result<Vec<Vec<f32>>, ProviderError> {
        let batch = if self.is_vertex() {
            VERTEX_BATCH
        } else {
            GEMINI_API_BATCH
        };
        let mut vectors = Vec::with_capacity(request.texts.len());
        for texts in request.texts.chunks(batch) {
            vectors.extend(self.embed_batch(request, texts).await?);
        }
        if request.dimensions.is_some() {
            vectors.iter_mut().for_each(|v| l2_normalise(v));
        }
        Ok(vectors)
    }
}
