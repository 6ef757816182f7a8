//! The rulebook's index (architecture §5): every rule's text is embedded once, when it is
//! learnt, and kept in its record; a prompt writer or auditor asks for the rules nearest a
//! shot's description and gets them nearest first. The local index is the project's rules
//! scored by cosine similarity (a project holds tens or hundreds, not millions); without an
//! embedding model the newest rules come first, so a rule is never lost for want of a vector.

use crate::shot::{retryable, store_failure};
use miri_core::llm::{EmbedRequest, Embedder, TaskType};
use miri_core::{ProjectId, Rule};
use miri_providers::breaker::{Breakers, Provider};
use miri_providers::gemini::GeminiClient;
use miri_store::{At, Records, StoreError, Under};
use std::sync::Arc;
use temporalio_sdk::activities::ActivityError;

/// Rules a prompt carries at most.
pub const NEAREST: usize = 8;
/// The embedding model and size rules are indexed with.
pub const EMBEDDING_MODEL: &str = "gemini-embedding-001";
pub const DIMENSIONS: u32 = 768;

#[derive(Clone)]
pub struct Rulebook {
    store: Records,
    embedder: Option<Arc<GeminiClient>>,
    breakers: Breakers,
}

impl Rulebook {
    pub fn new(store: Records, embedder: Option<GeminiClient>, breakers: Breakers) -> Self {
        Self { store, embedder: embedder.map(Arc::new), breakers }
    }

    /// The project's active rules, nearest `about` first, at most [`NEAREST`]. A rule not yet
    /// indexed (a director's, written through the gateway) is embedded here, and the vector
    /// appended as the rule's next revision.
    pub async fn nearest(&self, project: ProjectId, about: &str) -> Result<Vec<Rule>, ActivityError> {
        let mut rules = Vec::new();
        for (revision, rule) in self.active(project).await? {
            rules.push(match rule.embedding {
                Some(_) => rule,
                None => self.index_later(revision, rule).await?,
            });
        }
        if rules.is_empty() {
            return Ok(rules);
        }
        rules.sort_by_key(|r| std::cmp::Reverse(r.created_at));
        if let Some(query) = self.embed(about, TaskType::RetrievalQuery).await? {
            let score = |r: &Rule| r.embedding.as_deref().filter(|v| v.len() == query.len()).map_or(f32::MIN, |v| dot(v, &query));
            // Stable: equal scores (and rules without a vector) stay newest first.
            rules.sort_by(|a, b| score(b).total_cmp(&score(a)));
        }
        rules.truncate(NEAREST);
        Ok(rules)
    }

    /// `rule` with its text's embedding, ready to store.
    pub async fn indexed(&self, mut rule: Rule) -> Result<Rule, ActivityError> {
        if let Some(vector) = self.embed(&rule.text, TaskType::RetrievalDocument).await? {
            rule.embedding = Some(vector);
            rule.embedding_model = Some(EMBEDDING_MODEL.into());
        }
        Ok(rule)
    }

    async fn active(&self, project: ProjectId) -> Result<Vec<(u64, Rule)>, ActivityError> {
        let all = self.store.list::<Rule>(Under::Project(project.to_string()), At::Newest).await.map_err(store_failure)?;
        Ok(all.into_iter().filter(|(_, r)| r.active).collect())
    }

    /// `rule` (revision `revision`) indexed, its vector stored as the next revision; a rule
    /// that changed meanwhile is used as it was, and indexed by a later reader.
    async fn index_later(&self, revision: u64, rule: Rule) -> Result<Rule, ActivityError> {
        let indexed = self.indexed(rule.clone()).await?;
        if indexed.embedding.is_none() {
            return Ok(rule);
        }
        match self.store.append(&indexed, revision + 1).await {
            Ok(()) => Ok(indexed),
            Err(StoreError::Conflict { .. }) => Ok(rule),
            Err(e) => Err(store_failure(e)),
        }
    }

    /// The unit vector of `text`, or `None` without an embedding model.
    async fn embed(&self, text: &str, task: TaskType) -> Result<Option<Vec<f32>>, ActivityError> {
        let Some(client) = &self.embedder else { return Ok(None) };
        let request = EmbedRequest { model: EMBEDDING_MODEL.into(), texts: vec![text.to_string()], task, dimensions: Some(DIMENSIONS) };
        let breaker = self.breakers.get(Provider::Gemini);
        let vectors = breaker.call(client.embed(&request)).await.map_err(|e| retryable(format!("embedding a rule: {e}")))?;
        Ok(vectors.into_iter().next())
    }
}

fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}
