//! Prompt rules (architecture §5) for the walking skeleton: the `[ShotID]_[VersionID]_[ModelCode]`
//! prefix, FLUX.2 prompts as JSON with Miri drawn only through the LoRA and her fixed
//! descriptors, and Kling prompts that state the resting state before the action. The domain-core
//! issue grows this module; every caller already goes through it.

use crate::{ShotId, VersionId};
use serde_json::json;

/// The descriptors Miri's description always carries.
pub const MIRI_DESCRIPTORS: [&str; 6] =
    ["Child physique", "Young girl", "Loose fit", "Heavy fabric", "Mid-calf", "Mouth CLOSED"];

/// A model code for the prefix: the fal endpoint id without its owner, `/` → `-`
/// (`fal-ai/flux-2/lora` → `flux-2-lora`).
pub fn model_code(endpoint_id: &str) -> String {
    let rest = endpoint_id.split_once('/').map_or(endpoint_id, |(_, r)| r);
    rest.replace('/', "-")
}

/// `[ShotID]_[VersionID]_[ModelCode]`, which every prompt starts with.
pub fn prefix(shot: ShotId, version: VersionId, endpoint_id: &str) -> String {
    format!("[{shot}]_[{version}]_[{}]", model_code(endpoint_id))
}

/// The FLUX.2 still prompt: the prefix, then a JSON object (never free text).
pub fn still_prompt(
    shot: ShotId,
    version: VersionId,
    endpoint_id: &str,
    lora: &str,
    description: &str,
) -> String {
    let body = json!({
        "scene": description.trim(),
        "subjects": [{
            "type": "character",
            "description": format!("{lora}, {}", MIRI_DESCRIPTORS.join(", ")),
            "pose": "standing at rest, arms relaxed",
            "position": "center third",
        }],
        "style": "cinematic film still, 35mm",
        "lighting": "soft natural key light",
        "camera": {"angle": "eye level", "lens": "35mm", "depth_of_field": "shallow"},
    });
    format!("{} {body}", prefix(shot, version, endpoint_id))
}

/// The Kling prompt: the static resting state first, then the action.
pub fn clip_prompt(shot: ShotId, version: VersionId, endpoint_id: &str, description: &str) -> String {
    format!(
        "{} Resting state: Miri stands still, mouth closed, as in the start frame. Action: {}",
        prefix(shot, version, endpoint_id),
        description.trim()
    )
}

/// The clip length (whole seconds) to request for a shot of `duration_ms` from a Kling
/// endpoint: v3/O3 take any of 3–15 s, older families only 5 or 10. Rounded up, so the clip
/// covers the shot and the render trims it.
pub fn clip_duration_secs(endpoint_id: &str, duration_ms: u64) -> u32 {
    let secs = duration_ms.div_ceil(1000).min(u64::from(u32::MAX)) as u32;
    if endpoint_id.contains("/v3/") || endpoint_id.contains("/o3/") {
        secs.clamp(3, 15)
    } else if secs <= 5 {
        5
    } else {
        10
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn ids() -> (ShotId, VersionId) {
        (ShotId::from_uuid(Uuid::nil()), VersionId::from_uuid(Uuid::max()))
    }

    #[test]
    fn still_prompt_starts_with_the_prefix_and_is_json() {
        let (s, v) = ids();
        let p = still_prompt(s, v, "fal-ai/flux-2/lora", "miriN14", "a garden at dawn");
        let expected_prefix = format!("[{s}]_[{v}]_[flux-2-lora] ");
        assert!(p.starts_with(&expected_prefix), "{p}");
        let body: serde_json::Value = serde_json::from_str(&p[expected_prefix.len()..]).unwrap();
        let miri = body["subjects"][0]["description"].as_str().unwrap();
        assert!(miri.starts_with("miriN14, "));
        for d in MIRI_DESCRIPTORS {
            assert!(miri.contains(d), "missing {d}");
        }
        assert_eq!(body["scene"], "a garden at dawn");
    }

    #[test]
    fn clip_duration_follows_the_endpoint_family() {
        let v3 = "fal-ai/kling-video/v3/standard/image-to-video";
        assert_eq!(clip_duration_secs(v3, 3000), 3);
        assert_eq!(clip_duration_secs(v3, 3001), 4);
        assert_eq!(clip_duration_secs(v3, 900), 3);
        assert_eq!(clip_duration_secs(v3, 60_000), 15);
        let v21 = "fal-ai/kling-video/v2.1/pro/image-to-video";
        assert_eq!(clip_duration_secs(v21, 4200), 5);
        assert_eq!(clip_duration_secs(v21, 5200), 10);
    }

    #[test]
    fn clip_prompt_states_rest_before_action() {
        let (s, v) = ids();
        let p = clip_prompt(s, v, "fal-ai/kling-video/v3/standard/image-to-video", "she waves");
        let rest = p.find("Resting state").unwrap();
        let action = p.find("Action: she waves").unwrap();
        assert!(rest < action);
        assert!(p.contains("_[kling-video-v3-standard-image-to-video]"));
    }
}
