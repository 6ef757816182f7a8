//! The model input contracts the simulator enforces, strictly enough to catch our own mistakes
//! before they cost money on the real service: which endpoints exist, which fields they require,
//! and the types fal insists on (Kling's `duration` is a *string*).
//!
//! Violations are reported in fal's validation format, `{"loc":["body",field],"msg","type"}`.

use serde_json::{Value, json};

/// Most reference images any FLUX.2 edit endpoint takes.
const MAX_EDIT_IMAGES: usize = 10;
/// Kling's default clip length when `duration` is left out.
const DEFAULT_CLIP_SECS: u32 = 5;

/// What a valid request asks the simulator to make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Job {
    Still {
        prompt: String,
        seed: Option<u64>,
    },
    Clip {
        start_image: ImageField,
        end_image: Option<ImageField>,
        duration_secs: u32,
    },
}

/// An image URL and the input field it came from, so download failures can name the field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageField {
    pub field: &'static str,
    pub url: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ContractError {
    /// The endpoint is not a FLUX.2 or Kling endpoint.
    UnknownEndpoint,
    /// fal's validation list.
    Invalid(Value),
}

/// Checks `input` against the contract of `endpoint` (`owner/app[/path]`).
pub fn validate(endpoint: &str, input: &Value) -> Result<Job, ContractError> {
    let family = Family::of(endpoint).ok_or(ContractError::UnknownEndpoint)?;
    let Some(fields) = input.as_object() else {
        return Err(ContractError::Invalid(json!([violation(
            None,
            "Input should be a valid dictionary",
            "dict_type"
        )])));
    };
    let mut check = Checker {
        fields,
        violations: Vec::new(),
    };
    let job = match family {
        Family::Flux { edit } => check.flux(edit),
        Family::Kling { durations } => check.kling(durations),
    };
    if check.violations.is_empty() {
        Ok(job.expect("a job is built whenever no violation was found"))
    } else {
        Err(ContractError::Invalid(Value::Array(check.violations)))
    }
}

enum Family {
    Flux { edit: bool },
    Kling { durations: Durations },
}

/// The clip lengths a Kling version accepts.
#[derive(Clone, Copy)]
enum Durations {
    Range(u32, u32),
    FiveOrTen,
}

impl Family {
    fn of(endpoint: &str) -> Option<Self> {
        let mut segments = endpoint.split('/');
        let (owner, app) = (segments.next()?, segments.next()?);
        let rest: Vec<&str> = segments.collect();
        if owner != "fal-ai" {
            return None;
        }
        if (app == "flux-2" || app.starts_with("flux-2-")) && !app.contains("trainer") {
            return Some(Self::Flux {
                edit: rest.contains(&"edit"),
            });
        }
        if app == "kling-video"
            && rest
                .last()
                .is_some_and(|last| last.ends_with("image-to-video"))
        {
            let durations = match rest.first().copied()? {
                "o1" => Durations::Range(3, 10),
                version if version.starts_with("v1") || version.starts_with("v2") => {
                    Durations::FiveOrTen
                }
                _ => Durations::Range(3, 15),
            };
            return Some(Self::Kling { durations });
        }
        None
    }
}

struct Checker<'a> {
    fields: &'a serde_json::Map<String, Value>,
    violations: Vec<Value>,
}

