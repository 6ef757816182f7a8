//! Shape checks on raw JSON, before a request is deserialised: every missing, unknown or mistyped
//! field becomes a `shape` violation naming its path, where serde would stop at the first error
//! with a message a director cannot act on.

use super::violation::{Check, Violation};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// What a field must hold.
#[derive(Clone, Copy)]
pub enum Kind {
    Str,
    UInt,
    Num,
    Array,
    Object,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Str => "a string",
            Kind::UInt => "a non-negative integer",
            Kind::Num => "a number",
            Kind::Array => "an array",
            Kind::Object => "an object",
        }
    }

    fn holds(self, v: &Value) -> bool {
        match self {
            Kind::Str => v.is_string(),
            Kind::UInt => v.is_u64(),
            Kind::Num => v.is_number(),
            Kind::Array => v.is_array(),
            Kind::Object => v.is_object(),
        }
    }
}

/// A field of an object: its name, kind and whether it must be present.
pub struct Field(pub &'static str, pub Kind, pub bool);

/// Checks that `value` at `path` is an object with exactly `fields` (required ones present,
/// nothing unknown, each of its kind); returns the object when it is one.
pub fn object<'v>(value: &'v Value, path: &str, fields: &[Field], out: &mut Vec<Violation>) -> Option<&'v Map<String, Value>> {
    let Some(map) = value.as_object() else {
        out.push(Violation::new(Check::Shape, format!("{} must be a JSON object", name(path))));
        return None;
    };
    for Field(key, kind, required) in fields {
        match map.get(*key) {
            None | Some(Value::Null) if *required => {
                out.push(Violation::new(Check::Shape, format!("{} is missing", join(path, key))));
            }
            Some(v) if !v.is_null() && !kind.holds(v) => {
                out.push(Violation::new(Check::Shape, format!("{} must be {}", join(path, key), kind.name())));
            }
            _ => {}
        }
    }
    for key in map.keys().filter(|k| !fields.iter().any(|f| f.0 == k.as_str())) {
        let known: Vec<&str> = fields.iter().map(|f| f.0).collect();
        out.push(Violation::new(
            Check::Shape,
            format!("{} is not a known field (known: {})", join(path, key), known.join(", ")),
        ));
    }
    Some(map)
}

/// Checks that every element of the array at `path` is of `kind`.
pub fn elements(value: Option<&Value>, path: &str, kind: Kind, out: &mut Vec<Violation>) {
    for (i, v) in value.and_then(Value::as_array).into_iter().flatten().enumerate() {
        if !kind.holds(v) {
            out.push(Violation::new(Check::Shape, format!("{path}[{i}] must be {}", kind.name())));
        }
    }
}

/// After the shape check: its violations when it found any, else the rules of the request read
/// as `T`.
pub fn then_rules<T: DeserializeOwned>(
    value: &Value,
    shape: Vec<Violation>,
    rules: impl FnOnce(T) -> Vec<Violation>,
) -> Vec<Violation> {
    if !shape.is_empty() {
        return shape;
    }
    match serde_json::from_value::<T>(value.clone()) {
        Ok(req) => rules(req),
        Err(e) => vec![Violation::new(Check::Shape, e.to_string())],
    }
}

/// `value` with the JSON pointer `pointer` set to `to` (the last key added when missing): the
/// tests' way to break one field of a valid request.
#[cfg(test)]
pub fn set(mut value: Value, pointer: &str, to: Value) -> Value {
    match value.pointer_mut(pointer) {
        Some(slot) => *slot = to,
        None => {
            let (parent, key) = pointer.rsplit_once('/').unwrap();
            value.pointer_mut(parent).unwrap()[key] = to;
        }
    }
    value
}

pub fn join(path: &str, key: &str) -> String {
    let key: String = key.chars().take(64).collect();
    if path.is_empty() { key } else { format!("{path}.{key}") }
}

fn name(path: &str) -> &str {
    if path.is_empty() { "the request" } else { path }
}

/// Whether `url` is something a provider can fetch: an absolute http(s) URL or a data URI.
pub fn fetchable(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    let rest = lower.strip_prefix("https://").or_else(|| lower.strip_prefix("http://"));
    rest.is_some_and(|r| !r.is_empty() && !r.starts_with('/') && !r.contains(char::is_whitespace))
        || lower.starts_with("data:image/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_each_missing_unknown_and_mistyped_field() {
        let mut out = Vec::new();
        let fields = [Field("a", Kind::Str, true), Field("b", Kind::UInt, true), Field("c", Kind::Array, false)];
        object(&json!({"b": -1, "c": "x", "zz": 1}), "p", &fields, &mut out);
        let messages: Vec<&str> = out.iter().map(|v| v.message.as_str()).collect();
        assert_eq!(messages, [
            "p.a is missing",
            "p.b must be a non-negative integer",
            "p.c must be an array",
            "p.zz is not a known field (known: a, b, c)",
        ]);
        assert!(object(&json!("text"), "", &fields, &mut out).is_none());
        assert_eq!(out.last().unwrap().message, "the request must be a JSON object");
    }

    #[test]
    fn fetchable_urls() {
        for ok in ["https://v3.fal.media/x.png", "http://127.0.0.1:9/a", "data:image/png;base64,AA"] {
            assert!(fetchable(ok), "{ok}");
        }
        for bad in ["file:///etc/passwd", "/tmp/a.png", "https://", "https:///x", "ftp://a/b", "https://a b"] {
            assert!(!fetchable(bad), "{bad}");
        }
    }
}
