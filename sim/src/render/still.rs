//! FLUX.2's stand-in: a 1024x576 PNG that visibly reflects its prompt. Soft colour bands along a
//! diagonal fill the picture; a dark strip across the top prints the prompt's shot tag and one
//! across the bottom a caption of what the prompt describes, in a built-in bitmap font.
//!
//! The colours are the prompt's `#RRGGBB` codes in order, so tests and demos can see that a
//! palette reached the model; a prompt without codes gets colours hashed from its text and seed.
//! The tag ties a frame to its shot and version by eye. The same prompt and seed always give the
//! same bytes.

mod font;
mod label;

use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use self::font::{GLYPH_HEIGHT, GLYPH_WIDTH};
use self::label::Label;
use super::{Failure, publish};
use crate::state::Sim;

pub const WIDTH: u32 = 1024;
pub const HEIGHT: u32 = 576;

/// Screen pixels per font pixel: 15x21 glyphs, legible at full size and in a thumbnail.
const SCALE: u32 = 3;
/// Horizontal distance between the starts of two characters (a font pixel of spacing).
const ADVANCE: u32 = (GLYPH_WIDTH + 1) * SCALE;
const LINE_GAP: u32 = 2 * SCALE;
/// Space left and right of the text.
const MARGIN: u32 = 16;
/// Space above and below the text of a full strip.
const PADDING: u32 = 10;
/// Lines of text a strip holds; longer text is cut with `...`.
const STRIP_LINES: u32 = 2;
const STRIP_HEIGHT: u32 =
    2 * PADDING + STRIP_LINES * GLYPH_HEIGHT * SCALE + (STRIP_LINES - 1) * LINE_GAP;
/// Characters that fit on one line between the margins (the last one needs no spacing after it).
const LINE_CHARS: usize = ((WIDTH - 2 * MARGIN + SCALE) / ADVANCE) as usize;
/// The strips darken the bands under them to this share, so white ink reads on any palette.
const STRIP_SHADE: f32 = 0.2;
const INK: Rgb = [255, 255, 255];

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
    let mut pixels = paint_bands(&palette(prompt, &hash), &hash);
    let label = Label::of(prompt);
    for (text, top) in [(&label.tag, 0), (&label.caption, HEIGHT - STRIP_HEIGHT)] {
        shade_strip(&mut pixels, top);
        let lines = label::wrap(text, LINE_CHARS, STRIP_LINES as usize);
        write_lines(&mut pixels, &lines, top);
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

/// RGB rows of the bands, laid out so the picture between the strips spans every colour; under the
/// strips the end colours carry on.
fn paint_bands(colours: &[Rgb], hash: &[u8; 32]) -> Vec<u8> {
    let angle = f32::from(u16::from_le_bytes([hash[30], hash[31]])) / f32::from(u16::MAX)
        * std::f32::consts::TAU;
    let (dx, dy) = (angle.cos(), angle.sin());

    // Project every pixel onto the band direction, normalised so the picture's corners span 0..=1.
    let project = |x: f32, y: f32| x * dx + y * dy;
    let (top, bottom) = (STRIP_HEIGHT as f32, (HEIGHT - STRIP_HEIGHT) as f32);
    let corners = [
        (0.0, top),
        (WIDTH as f32, top),
        (0.0, bottom),
        (WIDTH as f32, bottom),
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
            pixels.extend_from_slice(&band_colour(colours, t.clamp(0.0, 1.0)));
        }
    }
    pixels
}

fn shade_strip(pixels: &mut [u8], top: u32) {
    let rows = (top * WIDTH * 3) as usize..((top + STRIP_HEIGHT) * WIDTH * 3) as usize;
    for channel in &mut pixels[rows] {
        *channel = (f32::from(*channel) * STRIP_SHADE) as u8;
    }
}

/// Prints `lines` in white, left-aligned and centred in the strip whose first row is `top`.
fn write_lines(pixels: &mut [u8], lines: &[String], top: u32) {
    let count = lines.len() as u32;
    let height = (count * (GLYPH_HEIGHT * SCALE + LINE_GAP)).saturating_sub(LINE_GAP);
    let first = top + (STRIP_HEIGHT - height) / 2;
    for (row, line) in (0..).zip(lines) {
        let y = first + row * (GLYPH_HEIGHT * SCALE + LINE_GAP);
        for (column, c) in (0..).zip(line.chars()) {
            write_char(pixels, c, MARGIN + column * ADVANCE, y);
        }
    }
}

