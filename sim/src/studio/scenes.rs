//! `miri.scenes`: one scene per Part, short Parts joined to the next so no scene is shorter than
//! eight seconds, at most twelve. Places, outfits and props come from a small wardrobe in turn,
//! each colour with its code, the plot's opening words in every location.

use serde_json::{Value, json};

const SHORTEST_MS: u64 = 8000;
const MOST: usize = 12;

/// (location, background, outfit, its colour name and code, a prop, its colour)
const WARDROBE: [(&str, &str, &str, &str, &str, &str, &str); 4] = [
    ("a small bedroom at night", "a window full of stars above a wooden bed", "a long-sleeved nightgown in hex #A7C7E7", "nightgown", "#A7C7E7", "a brass lamp", "#D4A017"),
    ("a garden at dusk", "low lemon trees and a stone path", "a long dress in hex #C4725A with a cardigan in hex #F2E8CF", "dress", "#C4725A", "a watering can", "#4F7942"),
    ("the seashore under the moon", "calm sea, a wide moon, wet sand", "a long skirt in hex #1B3A5C and a sweater in hex #FFFFF0", "skirt", "#1B3A5C", "a lantern", "#FFB347"),
    ("a kitchen in the morning", "a table by a sunny window", "a long-sleeved dress in hex #E8B4B8", "dress", "#E8B4B8", "a loaf of bread", "#C68E17"),
];

pub fn answer(data: &Value, broken: bool) -> Value {
    let duration = data["song"]["durationMs"].as_u64().unwrap_or(0);
    let plot: String = data["plot"].as_str().unwrap_or_default().split_whitespace().take(6).collect::<Vec<_>>().join(" ");
    let mut edges: Vec<(u64, u64)> = Vec::new();
    for part in data["song"]["parts"].as_array().into_iter().flatten() {
        let (start, end) = (part["startMs"].as_u64().unwrap_or(0), part["endMs"].as_u64().unwrap_or(0));
        let full = edges.len() >= MOST;
        match edges.last_mut() {
            Some(last) if last.1 - last.0 < SHORTEST_MS || full => last.1 = end,
            _ => edges.push((start, end)),
        }
    }
    if let [.., before, last] = edges.as_mut_slice()
        && last.1 - last.0 < SHORTEST_MS
    {
        before.1 = last.1;
        edges.pop();
    }
    if edges.is_empty() {
        edges.push((0, duration));
    }
    let scenes: Vec<Value> = edges
        .iter()
        .enumerate()
        .map(|(i, &(start, end))| {
            let (location, background, outfit, garment, hex, prop, prop_hex) = WARDROBE[i % WARDROBE.len()];
            let location = if plot.is_empty() { location.to_string() } else { format!("{location} ({plot})") };
            json!({
                "startMs": start, "endMs": end, "location": location, "background": background,
                "outfit": { "description": outfit, "colours": [{ "name": garment, "hex": hex }] },
                "props": [{ "name": prop, "description": format!("{prop}, colour hex {prop_hex}"), "colour": prop_hex }],
            })
        })
        .collect();
    let mut answer = json!({ "scenes": scenes });
    if broken {
        answer["scenes"][0]["outfit"]["description"] = json!("a blue dress");
    }
    answer
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_parts_join_the_next_and_the_scenes_cover_the_song() {
        let parts = json!([
            {"startMs": 0, "endMs": 4000}, {"startMs": 4000, "endMs": 20_000},
            {"startMs": 20_000, "endMs": 40_000}, {"startMs": 40_000, "endMs": 43_000},
        ]);
        let a = answer(&json!({ "song": { "durationMs": 43_000, "parts": parts }, "plot": "A girl says goodnight" }), false);
        let edges: Vec<(u64, u64)> = a["scenes"].as_array().unwrap().iter().map(|s| (s["startMs"].as_u64().unwrap(), s["endMs"].as_u64().unwrap())).collect();
        assert_eq!(edges, [(0, 20_000), (20_000, 43_000)]);
        assert!(a["scenes"][0]["location"].as_str().unwrap().contains("A girl says goodnight"));
    }
}