impl Checker<'_> {
    fn flux(&mut self, edit: bool) -> Option<Job> {
        let prompt = self.required_string("prompt");
        let seed = self.optional_seed();
        if edit {
            self.image_urls();
        }
        Some(Job::Still {
            prompt: prompt?,
            seed,
        })
    }

    fn kling(&mut self, durations: Durations) -> Option<Job> {
        let prompt = self.required_string("prompt");
        let start_image = self.start_image();
        let end_image = self.end_image();
        let duration_secs = self.duration(durations);
        prompt?;
        Some(Job::Clip {
            start_image: start_image?,
            end_image,
            duration_secs: duration_secs?,
        })
    }

    fn required_string(&mut self, field: &'static str) -> Option<String> {
        match self.fields.get(field) {
            Some(Value::String(text)) => Some(text.clone()),
            None | Some(Value::Null) => {
                self.fail(field, "Field required", "missing");
                None
            }
            Some(_) => {
                self.fail(field, "Input should be a valid string", "string_type");
                None
            }
        }
    }

    fn optional_string(&mut self, field: &'static str) -> Option<String> {
        match self.fields.get(field) {
            None | Some(Value::Null) => None,
            Some(Value::String(text)) => Some(text.clone()),
            Some(_) => {
                self.fail(field, "Input should be a valid string", "string_type");
                None
            }
        }
    }

    /// Seeds go beyond `i64::MAX`, so anything but a non-negative integer is a mistake.
    fn optional_seed(&mut self) -> Option<u64> {
        match self.fields.get("seed") {
            None | Some(Value::Null) => None,
            Some(value) => {
                let seed = value.as_u64();
                if seed.is_none() {
                    self.fail(
                        "seed",
                        "Input should be a valid non-negative integer",
                        "int_type",
                    );
                }
                seed
            }
        }
    }

    fn image_urls(&mut self) {
        match self.fields.get("image_urls") {
            None | Some(Value::Null) => self.fail("image_urls", "Field required", "missing"),
            Some(Value::Array(urls)) if urls.is_empty() => self.fail(
                "image_urls",
                "List should have at least 1 item after validation, not 0",
                "too_short",
            ),
            Some(Value::Array(urls)) if urls.len() > MAX_EDIT_IMAGES => self.fail(
                "image_urls",
                &format!(
                    "List should have at most {MAX_EDIT_IMAGES} items after validation, not {}",
                    urls.len()
                ),
                "too_long",
            ),
            Some(Value::Array(urls)) => {
                for (index, url) in urls.iter().enumerate() {
                    if !url.is_string() {
                        self.violations.push(json!({
                            "loc": ["body", "image_urls", index],
                            "msg": "Input should be a valid string",
                            "type": "string_type",
                        }));
                    }
                }
            }
            Some(_) => self.fail("image_urls", "Input should be a valid list", "list_type"),
        }
    }

    /// Kling versions name the start frame `start_image_url` or `image_url`.
    fn start_image(&mut self) -> Option<ImageField> {
        let violations_before = self.violations.len();
        let start = self
            .optional_string("start_image_url")
            .map(|url| ImageField {
                field: "start_image_url",
                url,
            });
        let image = self.optional_string("image_url").map(|url| ImageField {
            field: "image_url",
            url,
        });
        let found = start.or(image);
        if found.is_none() && self.violations.len() == violations_before {
            self.fail("start_image_url", "Field required", "missing");
        }
        found
    }

    /// Kling versions name the end frame `end_image_url` or `tail_image_url`.
    fn end_image(&mut self) -> Option<ImageField> {
        let end = self.optional_string("end_image_url").map(|url| ImageField {
            field: "end_image_url",
            url,
        });
        let tail = self
            .optional_string("tail_image_url")
            .map(|url| ImageField {
                field: "tail_image_url",
                url,
            });
        end.or(tail)
    }

    fn duration(&mut self, allowed: Durations) -> Option<u32> {
        let text = match self.fields.get("duration") {
            None | Some(Value::Null) => return Some(DEFAULT_CLIP_SECS),
            Some(Value::String(text)) => text,
            Some(_) => {
                self.fail("duration", "Input should be a valid string", "string_type");
                return None;
            }
        };
        let secs = text.parse::<u32>().ok();
        match (allowed, secs) {
            (Durations::Range(low, high), Some(secs)) if (low..=high).contains(&secs) => Some(secs),
            (Durations::FiveOrTen, Some(secs @ (5 | 10))) => Some(secs),
            (Durations::Range(low, high), _) => {
                self.fail(
                    "duration",
                    &format!("Input should be a whole number of seconds from '{low}' to '{high}'"),
                    "literal_error",
                );
                None
            }
            (Durations::FiveOrTen, _) => {
                self.fail("duration", "Input should be '5' or '10'", "literal_error");
                None
            }
        }
    }

    fn fail(&mut self, field: &str, msg: &str, kind: &str) {
        self.violations.push(violation(Some(field), msg, kind));
    }
}

