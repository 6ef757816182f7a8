//! Miri's Temporal search attributes, so operators find every shot in the Temporal Web UI.
//! `miri up` registers each of [`ALL`] before the first workflow starts.

use temporalio_common::search_attributes::SearchAttributeKey;

pub const PROJECT_ID: SearchAttributeKey<String> = SearchAttributeKey::keyword("ProjectId");
pub const SCENE_ID: SearchAttributeKey<String> = SearchAttributeKey::keyword("SceneId");
pub const SHOT_ID: SearchAttributeKey<String> = SearchAttributeKey::keyword("ShotId");
pub const SHOT_STATUS: SearchAttributeKey<String> = SearchAttributeKey::keyword("ShotStatus");
/// Finds a render's workflow from its id alone (`GET /api/renders/{id}`).
pub const RENDER_ID: SearchAttributeKey<String> = SearchAttributeKey::keyword("RenderId");

/// Every attribute, as `(name, Temporal type)`.
pub const ALL: [(&str, &str); 5] = [
    ("ProjectId", "Keyword"),
    ("SceneId", "Keyword"),
    ("ShotId", "Keyword"),
    ("ShotStatus", "Keyword"),
    ("RenderId", "Keyword"),
];
