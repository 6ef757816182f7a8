//! Makes a value that satisfies a schema, from a request's [`Material`]: the structured answers of
//! Gemini (`responseJsonSchema`, `responseSchema`), function-call arguments, and Claude's
//! `tool_use` inputs all come from here.
//!
//! One filler reads both dialects callers send: plain JSON Schema (lower-case `type`, `$ref` into
//! `$defs`, `anyOf`, `allOf`, `const`, exclusive bounds) and Google's OpenAPI subset (`OBJECT`,
//! `STRING`…, `nullable`, `propertyOrdering`, int64 bounds written as strings). It honours types,
//! `required`, `enum`, numeric bounds, item and length bounds, `uniqueItems`, and a few string
//! `format`s; `pattern` and `multipleOf` are not attempted.

use serde_json::{Map, Value, json};

use crate::material::Material;

/// Deeper than this, recursive schemas stop at their required minimum.
const MAX_DEPTH: usize = 12;

/// A value valid against `schema`, drawn from `material`.
pub fn fill(schema: &Value, material: &mut Material) -> Value {
    Filler { root: schema }.value(schema, material, 0)
}

/// `value` as compact JSON text, writing each object's keys in its schema's `propertyOrdering`
/// (Gemini's promise to callers that parse answers as they stream).
pub fn to_ordered_text(value: &Value, schema: &Value) -> String {
    let mut out = String::new();
    write_ordered(value, Some(schema), schema, &mut out);
    out
}

/// Google's OpenAPI-subset schema with its keywords in camelCase (google-genai may send
/// `property_ordering`, `min_items`, `any_of`…); property names are left as they are.
pub fn from_openapi(schema: &Value) -> Value {
    let Value::Object(map) = schema else {
        return schema.clone();
    };
    let converted = map.iter().map(|(key, value)| {
        let key = camel(key);
        let value = match (key.as_str(), value) {
            ("properties", Value::Object(properties)) => Value::Object(
                properties
                    .iter()
                    .map(|(name, property)| (name.clone(), from_openapi(property)))
                    .collect(),
            ),
            ("items" | "additionalProperties", _) => from_openapi(value),
            ("anyOf", Value::Array(options)) => {
                Value::Array(options.iter().map(from_openapi).collect())
            }
            _ => value.clone(),
        };
        (key, value)
    });
    Value::Object(converted.collect())
}

