//! The rulebook's index (architecture §5): every rule's text is embedded once, when it is
//! learnt, and kept in its record; a prompt writer or auditor asks for the rules nearest a
//! shot's description and gets them nearest first. The local index is the project's rules
//! scored by cosine similarity (a project holds tens or hundreds, not millions); in production
//! the vectors also go to Vertex Vector Search, which ranks them (restricted to the project), and
//! the store still says which rules are live — a retired rule Vertex returns is skipped and
//! removed from the index. Without an embedding model the newest rules come first, so a rule is
//! never lost for want of a vector.

use crate::shot::{retryable, store_failure};
use miri_core::llm::{Datapoint, EmbedRequest, Embedder, Restrict, TaskType, VectorIndex};
use miri_core::{ProjectId, Rule};
use miri_providers::breaker::{Breakers, Provider};
use miri_providers::gemini::GeminiClient;
use miri_providers::vertex::VectorSearchClient;
use miri_store::{At, Records, StoreError, Under};
use std::sync::Arc;
use temporalio_sdk::activities::ActivityError;

/// Rules a prompt carries at most.
pub const NEAREST: usize = 8;
/// Neighbours asked of Vertex per query: room for retired rules not yet removed.
const ASKED: u32 = NEAREST as u32 * 4;
/// The restrict namespace that keeps one project's rules out of another's answers.
const PROJECT: &str = "project";
/// The embedding model and size rules are indexed with.
pub const EMBEDDING_MODEL: &str = "gemini-embedding-001";
pub const DIMENSIONS: u32 = 768;

#[derive(Clone)]
pub struct Rulebook {
    store: Records,
    embedder: Option<Arc<GeminiClient>>,
    breakers: Breakers,
    vertex: Option<Arc<VectorSearchClient>>,
}

impl Rulebook {
    pub fn new(store: Records, embedder: Option<GeminiClient>, breakers: Breakers) -> Self {
        Self { store, embedder: embedder.map(Arc::new), breakers, vertex: None }
    }

    /// This rulebook with its vectors in Vertex Vector Search, which ranks them.
    pub fn with_vertex(self, index: VectorSearchClient) -> Self {
        Self { vertex: Some(Arc::new(index)), ..self }
    }

    /// The project's active rules, nearest `about` first, at most [`NEAREST`]. Rules not yet
    /// indexed (a director's, written through the gateway) are embedded here, all in one call,
    /// and each vector appended as its rule's next revision.
    pub async fn nearest(&self, project: ProjectId, about: &str) -> Result<Vec<Rule>, ActivityError> {
        let (indexed, unindexed): (Vec<_>, Vec<_>) = self.active(project).await?.into_iter().partition(|(_, r)| r.embedding.is_some());
        let mut rules: Vec<Rule> = indexed.into_iter().map(|(_, r)| r).collect();
        rules.extend(self.index_later(unindexed).await?);
        if rules.is_empty() {
            return Ok(rules);
        }
        rules.sort_by_key(|r| std::cmp::Reverse(r.created_at));
        if let Some(query) = self.embed(vec![about.to_string()], TaskType::RetrievalQuery).await?.and_then(|mut v| v.pop()) {
            let rank = match &self.vertex {
                Some(index) => self.ranked_by(index, project, &query, &rules).await?,
                None => rules.iter().map(|r| r.embedding.as_deref().filter(|v| v.len() == query.len()).map_or(f32::MIN, |v| dot(v, &query))).collect(),
            };
            // Stable: equal scores (and rules without a vector) stay newest first.
            let mut scored: Vec<(f32, Rule)> = rank.into_iter().zip(rules).collect();
            scored.sort_by(|a, b| b.0.total_cmp(&a.0));
            rules = scored.into_iter().map(|(_, r)| r).collect();
        }
        rules.truncate(NEAREST);
        Ok(rules)
    }

