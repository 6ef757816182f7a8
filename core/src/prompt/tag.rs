//! The tag every prompt starts with: `[ShotID]_[VersionID]_[ModelCode]`. It ties a prompt, the
//! provider request it became and the media that came back to one shot, one version and one model,
//! even when all that survives is a provider's log line.

use crate::{ShotId, VersionId};
use std::{fmt, str::FromStr};

/// An upper-case model code such as `FLUX2` or `KLINGV3`: letters and digits only, so the tag's
/// `_` separators stay unambiguous.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ModelCode(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TagError {
    #[error("the model code {0:?} must be 1-24 upper-case letters and digits, like FLUX2")]
    BadCode(String),
    #[error("the tag {0:?} must be [<ShotID uuid>]_[<VersionID uuid>]_[<ModelCode>]")]
    Shape(String),
    #[error("the tag's {field} {value:?} is not a UUID")]
    BadId { field: &'static str, value: String },
}

impl ModelCode {
    pub fn new(code: &str) -> Result<Self, TagError> {
        let ok = (1..=24).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
        if ok { Ok(Self(code.to_string())) } else { Err(TagError::BadCode(code.chars().take(32).collect())) }
    }

    /// The code of a fal endpoint id: the model family and its version, upper-case, letters and
    /// digits only (`fal-ai/flux-2/lora` → `FLUX2`, `fal-ai/flux-2/lora/edit` → `FLUX2EDIT`,
    /// `fal-ai/kling-video/v3/standard/image-to-video` → `KLINGV3`, `…/v2.1/pro/…` → `KLINGV21`).
    pub fn of_endpoint(endpoint_id: &str) -> Self {
        let parts: Vec<&str> = endpoint_id.split('/').skip(1).collect();
        let family = parts.first().copied().unwrap_or(endpoint_id).trim_end_matches("-video");
        let mut code = family.to_string();
        if let Some(v) = parts.get(1).filter(|p| is_version(p)) {
            code.push_str(v);
        }
        if parts.last().is_some_and(|p| *p == "edit") {
            code.push_str("EDIT");
        }
        let code: String = code.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_uppercase()).take(24).collect();
        Self(if code.is_empty() { "MODEL".into() } else { code })
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// `v3`, `o3`, `v2.1`, `o1`: a path segment naming a model version.
fn is_version(seg: &str) -> bool {
    let mut c = seg.chars();
    matches!(c.next(), Some('v' | 'o')) && c.next().is_some_and(|d| d.is_ascii_digit())
}

impl fmt::Display for ModelCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    pub shot: ShotId,
    pub version: VersionId,
    pub code: ModelCode,
}

impl Tag {
    pub fn new(shot: ShotId, version: VersionId, code: ModelCode) -> Self {
        Self { shot, version, code }
    }

    /// The tag of a scene's reference image: the scene's id where a shot's stands, the asset's
    /// where a version's does (the same `[uuid]_[uuid]_[CODE]` shape, so every check still holds).
    pub fn of_scene_asset(scene: crate::SceneId, asset: crate::AssetId, code: ModelCode) -> Self {
        Self { shot: ShotId::from_uuid(scene.uuid()), version: VersionId::from_uuid(asset.uuid()), code }
    }
}

impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}]_[{}]_[{}]", self.shot, self.version, self.code)
    }
}

impl FromStr for Tag {
    type Err = TagError;

    fn from_str(s: &str) -> Result<Self, TagError> {
        let shape = || TagError::Shape(s.chars().take(120).collect());
        let inner = s.strip_prefix('[').and_then(|r| r.strip_suffix(']')).ok_or_else(shape)?;
        let parts: Vec<&str> = inner.split("]_[").collect();
        let [shot, version, code] = parts.as_slice() else { return Err(shape()) };
        let id = |field: &'static str, value: &str| {
            // Only the canonical hyphenated form: a tag is compared as text in logs.
            let ok = value.len() == 36 && value.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-');
            uuid::Uuid::parse_str(value)
                .ok()
                .filter(|_| ok)
                .ok_or_else(|| TagError::BadId { field, value: value.chars().take(40).collect() })
        };
        Ok(Self {
            shot: ShotId::from_uuid(id("ShotID", shot)?),
            version: VersionId::from_uuid(id("VersionID", version)?),
            code: ModelCode::new(code)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: &str = "6f1c2a9e-8f0b-4a57-9d55-0d4b5c7b1e2a";
    const V: &str = "0b7e5d2c-1a3f-4e6b-8c9d-2f4a6b8c0d1e";

    #[test]
    fn codes_of_endpoints() {
        for (endpoint, code) in [
            ("fal-ai/flux-2/lora", "FLUX2"),
            ("fal-ai/flux-2/lora/edit", "FLUX2EDIT"),
            ("fal-ai/flux-2/edit", "FLUX2EDIT"),
            ("fal-ai/flux-2-pro", "FLUX2PRO"),
            ("fal-ai/kling-video/v3/standard/image-to-video", "KLINGV3"),
            ("fal-ai/kling-video/v2.1/pro/image-to-video", "KLINGV21"),
            ("fal-ai/kling-video/o3/pro/image-to-video", "KLINGO3"),
        ] {
            assert_eq!(ModelCode::of_endpoint(endpoint).as_str(), code, "{endpoint}");
        }
    }

    #[test]
    fn round_trip() {
        let text = format!("[{S}]_[{V}]_[FLUX2]");
        let tag: Tag = text.parse().unwrap();
        assert_eq!(tag.to_string(), text);
        assert_eq!(tag.code.as_str(), "FLUX2");
    }

    #[test]
    fn malformed_tags_say_what_is_wrong() {
        let cases = [
            (format!("{S}_{V}_FLUX2"), "must be [<ShotID uuid>]"),
            (format!("[{S}]_[{V}]"), "must be [<ShotID uuid>]"),
            (format!("[{S}]_[{V}]_[flux2]"), "upper-case"),
            (format!("[{S}]_[{V}]_[FLUX_2]"), "upper-case"),
            (format!("[not-a-uuid]_[{V}]_[FLUX2]"), "ShotID"),
            (format!("[{S}]_[{}]_[FLUX2]", V.replace('-', "")), "VersionID"),
        ];
        for (text, needle) in cases {
            let err = text.parse::<Tag>().unwrap_err().to_string();
            assert!(err.contains(needle), "{text}: {err}");
        }
    }
}
