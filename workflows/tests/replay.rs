//! Recorded histories replayed against the current workflow code: a change that would break a
//! running workflow's determinism fails here, not in production. Record new ones with
//! `miri history <workflow-id> --out workflows/tests/histories/<name>.json`.

use temporalio_client::WorkflowHistory;
use temporalio_sdk::workflow_replayer::{WorkflowReplayer, WorkflowReplayerOptions};

async fn replay(file: &str) {
    let path = format!("{}/tests/histories/{file}", env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let history = WorkflowHistory::from_json(&bytes).unwrap();
    let options = WorkflowReplayerOptions::new()
        .register_workflow::<miri_workflows::ShotWorkflow>()
        .unwrap()
        .register_workflow::<miri_workflows::RenderWorkflow>()
        .unwrap()
        .register_workflow::<miri_workflows::StoryWorkflow>()
        .unwrap()
        .build();
    let replayer = WorkflowReplayer::new(options).unwrap();
    replayer.replay_workflow(history).await.unwrap_or_else(|e| panic!("{file} no longer replays: {e:?}"));
}

#[tokio::test]
async fn a_shot_rejected_once_then_approved_replays() {
    replay("shot-reject-approve.json").await;
}

#[tokio::test]
async fn a_render_of_three_shots_replays() {
    replay("render-three-shots.json").await;
}

#[tokio::test]
async fn a_render_refused_for_a_gap_replays() {
    replay("render-gap.json").await;
}

#[tokio::test]
async fn a_shot_paused_over_its_budget_then_resumed_replays() {
    replay("shot-budget-pause.json").await;
}

#[tokio::test]
async fn a_story_interview_with_refused_answers_and_a_turn_given_up_replays() {
    replay("story-refusals.json").await;
}

#[tokio::test]
async fn a_shot_whose_prompt_the_auditor_fixed_replays() {
    replay("shot-audit-fix.json").await;
}

#[tokio::test]
async fn a_shot_rejected_and_learnt_from_replays() {
    replay("shot-reject-rule.json").await;
}

#[tokio::test]
async fn a_shot_refined_by_an_edit_then_approved_replays() {
    replay("shot-refine-approve.json").await;
}

#[tokio::test]
async fn a_shot_refined_by_qa_proposals_then_approved_replays() {
    replay("shot-qa-proposals.json").await;
}

#[tokio::test]
async fn a_qa_conversation_replays() {
    replay("qa-conversation.json").await;
}

#[tokio::test]
async fn a_shot_whose_clip_prompt_the_auditor_fixed_replays() {
    replay("shot-clip-audit.json").await;
}

#[tokio::test]
async fn an_animatic_of_a_clip_a_still_and_a_title_card_replays() {
    replay("render-animatic.json").await;
}