fn camel(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    let mut upper = false;
    for c in key.chars() {
        if c == '_' && !out.is_empty() {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

struct Filler<'a> {
    root: &'a Value,
}

impl<'a> Filler<'a> {
    fn value<'s>(&'s self, schema: &'s Value, material: &mut Material, depth: usize) -> Value {
        let schema = self.resolve(schema);
        if let Some(constant) = schema.get("const") {
            return constant.clone();
        }
        if let Some(Value::Array(options)) = schema.get("enum")
            && !options.is_empty()
        {
            return options[material.below(options.len() as u64) as usize].clone();
        }
        for key in ["anyOf", "oneOf"] {
            if let Some(Value::Array(options)) = schema.get(key) {
                let chosen = options
                    .iter()
                    .find(|option| type_of(self.resolve(option)).as_deref() != Some("null"))
                    .or(options.first());
                if let Some(chosen) = chosen {
                    return self.value(chosen, material, depth + 1);
                }
            }
        }
        if let Some(Value::Array(parts)) = schema.get("allOf") {
            let merged = self.merge(schema, parts);
            return self.value(&merged, material, depth + 1);
        }
        match type_of(schema).as_deref() {
            Some("object") => self.object(schema, material, depth),
            Some("array") => self.array(schema, material, depth),
            Some("integer") => integer(schema, material),
            Some("number") => number(schema, material),
            Some("boolean") => Value::Bool(material.coin()),
            Some("null") => Value::Null,
            _ => Value::String(string(schema, material)),
        }
    }

    /// `allOf` folded into one schema; only its own `allOf` is dropped.
    fn merge(&self, schema: &Value, parts: &[Value]) -> Value {
        let mut merged = schema.as_object().cloned().unwrap_or_default();
        merged.remove("allOf");
        let mut properties = Map::new();
        let mut required = Vec::new();
        for part in std::iter::once(schema).chain(parts.iter().map(|p| self.resolve(p))) {
            let Some(part) = part.as_object() else {
                continue;
            };
            for (key, value) in part {
                match key.as_str() {
                    "properties" => {
                        if let Some(props) = value.as_object() {
                            properties.extend(props.clone());
                        }
                    }
                    "required" => required.extend(value.as_array().cloned().unwrap_or_default()),
                    "allOf" => {}
                    _ => {
                        merged.insert(key.clone(), value.clone());
                    }
                }
            }
        }
        if !properties.is_empty() {
            merged.insert("properties".into(), Value::Object(properties));
            merged.entry("type").or_insert(json!("object"));
        }
        if !required.is_empty() {
            merged.insert("required".into(), Value::Array(required));
        }
        Value::Object(merged)
    }

    fn object<'s>(&'s self, schema: &'s Value, material: &mut Material, depth: usize) -> Value {
        let mut object = Map::new();
        let required: Vec<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|names| names.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        if let Some(Value::Object(properties)) = schema.get("properties") {
            for (name, property) in properties {
                if depth >= MAX_DEPTH && !required.contains(&name.as_str()) {
                    continue;
                }
                object.insert(name.clone(), self.value(property, material, depth + 1));
            }
        }
        Value::Object(object)
    }

    fn array<'s>(&'s self, schema: &'s Value, material: &mut Material, depth: usize) -> Value {
        let min = bound(schema, "minItems").map_or(0, |n| n.max(0.0) as usize);
        let max = bound(schema, "maxItems")
            .map_or(usize::MAX, |n| n.max(0.0) as usize)
            .max(min);
        let wanted = if depth >= MAX_DEPTH {
            min
        } else {
            let low = min.max(1).min(max);
            let high = max.min(low + 3);
            low + material.below((high - low + 1) as u64) as usize
        };
        let unique = schema.get("uniqueItems").and_then(Value::as_bool) == Some(true);
        let mut values = Vec::with_capacity(wanted);
        let mut attempts = 0;
        while values.len() < wanted && attempts < wanted * 8 + 8 {
            attempts += 1;
            let value = match schema.get("items") {
                Some(items) if items.is_object() => self.value(items, material, depth + 1),
                _ => Value::String(material.phrase(1, 3)),
            };
            if unique && values.contains(&value) {
                continue;
            }
            values.push(value);
        }
        Value::Array(values)
    }

    fn resolve<'s>(&'s self, schema: &'s Value) -> &'s Value {
        resolve_in(self.root, schema)
    }
}

/// The schema's type in lower case; a union's first non-null member. Missing types are inferred
/// from the keywords present.
fn type_of(schema: &Value) -> Option<String> {
    match schema.get("type") {
        Some(Value::String(kind)) => Some(kind.to_ascii_lowercase()),
        Some(Value::Array(kinds)) => kinds
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_ascii_lowercase)
            .find(|kind| kind != "null")
            .or(Some("null".into())),
        _ if schema.get("properties").is_some() => Some("object".into()),
        _ if schema.get("items").is_some() => Some("array".into()),
        _ => None,
    }
}

