//! FLUX.2's stand-in: a 1024x576 PNG painted as soft colour bands along a diagonal.
//!
//! The colours are the prompt's `#RRGGBB` codes in order, so tests and demos can see that a
//! palette reached the model; a prompt without codes gets colours hashed from its text and seed.
//! The same prompt and seed always give the same image.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::{Failure, publish};
use crate::state::Sim;

pub const WIDTH: u32 = 1024;
pub const HEIGHT: u32 = 576;

type Rgb = [u8; 3];

pub async fn make(sim: &Sim, id: Uuid, prompt: &str, seed: u64) -> Result<Value, Failure> {
    let owned_prompt = prompt.to_owned();
    let png = tokio::task::spawn_blocking(move || draw(&owned_prompt, seed))
        .await
        .map_err(|err| {
            Failure::new(
                None,
                &format!("Image generation crashed: {err}"),
                "internal_error",
            )
        })?
        .map_err(|err| {
            Failure::new(
                None,
                &format!("Image encoding failed: {err}"),
                "internal_error",
            )
        })?;

    let name = format!("{id}.png");
    let staging = sim.work_dir().join(format!("{name}.partial"));
    tokio::fs::write(&staging, &png)
        .await
        .map_err(Failure::storage)?;
    let (url, file_size) = publish(sim, &name, &staging).await?;
    Ok(json!({
        "images": [{
            "url": url,
            "content_type": "image/png",
            "file_name": name,
            "file_size": file_size,
            "width": WIDTH,
            "height": HEIGHT,
        }],
        "seed": seed,
        "prompt": prompt,
        "has_nsfw_concepts": [false],
        "timings": {},
    }))
}

/// The PNG bytes for `prompt` and `seed`.
fn draw(prompt: &str, seed: u64) -> Result<Vec<u8>, png::EncodingError> {
    let hash = digest(prompt, seed);
    let colours = palette(prompt, &hash);
    let angle = f32::from(u16::from_le_bytes([hash[30], hash[31]])) / f32::from(u16::MAX)
        * std::f32::consts::TAU;
    let (dx, dy) = (angle.cos(), angle.sin());

    // Project every pixel onto the band direction, normalised so the corners span 0..=1.
    let project = |x: f32, y: f32| x * dx + y * dy;
    let corners = [
        (0.0, 0.0),
        (WIDTH as f32, 0.0),
        (0.0, HEIGHT as f32),
        (WIDTH as f32, HEIGHT as f32),
    ];
    let low = corners
        .iter()
        .map(|&(x, y)| project(x, y))
        .fold(f32::INFINITY, f32::min);
    let high = corners
        .iter()
        .map(|&(x, y)| project(x, y))
        .fold(f32::NEG_INFINITY, f32::max);

    let mut pixels = Vec::with_capacity((WIDTH * HEIGHT * 3) as usize);
    for y in 0..HEIGHT {
        for x in 0..WIDTH {
            let t = (project(x as f32 + 0.5, y as f32 + 0.5) - low) / (high - low);
            pixels.extend_from_slice(&band_colour(&colours, t));
        }
    }

    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, WIDTH, HEIGHT);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(&pixels)?;
    writer.finish()?;
    Ok(out)
}

fn digest(prompt: &str, seed: u64) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(prompt.as_bytes());
    hasher.update(seed.to_le_bytes());
    hasher.finalize().into()
}

/// The prompt's hex colours in order, or three colours drawn from `hash`. A single colour is
/// paired with a darker shade so the image still has depth.
fn palette(prompt: &str, hash: &[u8; 32]) -> Vec<Rgb> {
    let mut colours = hex_colours(prompt);
    if colours.is_empty() {
        colours = hash
            .chunks(3)
            .take(3)
            .map(|bytes| {
                let hue = f32::from(bytes[0]) / 256.0 * 360.0;
                let saturation = 0.45 + f32::from(bytes[1]) / 255.0 * 0.4;
                let value = 0.45 + f32::from(bytes[2]) / 255.0 * 0.5;
                hsv(hue, saturation, value)
            })
            .collect();
    }
    if let [only] = colours[..] {
        colours.push(only.map(|channel| (f32::from(channel) * 0.45) as u8));
    }
    colours
}

