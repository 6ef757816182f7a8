//! Reading what an activity needs from the store: a record that must exist (else a `NotFound`
//! failure naming it, which no retry fixes), and the records an earlier attempt of the same
//! activity already wrote under ids the workflow drew.

use crate::shot::{fail, store_failure};
use miri_core::prompt::FluxRequest;
use miri_core::prompt::edit::EditRequest;
use miri_core::{Analysis, Project, ProjectId, Scene, Script, Shot, Version};
use miri_store::{At, Record, Records, Under};
use miri_workflows::contract::failure;
use std::fmt::Display;
use temporalio_sdk::activities::ActivityError;

/// The newest revision of `what` `id`.
pub async fn required<T: Record>(store: &Records, what: &str, id: impl Display) -> Result<T, ActivityError> {
    let id = id.to_string();
    match store.get::<T>(&id, At::Newest).await.map_err(store_failure)? {
        Some((_, record)) => Ok(record),
        None => Err(fail(failure::NOT_FOUND, format!("{what} {id} does not exist"))),
    }
}

/// The records stored under `ids`, in order, up to the first one missing; `None` when the first is.
pub async fn stored_run<T: Record, I: Display>(store: &Records, ids: impl IntoIterator<Item = I>) -> Result<Option<Vec<T>>, ActivityError> {
    let mut found = Vec::new();
    for id in ids {
        match store.get::<T>(&id.to_string(), At::Newest).await.map_err(store_failure)? {
            Some((_, record)) => found.push(record),
            None => break,
        }
    }
    Ok((!found.is_empty()).then_some(found))
}

/// The project's newest song analysis, if it has one.
pub async fn newest_analysis(store: &Records, project: ProjectId) -> Result<Option<Analysis>, ActivityError> {
    let all = store.list::<Analysis>(Under::Project(project.to_string()), At::Newest).await.map_err(store_failure)?;
    Ok(all.into_iter().map(|(_, a)| a).max_by_key(|a| a.created_at))
}

/// The story the breakdown follows: the newest accepted script (the story interview's), else the
/// director's base plot.
pub async fn story(store: &Records, project: &Project) -> Result<String, ActivityError> {
    let scripts = store.list::<Script>(Under::Project(project.config.project_id.to_string()), At::Newest).await.map_err(store_failure)?;
    let accepted = scripts.into_iter().map(|(_, s)| s).filter(Script::is_accepted).max_by_key(|s| s.accepted_at);
    Ok(accepted.map_or_else(|| project.plot.clone(), |s| s.as_plot()))
}

/// The scene `shot` belongs to (none for a shot added by hand without one).
pub async fn scene_of(store: &Records, shot: &Shot) -> Result<Option<Scene>, ActivityError> {
    let Some(id) = shot.scene_id else { return Ok(None) };
    Ok(store.get::<Scene>(&id.to_string(), At::Newest).await.map_err(store_failure)?.map(|(_, s)| s))
}

/// Where a still came from: the FLUX request it was first drawn from (a still prompt, or a QA
/// fix that refined it), and the edit commands applied since, oldest first.
pub struct Origin {
    pub flux: FluxRequest,
    pub edits: Vec<String>,
}

/// The origin of `still`, walking its parents: a still's parent is its prompt or its edit, an
/// edit's parent the still it edits.
pub async fn origin(store: &Records, still: &Version) -> Result<Origin, ActivityError> {
    let invalid = |why: String| fail(failure::INVALID_PROMPT, why);
    let mut edits = Vec::new();
    let mut at = still.clone();
    for _ in 0..64 {
        let parent = at.parent.ok_or_else(|| invalid(format!("still {} has no prompt", still.version_id)))?;
        let source: Version = required(store, "version", parent).await?;
        let request = source.request.clone().unwrap_or_default();
        if let Ok(flux) = serde_json::from_value::<FluxRequest>(request.clone()) {
            edits.reverse();
            return Ok(Origin { flux, edits });
        }
        let edit: EditRequest = serde_json::from_value(request)
            .map_err(|_| invalid(format!("still {} has no recorded FLUX request", still.version_id)))?;
        edits.push(edit.command);
        at = required(store, "version", source.parent.unwrap_or(parent)).await?;
    }
    Err(invalid(format!("still {} is more than 64 edits from its prompt", still.version_id)))
}