fn violation(field: Option<&str>, msg: &str, kind: &str) -> Value {
    let loc = match field {
        Some(field) => json!(["body", field]),
        None => json!(["body"]),
    };
    json!({ "loc": loc, "msg": msg, "type": kind })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invalid_fields(endpoint: &str, input: Value) -> Vec<String> {
        let Err(ContractError::Invalid(Value::Array(violations))) = validate(endpoint, &input)
        else {
            panic!("{input} was accepted by {endpoint}");
        };
        violations
            .iter()
            .map(|v| {
                v["loc"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .skip(1)
                    .map(|p| p.to_string().replace('"', ""))
                    .collect::<Vec<_>>()
                    .join(".")
            })
            .collect()
    }

    #[test]
    fn flux_text_to_image_needs_a_string_prompt() {
        assert_eq!(
            validate(
                "fal-ai/flux-2",
                &json!({"prompt": "a rooftop", "seed": 17454220438242315174u64})
            ),
            Ok(Job::Still {
                prompt: "a rooftop".into(),
                seed: Some(17_454_220_438_242_315_174)
            })
        );
        assert_eq!(invalid_fields("fal-ai/flux-2-pro", json!({})), ["prompt"]);
        assert_eq!(
            invalid_fields("fal-ai/flux-2", json!({"prompt": 3, "seed": "42"})),
            ["prompt", "seed"]
        );
    }

    #[test]
    fn flux_edit_needs_one_to_ten_image_urls() {
        let ok = json!({"prompt": "p", "image_urls": ["https://a/1.png"]});
        assert!(validate("fal-ai/flux-2/edit", &ok).is_ok());
        assert!(validate("fal-ai/flux-2/lora/edit", &ok).is_ok());
        assert_eq!(
            invalid_fields("fal-ai/flux-2/edit", json!({"prompt": "p"})),
            ["image_urls"]
        );
        assert_eq!(
            invalid_fields(
                "fal-ai/flux-2-max/edit",
                json!({"prompt": "p", "image_urls": []})
            ),
            ["image_urls"]
        );
        let eleven: Vec<String> = (0..11).map(|i| format!("https://a/{i}.png")).collect();
        assert_eq!(
            invalid_fields(
                "fal-ai/flux-2/edit",
                json!({"prompt": "p", "image_urls": eleven})
            ),
            ["image_urls"]
        );
        assert_eq!(
            invalid_fields(
                "fal-ai/flux-2/edit",
                json!({"prompt": "p", "image_urls": ["ok", 7]})
            ),
            ["image_urls.1"]
        );
    }

    #[test]
    fn kling_duration_must_be_a_string_in_the_version_range() {
        let endpoint = "fal-ai/kling-video/v3/pro/image-to-video";
        assert_eq!(
            validate(
                endpoint,
                &json!({"prompt": "p", "start_image_url": "https://a/s.png", "duration": "3"})
            ),
            Ok(Job::Clip {
                start_image: ImageField {
                    field: "start_image_url",
                    url: "https://a/s.png".into()
                },
                end_image: None,
                duration_secs: 3
            })
        );
        let Err(ContractError::Invalid(violations)) = validate(
            endpoint,
            &json!({"prompt": "p", "start_image_url": "https://a/s.png", "duration": 5}),
        ) else {
            panic!("numeric duration accepted");
        };
        assert_eq!(
            violations,
            json!([{"loc": ["body", "duration"], "msg": "Input should be a valid string", "type": "string_type"}])
        );
        assert_eq!(
            invalid_fields(
                endpoint,
                json!({"prompt": "p", "start_image_url": "s", "duration": "16"})
            ),
            ["duration"]
        );
        assert_eq!(
            invalid_fields(
                "fal-ai/kling-video/v2.1/pro/image-to-video",
                json!({"prompt": "p", "image_url": "s", "duration": "3"})
            ),
            ["duration"]
        );
    }

    #[test]
    fn kling_takes_either_start_and_end_field_name() {
        let job = validate(
            "fal-ai/kling-video/v1.6/pro/image-to-video",
            &json!({"prompt": "p", "image_url": "https://a/s.png", "tail_image_url": "https://a/e.png"}),
        )
        .unwrap();
        assert_eq!(
            job,
            Job::Clip {
                start_image: ImageField {
                    field: "image_url",
                    url: "https://a/s.png".into()
                },
                end_image: Some(ImageField {
                    field: "tail_image_url",
                    url: "https://a/e.png".into()
                }),
                duration_secs: DEFAULT_CLIP_SECS
            }
        );
        assert_eq!(
            invalid_fields(
                "fal-ai/kling-video/o3/pro/image-to-video",
                json!({"duration": "4"})
            ),
            ["prompt", "start_image_url"]
        );
    }

    #[test]
    fn other_endpoints_and_non_objects_are_refused() {
        assert_eq!(
            validate("fal-ai/flux-2-trainer", &json!({})),
            Err(ContractError::UnknownEndpoint)
        );
        assert_eq!(
            validate("fal-ai/kling-video/v3/pro/motion-control", &json!({})),
            Err(ContractError::UnknownEndpoint)
        );
        assert_eq!(
            validate("someone/else", &json!({})),
            Err(ContractError::UnknownEndpoint)
        );
        assert_eq!(invalid_fields("fal-ai/flux-2", json!(["prompt"])), [""]);
    }
}