/// Every `#RRGGBB` in `text` (exactly six hex digits).
fn hex_colours(text: &str) -> Vec<Rgb> {
    let bytes = text.as_bytes();
    let mut colours = Vec::new();
    for (at, _) in text.match_indices('#') {
        let digits = &bytes[at + 1..bytes.len().min(at + 7)];
        let longer = bytes.get(at + 7).is_some_and(u8::is_ascii_hexdigit);
        if digits.len() == 6 && digits.iter().all(u8::is_ascii_hexdigit) && !longer {
            let channel = |i: usize| {
                let pair = std::str::from_utf8(&digits[i..i + 2]).expect("ASCII hex digits");
                u8::from_str_radix(pair, 16).expect("two hex digits")
            };
            colours.push([channel(0), channel(2), channel(4)]);
        }
    }
    colours
}

/// Colour at position `t` (0..=1) across evenly spaced bands: each colour holds flat over the
/// middle of its band and blends smoothly into the next.
fn band_colour(colours: &[Rgb], t: f32) -> Rgb {
    let position = (t * colours.len() as f32 - 0.5).clamp(0.0, (colours.len() - 1) as f32);
    let index = (position.floor() as usize).min(colours.len() - 1);
    let next = (index + 1).min(colours.len() - 1);
    let blend = smoothstep(0.3, 0.7, position - index as f32);
    let (a, b) = (colours[index], colours[next]);
    std::array::from_fn(|i| {
        (f32::from(a[i]) + (f32::from(b[i]) - f32::from(a[i])) * blend).round() as u8
    })
}

fn smoothstep(edge0: f32, edge1: f32, x: f32) -> f32 {
    let t = ((x - edge0) / (edge1 - edge0)).clamp(0.0, 1.0);
    t * t * (3.0 - 2.0 * t)
}

fn hsv(hue: f32, saturation: f32, value: f32) -> Rgb {
    let chroma = value * saturation;
    let sector = hue / 60.0;
    let second = chroma * (1.0 - (sector % 2.0 - 1.0).abs());
    let (r, g, b) = match sector as u32 {
        0 => (chroma, second, 0.0),
        1 => (second, chroma, 0.0),
        2 => (0.0, chroma, second),
        3 => (0.0, second, chroma),
        4 => (second, 0.0, chroma),
        _ => (chroma, 0.0, second),
    };
    let lift = value - chroma;
    [r, g, b].map(|channel| ((channel + lift) * 255.0).round() as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(png_bytes: &[u8]) -> (png::OutputInfo, Vec<u8>) {
        let mut reader = png::Decoder::new(png_bytes).read_info().unwrap();
        let mut pixels = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut pixels).unwrap();
        pixels.truncate(info.buffer_size());
        (info, pixels)
    }

    fn distinct_colours(pixels: &[u8]) -> std::collections::HashSet<Rgb> {
        pixels.chunks(3).map(|p| [p[0], p[1], p[2]]).collect()
    }

    #[test]
    fn hex_codes_are_read_in_order_and_only_when_six_digits() {
        assert_eq!(
            hex_colours("coat in hex #C4725A, wall #1b6b6f; not #12345 nor #1234567 nor #GGGGGG"),
            vec![[0xC4, 0x72, 0x5A], [0x1B, 0x6B, 0x6F]]
        );
        assert_eq!(hex_colours("ends with #ABCDEF"), vec![[0xAB, 0xCD, 0xEF]]);
        assert_eq!(hex_colours("#é12345"), Vec::<Rgb>::new());
    }

    #[test]
    fn palette_colours_are_painted() {
        let (info, pixels) =
            decode(&draw(r##"{"color_palette":["#C4725A","#1B6B6F","#F2E8CF"]}"##, 7).unwrap());
        assert_eq!(
            (info.width, info.height, info.color_type),
            (WIDTH, HEIGHT, png::ColorType::Rgb)
        );
        let seen = distinct_colours(&pixels);
        for colour in [[0xC4, 0x72, 0x5A], [0x1B, 0x6B, 0x6F], [0xF2, 0xE8, 0xCF]] {
            assert!(seen.contains(&colour), "{colour:?} missing");
        }
    }

    #[test]
    fn same_prompt_and_seed_give_the_same_image() {
        let prompt = "neon rooftop at dusk";
        assert_eq!(draw(prompt, 42).unwrap(), draw(prompt, 42).unwrap());
        assert_ne!(draw(prompt, 42).unwrap(), draw(prompt, 43).unwrap());
        assert_ne!(draw(prompt, 42).unwrap(), draw("quiet forest", 42).unwrap());
    }

    #[test]
    fn single_colour_gets_a_shade() {
        let (_, pixels) = decode(&draw("sofa in hex #FF8800", 1).unwrap());
        let seen = distinct_colours(&pixels);
        assert!(seen.contains(&[0xFF, 0x88, 0x00]));
        assert!(seen.contains(&[0x72, 0x3D, 0x00]));
    }
}