/// A numeric keyword, which Google's int64 fields may carry as a string.
fn bound(schema: &Value, key: &str) -> Option<f64> {
    match schema.get(key)? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Inclusive lower and upper limits, with JSON Schema's exclusive bounds (number or draft-4
/// boolean form) moved inwards by `step`.
fn limits(schema: &Value, step: f64) -> (Option<f64>, Option<f64>) {
    let flag = |key: &str| schema.get(key).and_then(Value::as_bool) == Some(true);
    let mut low = bound(schema, "minimum").map(|m| {
        if flag("exclusiveMinimum") {
            m + step
        } else {
            m
        }
    });
    let mut high = bound(schema, "maximum").map(|m| {
        if flag("exclusiveMaximum") {
            m - step
        } else {
            m
        }
    });
    if let Some(m) = bound(schema, "exclusiveMinimum") {
        low = Some(low.map_or(m + step, |l| l.max(m + step)));
    }
    if let Some(m) = bound(schema, "exclusiveMaximum") {
        high = Some(high.map_or(m - step, |h| h.min(m - step)));
    }
    match (low, high) {
        (Some(l), None) => (Some(l), Some(l + 100.0)),
        (None, Some(h)) => (Some(if h >= 0.0 { 0.0 } else { h - 100.0 }), Some(h)),
        (None, None) => (Some(0.0), Some(100.0)),
        both => both,
    }
}

fn integer(schema: &Value, material: &mut Material) -> Value {
    let (low, high) = limits(schema, 1.0);
    let low = low.unwrap_or(0.0).ceil() as i64;
    let high = (high.unwrap_or(100.0).floor() as i64).max(low);
    let span = (high - low) as u64 + 1;
    json!(low + material.below(span) as i64)
}

fn number(schema: &Value, material: &mut Material) -> Value {
    let (low, high) = limits(schema, 0.01);
    let low = low.unwrap_or(0.0);
    let high = high.unwrap_or(100.0).max(low);
    let drawn = ((low + material.unit() * (high - low)) * 100.0).round() / 100.0;
    json!(drawn.clamp(low, high))
}

fn string(schema: &Value, material: &mut Material) -> String {
    let min = bound(schema, "minLength").map_or(0, |n| n.max(0.0) as usize);
    let max = bound(schema, "maxLength").map_or(usize::MAX, |n| n.max(0.0) as usize);
    let format = schema.get("format").and_then(Value::as_str).unwrap_or("");
    let mut text = match format {
        "date-time" => format!(
            "2026-{:02}-{:02}T{:02}:00:00Z",
            1 + material.below(12),
            1 + material.below(28),
            material.below(24)
        ),
        "date" => format!(
            "2026-{:02}-{:02}",
            1 + material.below(12),
            1 + material.below(28)
        ),
        "time" => format!("{:02}:{:02}:00", material.below(24), material.below(60)),
        "uri" | "url" => format!(
            "https://example.com/{}",
            material.phrase(1, 2).replace(' ', "-")
        ),
        "email" => format!("{}@example.com", material.word()),
        "uuid" => {
            let (a, b) = (material.next_u64(), material.next_u64());
            format!(
                "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
                a >> 32,
                (a >> 16) & 0xffff,
                a & 0xfff,
                b >> 52,
                b & 0xffff_ffff_ffff
            )
        }
        _ => material.phrase(1, 5),
    };
    while text.chars().count() < min {
        text.push(' ');
        text.push_str(material.word());
    }
    if text.chars().count() > max {
        text = text.chars().take(max).collect();
        let trimmed = text.trim_end().to_owned();
        if trimmed.chars().count() >= min {
            text = trimmed;
        }
    }
    text
}

fn write_ordered(value: &Value, schema: Option<&Value>, root: &Value, out: &mut String) {
    let schema = schema.map(|s| resolve_in(root, s));
    match value {
        Value::Object(map) => {
            let ordering: Vec<&str> = schema
                .and_then(|s| s.get("propertyOrdering"))
                .and_then(Value::as_array)
                .map(|keys| keys.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let mut keys: Vec<&String> = ordering
                .iter()
                .filter_map(|key| map.get_key_value(*key).map(|(k, _)| k))
                .collect();
            keys.extend(map.keys().filter(|k| !ordering.contains(&k.as_str())));
            out.push('{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                let child = schema
                    .and_then(|s| s.get("properties"))
                    .and_then(|p| p.get(key));
                write_ordered(&map[key], child, root, out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            let child = schema.and_then(|s| s.get("items"));
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_ordered(item, child, root, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

/// Follows `$ref`s that point into the root document.
fn resolve_in<'s>(root: &'s Value, mut schema: &'s Value) -> &'s Value {
    for _ in 0..32 {
        let Some(reference) = schema.get("$ref").and_then(Value::as_str) else {
            break;
        };
        let pointer = reference.strip_prefix('#').unwrap_or(reference);
        match root.pointer(pointer) {
            Some(target) => schema = target,
            None => break,
        }
    }
    schema
}
