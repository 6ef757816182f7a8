//! What a still prints about its prompt: the `[ShotID]_[VersionID]_[ModelCode]` tag it opens with,
//! so a frame can be traced to its shot by eye, and a caption of what it shows (the JSON prompt's
//! scene and subjects, or the prose of a plain prompt), so a reviewer can tell stills apart.

use serde_json::Value;

/// Shown where an untagged prompt's tag would be.
pub const NO_TAG: &str = "(no tag)";

/// What a still says: its tag and its caption, each a single line of text before wrapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub tag: String,
    pub caption: String,
}

impl Label {
    pub fn of(prompt: &str) -> Self {
        let prompt = prompt.trim();
        let (tag, body) = split_tag(prompt);
        let caption = caption(body.trim_start());
        Self {
            tag: tag.unwrap_or(NO_TAG).to_owned(),
            caption: collapse_whitespace(&caption),
        }
    }
}

/// The leading tag (a bracketed token up to the first whitespace or `{`) and the rest.
fn split_tag(prompt: &str) -> (Option<&str>, &str) {
    if !prompt.starts_with('[') {
        return (None, prompt);
    }
    let end = prompt
        .find(|c: char| c.is_whitespace() || c == '{')
        .unwrap_or(prompt.len());
    let tag = &prompt[..end];
    if tag.ends_with(']') {
        (Some(tag), &prompt[end..])
    } else {
        (None, prompt)
    }
}

/// The scene and each subject's description of a JSON prompt; the text itself otherwise, or when
/// the object names neither.
fn caption(body: &str) -> String {
    let object = serde_json::Deserializer::from_str(body)
        .into_iter::<Value>()
        .next()
        .and_then(Result::ok)
        .filter(Value::is_object);
    let Some(object) = object else {
        return body.to_owned();
    };
    let scene = object.get("scene").and_then(Value::as_str);
    let subjects = object
        .get("subjects")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|subject| subject.get("description").and_then(Value::as_str));
    let pieces: Vec<&str> = scene
        .into_iter()
        .chain(subjects)
        .map(str::trim)
        .filter(|piece| !piece.is_empty())
        .collect();
    if pieces.is_empty() {
        body.to_owned()
    } else {
        pieces.join(". ")
    }
}

fn collapse_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `text` in at most `max_lines` lines of at most `width` characters, broken after spaces or
/// underscores (the tag's separators) where possible and mid-word where not. Text that does not
/// fit ends in `...`.
pub fn wrap(text: &str, width: usize, max_lines: usize) -> Vec<String> {
    let mut lines: Vec<Vec<char>> = Vec::new();
    let mut line: Vec<char> = Vec::new();
    for word in words(text) {
        if !line.is_empty() && line.len() + word.len() > width {
            lines.push(trimmed(line));
            line = Vec::new();
        }
        if line.is_empty() && word == [' '] {
            continue;
        }
        for chunk in word.chunks(width) {
            if line.len() + chunk.len() > width {
                lines.push(trimmed(line));
                line = Vec::new();
            }
            line.extend_from_slice(chunk);
        }
    }
    if !line.is_empty() {
        lines.push(trimmed(line));
    }
    if lines.len() > max_lines {
        lines.truncate(max_lines);
        let last = lines.last_mut().expect("max_lines is at least one");
        last.truncate(width.saturating_sub(3));
        *last = trimmed(std::mem::take(last));
        last.extend("...".chars());
    }
    lines.into_iter().map(String::from_iter).collect()
}

/// Words with the character they may break after: `ab_cd ef` → `ab_`, `cd`, ` `, `ef`.
fn words(text: &str) -> Vec<Vec<char>> {
    let mut words = Vec::new();
    let mut word = Vec::new();
    for c in text.chars() {
        if c == ' ' {
            words.push(std::mem::take(&mut word));
            words.push(vec![' ']);
        } else {
            word.push(c);
            if c == '_' {
                words.push(std::mem::take(&mut word));
            }
        }
    }
    words.push(word);
    words.retain(|w| !w.is_empty());
    words
}

fn trimmed(mut line: Vec<char>) -> Vec<char> {
    while line.last() == Some(&' ') {
        line.pop();
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    const TAG: &str =
        "[6f1c2a9e-8f0b-4a57-9d55-0d4b5c7b1e2a]_[0b7e5d2c-1a3f-4e6b-8c9d-2f4a6b8c0d1e]_[FLUX2]";

    #[test]
    fn a_structured_prompt_gives_its_tag_scene_and_subjects() {
        let prompt = format!(
            r##"{TAG} {{"scene":"rooftop at dusk","subjects":[{{"type":"person","description":"singer in red coat hex #C4725A","pose":"standing"}},{{"description":"  "}}],"style":"35mm film still"}}"##
        );
        assert_eq!(
            Label::of(&prompt),
            Label {
                tag: TAG.into(),
                caption: "rooftop at dusk. singer in red coat hex #C4725A".into()
            }
        );
    }

    #[test]
    fn plain_and_untagged_prompts_are_captioned_by_their_text() {
        assert_eq!(
            Label::of("  neon rooftop,\n\tcolor #112233 "),
            Label {
                tag: NO_TAG.into(),
                caption: "neon rooftop, color #112233".into()
            }
        );
        assert_eq!(
            Label::of(&format!("{TAG} a   quiet forest")).caption,
            "a quiet forest"
        );
        assert_eq!(
            Label::of(r#"{"style":"noir","lighting":"hard"}"#).caption,
            r#"{"style":"noir","lighting":"hard"}"#,
            "an object without scene or subjects is shown as it is"
        );
        assert_eq!(Label::of("[draft notes").tag, NO_TAG);
    }

    #[test]
    fn the_tag_breaks_after_its_separators() {
        assert_eq!(
            wrap(TAG, 55, 2),
            [
                "[6f1c2a9e-8f0b-4a57-9d55-0d4b5c7b1e2a]_",
                "[0b7e5d2c-1a3f-4e6b-8c9d-2f4a6b8c0d1e]_[FLUX2]"
            ]
        );
    }

    #[test]
    fn long_text_is_wrapped_at_spaces_and_cut_with_an_ellipsis() {
        assert_eq!(
            wrap("one two three four", 9, 3),
            ["one two", "three", "four"]
        );
        assert_eq!(wrap("one two three four", 9, 2), ["one two", "three..."]);
        assert_eq!(wrap("abcdefghijkl", 5, 3), ["abcde", "fghij", "kl"]);
        assert_eq!(wrap("", 5, 2), Vec::<String>::new());
        assert!(
            wrap(&"word ".repeat(100), 55, 2)
                .iter()
                .all(|line| line.chars().count() <= 55)
        );
    }
}
