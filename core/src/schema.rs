//! Reading records from the outside world. Serde checks types; [`Validate`] checks what types
//! cannot (a span that ends before it starts, a Moment of five words). Both report the field by
//! its JSON path, so "timestamps.startMs must be before timestamps.endMs" reaches the director
//! instead of "invalid value at line 1 column 212".

use serde::de::DeserializeOwned;
use std::fmt;

/// A record that breaks a rule, at `field` (a JSON path such as `moments[3].words`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_empty() { f.write_str(&self.message) } else { write!(f, "{}: {}", self.field, self.message) }
    }
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into() }
    }

    /// The same error one level down: `timestamps` inside `scenes[2]` is `scenes[2].timestamps`.
    pub fn within(mut self, parent: &str) -> Self {
        self.field = match (parent.is_empty(), self.field.is_empty()) {
            (true, _) => self.field,
            (false, true) => parent.to_string(),
            (false, false) if self.field.starts_with('[') => format!("{parent}{}", self.field),
            (false, false) => format!("{parent}.{}", self.field),
        };
        self
    }
}

/// The rules a record must keep beyond its types.
pub trait Validate {
    fn validate(&self) -> Result<(), FieldError>;
}

/// Validates every element, naming the failing one by index.
pub fn each<T: Validate>(field: &str, items: &[T]) -> Result<(), FieldError> {
    for (i, item) in items.iter().enumerate() {
        item.validate().map_err(|e| e.within(&format!("{field}[{i}]")))?;
    }
    Ok(())
}

/// Whether `value` shows nothing: only whitespace and invisible format characters (zero-width
/// spaces and joiners, bidirectional marks and embeddings, the byte-order mark, soft hyphens),
/// which a name or a message can be made of and still look empty.
pub fn blank(value: &str) -> bool {
    value.chars().all(|c| {
        c.is_whitespace()
            || matches!(c, '\u{00AD}' | '\u{061C}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
                | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{206F}' | '\u{FEFF}')
    })
}

/// A required text: not blank (see [`blank`]), at most `max` characters.
pub fn text(field: &str, value: &str, max: usize) -> Result<(), FieldError> {
    if blank(value) {
        return Err(FieldError::new(field, "must not be empty"));
    }
    let len = value.chars().count();
    if len > max {
        return Err(FieldError::new(field, format!("is too long ({len} characters; at most {max})")));
    }
    Ok(())
}

/// A number within `range`, naming the field when it is not (or is NaN).
pub fn within(field: &str, value: f64, range: std::ops::RangeInclusive<f64>) -> Result<(), FieldError> {
    if range.contains(&value) {
        Ok(())
    } else {
        Err(FieldError::new(field, format!("must be between {} and {} (got {value})", range.start(), range.end())))
    }
}

/// Parses and validates a record from JSON text; the error names the field.
pub fn from_json<T: DeserializeOwned + Validate>(json: &str) -> Result<T, FieldError> {
    let value: T = parse_json(json)?;
    value.validate()?;
    Ok(value)
}

/// Parses JSON text into `T`, naming the field serde stopped at.
pub fn parse_json<T: DeserializeOwned>(json: &str) -> Result<T, FieldError> {
    let de = &mut serde_json::Deserializer::from_str(json);
    let value: T = serde_path_to_error::deserialize(de).map_err(|e| {
        let field = e.path().to_string();
        let message = e.into_inner().to_string();
        // serde_json appends " at line L column C"; the field already says where.
        let message = message.split(" at line ").next().unwrap_or_default().to_string();
        FieldError { field: if field == "." { String::new() } else { field }, message }
    })?;
    Ok(value)
}

/// Times are RFC 3339 with an explicit offset; anything else is refused with an example.
pub mod rfc3339 {
    use chrono::{DateTime, SecondsFormat, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&t.to_rfc3339_opts(SecondsFormat::AutoSi, true))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        let text = std::borrow::Cow::<str>::deserialize(d)?;
        DateTime::parse_from_rfc3339(&text).map(|t| t.with_timezone(&Utc)).map_err(|_| {
            serde::de::Error::custom(format_args!(
                "must be an RFC 3339 time such as 2026-11-25T18:30:00Z (got {:?})",
                text.chars().take(40).collect::<String>()
            ))
        })
    }
}

/// An optional RFC 3339 time (absent or `null` is `None`); use with `#[serde(default)]`.
pub mod rfc3339_opt {
    use chrono::{DateTime, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => super::rfc3339::serialize(t, s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
        #[derive(Deserialize)]
        struct Time(#[serde(with = "super::rfc3339")] DateTime<Utc>);
        Ok(Option::<Time>::deserialize(d)?.map(|Time(t)| t))
    }
}

#[cfg(test)]
mod blank_tests {
    use super::*;

    #[test]
    fn invisible_text_is_blank_and_visible_marks_are_not() {
        for nothing in ["", "  \n", "\u{200B}", "\u{200F}\u{200E}", "\u{FEFF} \u{2060}", "\u{202B}\u{202C}", "\u{00AD}"] {
            assert!(blank(nothing), "{nothing:?}");
            assert_eq!(text("title", nothing, 10).unwrap_err().field, "title");
        }
        for something in ["א", "🌙", "\u{202B}שוט\u{202C}", "a\u{200B}", "נִ"] {
            assert!(!blank(something), "{something:?}");
        }
    }
}