fn write_char(pixels: &mut [u8], c: char, left: u32, top: u32) {
    for row in 0..GLYPH_HEIGHT {
        for column in (0..GLYPH_WIDTH).filter(|&column| font::inked(c, column, row)) {
            for y in top + row * SCALE..top + (row + 1) * SCALE {
                for x in left + column * SCALE..left + (column + 1) * SCALE {
                    let at = ((y * WIDTH + x) * 3) as usize;
                    pixels[at..at + 3].copy_from_slice(&INK);
                }
            }
        }
    }
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

    const TAG: &str =
        "[6f1c2a9e-8f0b-4a57-9d55-0d4b5c7b1e2a]_[0b7e5d2c-1a3f-4e6b-8c9d-2f4a6b8c0d1e]_[FLUX2]";

    fn pixel(pixels: &[u8], x: u32, y: u32) -> Rgb {
        let at = ((y * WIDTH + x) * 3) as usize;
        [pixels[at], pixels[at + 1], pixels[at + 2]]
    }

    /// Which pixels of rows `rows` are ink.
    fn ink_mask(pixels: &[u8], rows: std::ops::Range<u32>) -> Vec<bool> {
        rows.flat_map(|y| (0..WIDTH).map(move |x| (x, y)))
            .map(|(x, y)| pixel(pixels, x, y) == INK)
            .collect()
    }

    fn tag_rows() -> std::ops::Range<u32> {
        0..STRIP_HEIGHT
    }

    fn caption_rows() -> std::ops::Range<u32> {
        HEIGHT - STRIP_HEIGHT..HEIGHT
    }

    fn ink_count(pixels: &[u8], rows: std::ops::Range<u32>) -> usize {
        ink_mask(pixels, rows)
            .into_iter()
            .filter(|&ink| ink)
            .count()
    }

    /// Font pixels of `text`, each drawn as a SCALE x SCALE block.
    fn expected_ink(text: &str) -> usize {
        let font_pixels: u32 = text
            .chars()
            .map(|c| {
                font::glyph(c)
                    .iter()
                    .map(|row| row.count_ones())
                    .sum::<u32>()
            })
            .sum();
        (font_pixels * SCALE * SCALE) as usize
    }

    fn tagged(tag: &str, scene: &str) -> String {
        format!(
            r##"{tag} {{"scene":"{scene}","subjects":[],"color_palette":["#C4725A","#1B6B6F"]}}"##
        )
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
    fn every_palette_colour_shows_between_the_strips_whatever_the_band_angle() {
        let picture =
            (STRIP_HEIGHT * WIDTH * 3) as usize..((HEIGHT - STRIP_HEIGHT) * WIDTH * 3) as usize;
        for seed in 0..6 {
            let prompt = format!(
                r##"{TAG} {{"scene":"hall","color_palette":["#C4725A","#1B6B6F","#F2E8CF"]}}"##
            );
            let (_, pixels) = decode(&draw(&prompt, seed).unwrap());
            let seen = distinct_colours(&pixels[picture.clone()]);
            for colour in [[0xC4, 0x72, 0x5A], [0x1B, 0x6B, 0x6F], [0xF2, 0xE8, 0xCF]] {
                assert!(seen.contains(&colour), "seed {seed}: {colour:?} missing");
            }
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

    #[test]
    fn the_strips_are_dark_with_white_ink_only_where_text_is() {
        let (_, pixels) = decode(&draw(&tagged(TAG, "rooftop at dusk"), 3).unwrap());
        let darkest_allowed = (255.0 * STRIP_SHADE) as u8 + 1;
        for y in tag_rows().chain(caption_rows()) {
            for x in 0..WIDTH {
                let p = pixel(&pixels, x, y);
                assert!(
                    p == INK || p.iter().all(|&c| c <= darkest_allowed),
                    "({x},{y}) is {p:?}: neither ink nor a dark strip"
                );
                if x < MARGIN || x >= MARGIN + LINE_CHARS as u32 * ADVANCE {
                    assert_ne!(p, INK, "ink in the margin at ({x},{y})");
                }
            }
        }
        // The tag opens with `[`: its left column of font pixels is blank, its second is a full bar.
        let glyph_rows = PADDING..PADDING + GLYPH_HEIGHT * SCALE;
        for y in glyph_rows {
            assert!((MARGIN..MARGIN + SCALE).all(|x| pixel(&pixels, x, y) != INK));
            assert!((MARGIN + SCALE..MARGIN + 2 * SCALE).all(|x| pixel(&pixels, x, y) == INK));
        }
        assert_eq!(ink_count(&pixels, tag_rows()), expected_ink(TAG));
        assert_eq!(
            ink_count(&pixels, caption_rows()),
            expected_ink("rooftop at dusk")
        );
        assert_eq!(ink_count(&pixels, STRIP_HEIGHT..HEIGHT - STRIP_HEIGHT), 0);
    }

    #[test]
    fn the_tag_area_shows_the_tag_and_only_the_tag() {
        let other =
            "[6f1c2a9e-8f0b-4a57-9d55-0d4b5c7b1e2a]_[1b7e5d2c-1a3f-4e6b-8c9d-2f4a6b8c0d1e]_[FLUX2]";
        let mask = |tag: &str, scene: &str| {
            let (_, pixels) = decode(&draw(&tagged(tag, scene), 3).unwrap());
            ink_mask(&pixels, tag_rows())
        };
        assert_ne!(mask(TAG, "rooftop"), mask(other, "rooftop"));
        assert_eq!(mask(TAG, "rooftop"), mask(TAG, "forest"));
    }

    #[test]
    fn captions_are_cut_to_two_lines_and_unprintable_characters_are_boxes() {
        let long = "word ".repeat(60);
        let (_, pixels) = decode(&draw(&tagged(TAG, &long), 3).unwrap());
        let lines = label::wrap(long.trim(), LINE_CHARS, 2);
        assert!(lines[1].ends_with("..."), "{lines:?}");
        assert_eq!(
            ink_count(&pixels, caption_rows()),
            expected_ink(&lines.concat())
        );

        let (_, pixels) = decode(&draw(&tagged(TAG, "\u{5E9}\u{5D9}\u{5E8}"), 3).unwrap());
        assert_eq!(
            ink_count(&pixels, caption_rows()),
            3 * expected_ink("\u{5E9}"),
            "three Hebrew letters, three boxes"
        );
        assert_eq!(expected_ink("\u{5E9}"), expected_ink("\u{1F3A4}"));
    }

    #[test]
    fn an_untagged_prompt_says_so() {
        let (_, pixels) = decode(&draw("neon rooftop", 3).unwrap());
        assert_eq!(ink_count(&pixels, tag_rows()), expected_ink(label::NO_TAG));
        assert_eq!(
            ink_count(&pixels, caption_rows()),
            expected_ink("neon rooftop")
        );
    }
}
