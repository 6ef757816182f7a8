//! Properties of the prompt rules: whatever the builders make validates, validation never panics
//! on any text, and tags and durations keep their contracts for every input.

use miri_core::prompt::color::Hex;
use miri_core::prompt::kling::Durations;
use miri_core::prompt::{Coloured, FluxRequest, KlingModel, ModelCode, RestingPose, Tag, edit, flux};
use miri_core::{ShotId, VersionId};
use proptest::prelude::*;
use uuid::Uuid;

const PLACES: &[&str] = &["rooftop garden", "stone courtyard", "גג אבן", "olive grove", "חדר ילדים", "quiet library"];
const TIMES: &[&str] = &["at dawn", "at dusk", "בבוקר", "under a clear sky", "in winter"];
const GARMENTS: &[&str] = &["wool dress", "long coat", "שמלת צמר", "knitted scarf", "felt hat"];
const PROPS: &[&str] = &["paper lantern", "wooden bench", "פנס נייר", "clay jug", "prayer book"];
const DECOR: &[&str] = &["", "\u{200F}", "\u{200E}", "\u{2067}", " 🌅", " ✨"];

fn tag() -> impl Strategy<Value = Tag> {
    (any::<u128>(), any::<u128>(), "[A-Z][A-Z0-9]{0,10}")
        .prop_map(|(s, v, code)| {
            Tag::new(ShotId::from_uuid(Uuid::from_u128(s)), VersionId::from_uuid(Uuid::from_u128(v)), ModelCode::new(&code).unwrap())
        })
}

fn pick(items: &'static [&'static str]) -> impl Strategy<Value = &'static str> {
    proptest::sample::select(items)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn whatever_the_flux_builder_makes_validates(
        (s, v) in (any::<u128>(), any::<u128>()),
        seed in any::<u64>(),
        place in pick(PLACES), time in pick(TIMES), decor in pick(DECOR),
        pose in proptest::sample::select(RestingPose::ALL.to_vec()),
        garments in proptest::collection::vec((pick(GARMENTS), any::<[u8; 3]>()), 0..4),
        props in proptest::collection::vec((pick(PROPS), any::<[u8; 3]>()), 0..3),
        refs in 0usize..=10,
    ) {
        let tag = Tag::new(ShotId::from_uuid(Uuid::from_u128(s)), VersionId::from_uuid(Uuid::from_u128(v)), ModelCode::of_endpoint("fal-ai/flux-2/lora"));
        let outfit: Vec<Coloured> = garments.iter().map(|(n, c)| Coloured { name: n.to_string(), colour: Hex(*c) }).collect();
        let mut b = FluxRequest::builder(tag, seed)
            .scene(&format!("{decor}{place} {time}{decor}"))
            .miri(pose, "center third", &outfit);
        for (n, c) in &props {
            b = b.prop(&Coloured { name: n.to_string(), colour: Hex(*c) }, "beside her");
        }
        for i in 0..refs {
            b = b.image_url(&format!("https://v3.fal.media/files/ref{i}.png"));
        }
        let req = b.build().map_err(|v| TestCaseError::fail(format!("{v:?}")))?;
        let json = serde_json::to_value(&req).unwrap();
        prop_assert_eq!(flux::validate_json(&json), vec![]);
        let back: FluxRequest = serde_json::from_value(json).unwrap();
        prop_assert_eq!(back, req);
    }

    #[test]
    fn the_builder_refuses_exactly_what_the_validator_refuses(scene in "\\PC{0,80}", seed in any::<u64>(), tag in tag()) {
        let builder = FluxRequest::builder(tag, seed).scene(&scene).miri(RestingPose::Standing, "center", &[]);
        let draft = serde_json::to_value(builder.clone().draft()).unwrap();
        let from_json = flux::validate_json(&draft);
        match builder.build() {
            Ok(_) => prop_assert_eq!(from_json, vec![]),
            Err(violations) => prop_assert_eq!(violations, from_json),
        }
    }

    #[test]
    fn validation_never_panics_on_any_json_text(text in "\\PC{0,200}") {
        if let Ok(value) = serde_json::from_str::<serde_json::Value>(&text) {
            let _ = flux::validate_json(&value);
            let _ = miri_core::prompt::kling::validate_json(&value);
        }
        let _ = edit::validate(&text);
    }

    #[test]
    fn tags_round_trip(tag in tag()) {
        let text = tag.to_string();
        prop_assert_eq!(text.parse::<Tag>().unwrap(), tag);
    }

    #[test]
    fn clip_durations_cover_the_shot_and_are_allowed(ms in 1u64..40_000, family in pick(&[
        "fal-ai/kling-video/v3/standard/image-to-video",
        "fal-ai/kling-video/o3/pro/image-to-video",
        "fal-ai/kling-video/v2.1/pro/image-to-video",
        "fal-ai/kling-video/v1/standard/image-to-video",
    ])) {
        let model = KlingModel::of(family).unwrap();
        match (model.clip_secs(ms), model.durations) {
            (Ok(secs), Durations::Range(lo, hi)) => {
                prop_assert!((lo..=hi).contains(&secs));
                prop_assert!(u64::from(secs) * 1000 >= ms);
            }
            (Ok(secs), Durations::Choice(c)) => {
                prop_assert!(c.contains(&secs));
                prop_assert!(u64::from(secs) * 1000 >= ms);
            }
            (Err(longest), _) => prop_assert!(u64::from(longest) * 1000 < ms),
        }
    }

    #[test]
    fn short_concrete_commands_pass(
        verb in pick(&["Change", "Replace", "Remove", "Add", "Move", "Darken", "Brighten", "Rotate"]),
        object in pick(&["the sky", "her scarf", "the camera angle", "the lantern", "the bench"]),
        tail in pick(&["", " to dusk orange", " slightly left", " with a candle"]),
    ) {
        let command = format!("{verb} {object}{tail}");
        prop_assert_eq!(edit::validate(&command), vec![]);
    }
}
