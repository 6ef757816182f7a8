//! Miri's Temporal workflows: deterministic process logic only. Every call to the outside world
//! is an activity declared in [`contract`] and implemented in the `miri-activities` crate, so this
//! crate never opens a socket, reads a clock or draws a random number outside the SDK.

pub mod analysis;
pub mod ask;
pub mod breakdown;
pub mod contract;
pub mod provider;
pub mod render;
pub mod scene;
pub mod search;
pub mod shot;
pub mod story;

pub use analysis::AnalysisWorkflow;
pub use breakdown::BreakdownWorkflow;
pub use render::RenderWorkflow;
pub use scene::SceneWorkflow;
pub use shot::ShotWorkflow;
pub use story::StoryWorkflow;

/// The task queue of the I/O worker (workflows and provider activities).
pub const TASK_QUEUE: &str = "miri";

/// The task queue of the render worker: ffmpeg work, kept apart so a long render never delays
/// a shot's provider calls.
pub const RENDER_TASK_QUEUE: &str = "miri-render";

/// The workflow id of a shot's lifecycle.
pub fn shot_workflow_id(shot: miri_core::ShotId) -> String {
    format!("shot:{shot}")
}

/// The workflow id of one render of a project.
pub fn render_workflow_id(project: miri_core::ProjectId, render: miri_core::RenderId) -> String {
    format!("render:{project}:{render}")
}

/// The project a render's workflow id names (see [`render_workflow_id`]).
pub fn render_workflow_project(workflow_id: &str) -> Option<miri_core::ProjectId> {
    let rest = workflow_id.strip_prefix("render:")?;
    miri_core::ProjectId::parse("projectId", rest.split(':').next()?).ok()
}

/// The workflow id of one analysis of a project's song.
pub fn analysis_workflow_id(project: miri_core::ProjectId, analysis: miri_core::AnalysisId) -> String {
    format!("analysis:{project}:{analysis}")
}

/// The workflow id of one breakdown of a project's song into scenes.
pub fn breakdown_workflow_id(project: miri_core::ProjectId, breakdown: uuid::Uuid) -> String {
    format!("breakdown:{project}:{breakdown}")
}

/// The workflow id of a scene's reference generation.
pub fn scene_workflow_id(scene: miri_core::SceneId) -> String {
    format!("scene:{scene}")
}

/// The workflow id of one story conversation's interview.
pub fn story_workflow_id(conversation: miri_core::ConversationId) -> String {
    format!("story:{conversation}")
}

/// The workflow that answers QA conversation `conversation` about a shot.
pub fn qa_workflow_id(conversation: miri_core::ConversationId) -> String {
    format!("qa:{conversation}")
}

/// The workflow that answers general conversation `conversation` (the chat's tools).
pub fn assistant_workflow_id(conversation: miri_core::ConversationId) -> String {
    format!("assistant:{conversation}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_render_workflow_id_names_its_project() {
        let (project, render) = (miri_core::ProjectId::from_uuid(uuid::Uuid::new_v4()), miri_core::RenderId::from_uuid(uuid::Uuid::new_v4()));
        assert_eq!(render_workflow_project(&render_workflow_id(project, render)), Some(project));
        assert_eq!(render_workflow_project(&format!("analysis:{project}:{render}")), None);
        assert_eq!(render_workflow_project("render:not-a-uuid:x"), None);
    }
}
