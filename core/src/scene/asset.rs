//! A scene's reference images: its background, Miri's outfit and each prop, generated with the
//! scene's seed before any shot exists, so every still of the scene can be given the same place,
//! clothes and things to hold. Each is its own record under the scene: submitted first (the
//! provider's request id, so a retry never pays twice), then completed with its media.

use crate::prompt::{Coloured, FluxRequest, ModelCode, Tag, Violation};
use crate::schema::{FieldError, Validate, rfc3339, text};
use crate::{AssetId, Cost, MediaRef, ProjectId, Scene, SceneId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AssetRole {
    Background,
    Outfit,
    Prop,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SceneAsset {
    pub asset_id: AssetId,
    pub scene_id: SceneId,
    pub project_id: ProjectId,
    pub role: AssetRole,
    /// "background", "outfit" or the prop's name.
    pub name: String,
    /// The validated FLUX request, as submitted.
    pub request: FluxRequest,
    /// The fal endpoint it went to.
    pub endpoint: String,
    /// The provider's request, once submitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_url: Option<String>,
    /// The image, once made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media: Option<MediaRef>,
    /// Where the provider published it (what later FLUX calls reference).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<Cost>,
    /// The prompt in Hebrew, for the director (once made; a translation that failed leaves none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hebrew: Option<String>,
    #[serde(with = "rfc3339")]
    pub created_at: DateTime<Utc>,
}

impl Validate for SceneAsset {
    fn validate(&self) -> Result<(), FieldError> {
        text("name", &self.name, 200)?;
        text("endpoint", &self.endpoint, 200)?;
        if self.media.is_some() && self.source_url.is_none() {
            return Err(FieldError::new("sourceUrl", "a made reference keeps the provider's URL beside its media"));
        }
        Ok(())
    }
}

/// The references a scene needs, in order: its background, its outfit, then each prop.
pub fn wanted(scene: &Scene) -> Vec<(AssetRole, String)> {
    [(AssetRole::Background, "background".to_string()), (AssetRole::Outfit, "outfit".to_string())]
        .into_iter()
        .chain(scene.props.iter().map(|p| (AssetRole::Prop, p.name.clone())))
        .collect()
}

/// The FLUX request of reference `index` of [`wanted`] (`asset_id` in its tag, the scene's seed).
pub fn request(scene: &Scene, index: usize, asset_id: AssetId, endpoint: &str) -> Result<FluxRequest, Vec<Violation>> {
    let tag = Tag::of_scene_asset(scene.scene_id, asset_id, ModelCode::of_endpoint(endpoint));
    let builder = FluxRequest::builder(tag, scene.seed);
    let studio = "a plain studio backdrop, nothing else in frame";
    match index {
        0 => builder
            .scene(&format!("{}: {}", scene.location, scene.background))
            .camera("wide establishing shot, eye level, 24mm lens")
            .empty_set("fills the frame")
            .build(),
        1 => builder.scene(studio).camera("top-down product shot").garment(&scene.outfit.description, "centered").build(),
        n => {
            let prop = &scene.props[n - 2];
            builder.scene(studio).camera("product shot, eye level").prop(&Coloured { name: prop.name.clone(), colour: prop.colour }, "centered").build()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prompt::color::Hex;
    use crate::{Colour, Outfit, Prop, Timestamps};
    use uuid::Uuid;

    fn scene() -> Scene {
        Scene {
            scene_id: SceneId::from_uuid(Uuid::from_u128(7)),
            project_id: ProjectId::from_uuid(Uuid::nil()),
            index: 0,
            timestamps: Timestamps { start_ms: 0, end_ms: 10_000 },
            location: "a small bedroom at night".into(),
            background: "a window full of stars above a wooden bed".into(),
            outfit: Outfit {
                description: "a long-sleeved nightgown in hex #A7C7E7".into(),
                colours: vec![Colour { name: "nightgown".into(), hex: Hex::parse("#A7C7E7").unwrap() }],
            },
            props: vec![Prop { name: "brass lamp".into(), description: "a small lamp".into(), colour: Hex::parse("#D4A017").unwrap() }],
            seed: 421_337,
            created_at: Utc::now(),
        }
    }

    #[test]
    fn every_reference_is_a_valid_flux_request_with_the_scene_seed() {
        let s = scene();
        let wanted = wanted(&s);
        assert_eq!(wanted.iter().map(|(r, _)| *r).collect::<Vec<_>>(), [AssetRole::Background, AssetRole::Outfit, AssetRole::Prop]);
        for i in 0..wanted.len() {
            let asset = AssetId::from_uuid(Uuid::from_u128(100 + i as u128));
            let r = request(&s, i, asset, "fal-ai/flux-2/lora").unwrap_or_else(|v| panic!("reference {i}: {v:?}"));
            assert_eq!(r.seed, 421_337);
            assert!(r.lora.is_none(), "no Miri in a reference, so no LoRA");
            assert!(r.tag.contains(&s.scene_id.to_string()) && r.tag.contains(&asset.to_string()), "{}", r.tag);
        }
        let outfit = request(&s, 1, AssetId::from_uuid(Uuid::nil()), "fal-ai/flux-2/lora").unwrap();
        assert!(outfit.prompt.subjects[0].description.contains("#A7C7E7"));
    }
}
