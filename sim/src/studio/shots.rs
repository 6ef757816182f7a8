//! `miri.shots`: a scene cut at the starts of its sung Moments, neighbouring pieces joined up to
//! about six seconds (never past the longest clip), long instrumental stretches split evenly.
//! Each still shows Miri at rest in the scene's place; framings and clip motions go in turn.

use serde_json::{Value, json};

/// What a shot aims at, at most.
const TARGET_MS: u64 = 6000;

const CAMERAS: [&str; 4] = ["wide shot, eye level", "medium shot, eye level", "close-up, soft background", "medium close-up from the side"];
const MOTIONS: [&str; 4] = [
    "she slowly turns her head toward the light",
    "the camera slowly pushes in",
    "she lifts her hand to her cheek",
    "a soft breeze moves her hair",
];

pub fn answer(data: &Value, broken: bool) -> Value {
    let scene = &data["scene"];
    let (start, end) = (scene["startMs"].as_u64().unwrap_or(0), scene["endMs"].as_u64().unwrap_or(0));
    let longest = data["longestClipSecs"].as_u64().unwrap_or(5).max(1) * 1000;
    let place = scene["location"].as_str().unwrap_or("a quiet room").split(" (").next().unwrap_or_default().to_string();
    let mut points: Vec<u64> = vec![start];
    points.extend(
        data["moments"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|m| m["startMs"].as_u64())
            .filter(|&s| s > start && s < end),
    );
    points.push(end);
    points.dedup();
    // Pieces longer than a clip are split evenly.
    let mut fine = Vec::new();
    for w in points.windows(2) {
        let n = (w[1] - w[0]).div_ceil(longest);
        fine.extend((0..n).map(|k| w[0] + k * (w[1] - w[0]) / n));
    }
    fine.push(end);
    // Joined greedily up to the target length (longer when fewer shots are wanted).
    let most = data["mostShots"].as_u64().unwrap_or(u64::MAX).max(1);
    let target = TARGET_MS.max((end - start).div_ceil(most)).min(longest);
    let mut cuts = vec![start];
    for (i, &p) in fine.iter().enumerate().skip(1) {
        let shot_start = *cuts.last().unwrap_or(&start);
        if p - shot_start > target && fine[i - 1] > shot_start {
            cuts.push(fine[i - 1]);
        }
    }
    cuts.push(end);
    cuts.dedup();
    // Still too many: join the shortest neighbours that fit one clip.
    while cuts.len() as u64 - 1 > most {
        let joinable = (1..cuts.len() - 1).filter(|&i| cuts[i + 1] - cuts[i - 1] <= longest).min_by_key(|&i| cuts[i + 1] - cuts[i - 1]);
        match joinable {
            Some(i) => {
                cuts.remove(i);
            }
            None => break,
        }
    }
    let shots: Vec<Value> = cuts
        .windows(2)
        .enumerate()
        .map(|(i, w)| {
            let description = if broken && i == 0 {
                format!("Miri runs across {place}")
            } else {
                format!("Miri in {place}, at rest, {}", CAMERAS[i % CAMERAS.len()].split(',').next().unwrap_or_default())
            };
            json!({
                "startMs": w[0], "endMs": w[1], "description": description,
                "camera": CAMERAS[i % CAMERAS.len()], "motion": MOTIONS[i % MOTIONS.len()],
            })
        })
        .collect();
    json!({ "shots": shots })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shots_start_on_moments_cover_the_scene_and_fit_a_clip() {
        let moments: Vec<Value> = [10_600u64, 12_400, 14_200, 16_000, 25_000]
            .iter()
            .map(|s| json!({ "words": "שתי מילים", "startMs": s, "endMs": s + 1500 }))
            .collect();
        let data = json!({ "scene": { "startMs": 10_000, "endMs": 40_000, "location": "a garden (plot)" },
                           "moments": moments, "longestClipSecs": 10 });
        let a = answer(&data, false);
        let shots = a["shots"].as_array().unwrap();
        let edges: Vec<(u64, u64)> = shots.iter().map(|s| (s["startMs"].as_u64().unwrap(), s["endMs"].as_u64().unwrap())).collect();
        assert_eq!(edges.first().unwrap().0, 10_000);
        assert_eq!(edges.last().unwrap().1, 40_000);
        assert!(edges.windows(2).all(|w| w[0].1 == w[1].0));
        assert!(edges.iter().all(|(s, e)| e - s <= 10_000), "{edges:?}");
        assert!(edges.iter().skip(1).take(2).all(|(s, _)| [10_600, 12_400, 14_200, 16_000, 25_000].contains(s)), "{edges:?}");
        assert_eq!(shots[0]["description"], "Miri in a garden, at rest, wide shot");

        let mut few = data.clone();
        few["mostShots"] = json!(2);
        let shots = answer(&few, false)["shots"].as_array().unwrap().clone();
        // 30 s cannot go in 2 clips of 10 s: the fewest the cut points allow, each still one clip.
        assert_eq!(shots.len(), 4, "{shots:?}");
        assert!(shots.iter().all(|s| s["endMs"].as_u64().unwrap() - s["startMs"].as_u64().unwrap() <= 10_000));
    }
}
