//! A small JSON Schema checker written for the tests, independent of the simulator's filler: types
//! (either case, as Gemini's OpenAPI subset writes them), `required`, `enum`, `const`, bounds,
//! lengths, item counts, `uniqueItems`, `additionalProperties: false`, `anyOf`/`oneOf`/`allOf`
//! and local `$ref`s.

use serde_json::Value;

/// Every way `value` breaks `schema`, as `path: problem` lines.
pub fn violations(value: &Value, schema: &Value) -> Vec<String> {
    let mut found = Vec::new();
    check(value, schema, schema, "$", &mut found);
    found
}

pub fn assert_valid(value: &Value, schema: &Value) {
    let found = violations(value, schema);
    assert!(found.is_empty(), "{value} breaks its schema: {found:?}");
}

fn num(schema: &Value, key: &str) -> Option<f64> {
    match schema.get(key)? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

fn check(value: &Value, schema: &Value, root: &Value, at: &str, found: &mut Vec<String>) {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let target = root
            .pointer(reference.trim_start_matches('#'))
            .expect("ref resolves");
        return check(value, target, root, at, found);
    }
    if let Some(c) = schema.get("const")
        && c != value
    {
        found.push(format!("{at}: not the const {c}"));
    }
    if let Some(Value::Array(options)) = schema.get("enum")
        && !options.contains(value)
    {
        found.push(format!("{at}: {value} not in enum"));
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(Value::Array(options)) = schema.get(key) {
            let passing = options
                .iter()
                .filter(|o| {
                    let mut sub = Vec::new();
                    check(value, o, root, at, &mut sub);
                    sub.is_empty()
                })
                .count();
            if passing == 0 || (key == "oneOf" && passing > 1) {
                found.push(format!("{at}: {passing} {key} options pass"));
            }
        }
    }
    if let Some(Value::Array(parts)) = schema.get("allOf") {
        for part in parts {
            check(value, part, root, at, found);
        }
    }
    let types: Vec<String> = match schema.get("type") {
        Some(Value::String(t)) => vec![t.to_lowercase()],
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_lowercase)
            .collect(),
        _ => Vec::new(),
    };
    let nullable = schema.get("nullable").and_then(Value::as_bool) == Some(true);
    let kind = match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    let type_ok = types.is_empty()
        || types
            .iter()
            .any(|t| t == kind || (t == "number" && kind == "integer"))
        || (nullable && kind == "null");
    if !type_ok {
        found.push(format!("{at}: {kind} is not {types:?}"));
        return;
    }
    match value {
        Value::Object(map) => {
            for name in schema
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if !map.contains_key(name.as_str().unwrap()) {
                    found.push(format!("{at}: missing required {name}"));
                }
            }
            let properties = schema.get("properties").and_then(Value::as_object);
            for (name, child) in map {
                match properties.and_then(|p| p.get(name)) {
                    Some(sub) => check(child, sub, root, &format!("{at}.{name}"), found),
                    None if schema.get("additionalProperties") == Some(&Value::Bool(false)) => {
                        found.push(format!("{at}: unexpected property {name}"))
                    }
                    None => {}
                }
            }
        }
        Value::Array(items) => {
            if let Some(min) = num(schema, "minItems")
                && (items.len() as f64) < min
            {
                found.push(format!("{at}: {} items < minItems {min}", items.len()));
            }
            if let Some(max) = num(schema, "maxItems")
                && (items.len() as f64) > max
            {
                found.push(format!("{at}: {} items > maxItems {max}", items.len()));
            }
            if schema.get("uniqueItems") == Some(&Value::Bool(true)) {
                for (i, item) in items.iter().enumerate() {
                    if items[..i].contains(item) {
                        found.push(format!("{at}[{i}]: duplicate"));
                    }
                }
            }
            if let Some(sub) = schema.get("items") {
                for (i, item) in items.iter().enumerate() {
                    check(item, sub, root, &format!("{at}[{i}]"), found);
                }
            }
        }
        Value::String(s) => {
            let len = s.chars().count() as f64;
            if num(schema, "minLength").is_some_and(|m| len < m) {
                found.push(format!("{at}: {s:?} shorter than minLength"));
            }
            if num(schema, "maxLength").is_some_and(|m| len > m) {
                found.push(format!("{at}: {s:?} longer than maxLength"));
            }
        }
        Value::Number(n) => {
            let x = n.as_f64().unwrap();
            let flag = |k: &str| schema.get(k) == Some(&Value::Bool(true));
            if let Some(m) = num(schema, "minimum")
                && (x < m || (flag("exclusiveMinimum") && x <= m))
            {
                found.push(format!("{at}: {x} below minimum {m}"));
            }
            if let Some(m) = num(schema, "maximum")
                && (x > m || (flag("exclusiveMaximum") && x >= m))
            {
                found.push(format!("{at}: {x} above maximum {m}"));
            }
            if num(schema, "exclusiveMinimum").is_some_and(|m| x <= m) {
                found.push(format!("{at}: {x} not above exclusiveMinimum"));
            }
            if num(schema, "exclusiveMaximum").is_some_and(|m| x >= m) {
                found.push(format!("{at}: {x} not below exclusiveMaximum"));
            }
        }
        _ => {}
    }
}
