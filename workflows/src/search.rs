//! Miri's Temporal search attributes, so operators find every shot in the Temporal Web UI.
//! `miri up` registers each of [`ALL`] before the first workflow starts.

use temporalio_common::search_attributes::SearchAttributeKey;

pub const PROJECT_ID: SearchAttributeKey<String> = SearchAttributeKey::keyword("ProjectId");
pub const SCENE_ID: SearchAttributeKey<String> = SearchAttributeKey::keyword("SceneId");
pub const SHOT_ID: SearchAttributeKey<String> = SearchAttributeKey::keyword("ShotId");
pub const SHOT_STATUS: SearchAttributeKey<String> = SearchAttributeKey::keyword("ShotStatus");

/// Every attribute, as `(name, Temporal type)`.
pub const ALL: [(&str, &str); 4] =
    [("ProjectId", "Keyword"), ("SceneId", "Keyword"), ("ShotId", "Keyword"), ("ShotStatus", "Keyword")];