    /// Vertex's score for each of `rules` (by dot product, higher nearer; a rule it did not
    /// return scores lowest). Ids it returns that are no live rule of the project are removed
    /// from the index, best effort.
    async fn ranked_by(&self, index: &VectorSearchClient, project: ProjectId, query: &[f32], rules: &[Rule]) -> Result<Vec<f32>, ActivityError> {
        let restricts = [Restrict::allow(PROJECT, &[&project.to_string()])];
        let breaker = self.breakers.get(Provider::Vertex);
        let neighbours = breaker
            .call(index.find_neighbors(query, ASKED, &restricts))
            .await
            .map_err(|e| retryable(format!("asking Vector Search for the nearest rules: {e}")))?;
        let live = |id: &str| rules.iter().any(|r| r.rule_id.to_string() == id);
        let stale: Vec<String> = neighbours.iter().filter(|n| !live(&n.id)).map(|n| n.id.clone()).collect();
        if !stale.is_empty()
            && let Err(e) = breaker.call(index.remove(&stale)).await
        {
            tracing::warn!(project = %project, "retired rules stay in Vector Search for now: {e}");
        }
        Ok(rules
            .iter()
            .map(|r| neighbours.iter().find(|n| n.id == r.rule_id.to_string()).map_or(f32::MIN, |n| n.distance as f32))
            .collect())
    }

    /// `rule` with its text's embedding, ready to store.
    pub async fn indexed(&self, rule: Rule) -> Result<Rule, ActivityError> {
        let mut all = self.index_all(vec![rule]).await?;
        Ok(all.pop().expect("one rule in, one out"))
    }

    /// `rules` with their texts' embeddings (one call for all). With Vertex, the vectors are
    /// upserted too (by rule id, so a retry replaces them).
    async fn index_all(&self, mut rules: Vec<Rule>) -> Result<Vec<Rule>, ActivityError> {
        let texts: Vec<String> = rules.iter().map(|r| r.text.clone()).collect();
        let Some(vectors) = self.embed(texts, TaskType::RetrievalDocument).await? else { return Ok(rules) };
        if vectors.len() != rules.len() {
            return Err(retryable(format!("asked to embed {} rules, got {} vectors", rules.len(), vectors.len())));
        }
        if let Some(index) = &self.vertex {
            let points: Vec<Datapoint> = rules
                .iter()
                .zip(&vectors)
                .map(|(rule, vector)| Datapoint {
                    id: rule.rule_id.to_string(),
                    vector: vector.clone(),
                    restricts: vec![Restrict::allow(PROJECT, &[&rule.project_id.to_string()])],
                })
                .collect();
            let breaker = self.breakers.get(Provider::Vertex);
            breaker
                .call(index.upsert(&points))
                .await
                .map_err(|e| retryable(format!("indexing {} rules in Vector Search: {e}", points.len())))?;
        }
        for (rule, vector) in rules.iter_mut().zip(vectors) {
            rule.embedding = Some(vector);
            rule.embedding_model = Some(EMBEDDING_MODEL.into());
        }
        Ok(rules)
    }

    async fn active(&self, project: ProjectId) -> Result<Vec<(u64, Rule)>, ActivityError> {
        let all = self.store.list::<Rule>(Under::Project(project.to_string()), At::Newest).await.map_err(store_failure)?;
        Ok(all.into_iter().filter(|(_, r)| r.active).collect())
    }

    /// `rules` (each at its revision) indexed, each vector stored as its rule's next revision; a
    /// rule that changed meanwhile is used as it was, and indexed by a later reader.
    async fn index_later(&self, rules: Vec<(u64, Rule)>) -> Result<Vec<Rule>, ActivityError> {
        if rules.is_empty() {
            return Ok(Vec::new());
        }
        let (revisions, rules): (Vec<u64>, Vec<Rule>) = rules.into_iter().unzip();
        let indexed = self.index_all(rules.clone()).await?;
        let mut out = Vec::with_capacity(indexed.len());
        for ((revision, rule), indexed) in revisions.into_iter().zip(rules).zip(indexed) {
            if indexed.embedding.is_none() {
                out.push(rule);
                continue;
            }
            out.push(match self.store.append(&indexed, revision + 1).await {
                Ok(()) => indexed,
                Err(StoreError::Conflict { .. }) => rule,
                Err(e) => return Err(store_failure(e)),
            });
        }
        Ok(out)
    }

    /// The unit vectors of `texts`, in order, or `None` without an embedding model.
    async fn embed(&self, texts: Vec<String>, task: TaskType) -> Result<Option<Vec<Vec<f32>>>, ActivityError> {
        let Some(client) = &self.embedder else { return Ok(None) };
        let request = EmbedRequest { model: EMBEDDING_MODEL.into(), texts, task, dimensions: Some(DIMENSIONS) };
        let breaker = self.breakers.get(Provider::Gemini);
        let vectors = breaker.call(client.embed(&request)).await.map_err(|e| retryable(format!("embedding rules: {e}")))?;
        Ok(Some(vectors))
    }
}

fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}
