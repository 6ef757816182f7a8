//! What a validator reports: which rule a prompt breaks and a message a director can act on.
//! Validators collect every violation instead of stopping at the first, so one round trip to the
//! LLM (or the director) can fix them all.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The rules, one name each; the name is what `miri prompt validate` prints and what the
/// rulebook and the UI refer to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Check {
    /// The JSON is not the request's shape: a missing, unknown or mistyped field.
    Shape,
    /// A FLUX prompt must be the JSON object, never free text.
    PromptObject,
    Tag,
    Lora,
    ImageUrls,
    MiriDescriptors,
    DescriptorContradiction,
    StaticPose,
    NoMotion,
    ColourCode,
    RestFirst,
    Action,
    Frames,
    Duration,
    MotionBrush,
    EditVerbFirst,
    EditConcrete,
    EditVague,
    EditLength,
    EditSingle,
}

impl Check {
    pub fn as_str(self) -> &'static str {
        use Check::*;
        match self {
            Shape => "shape",
            PromptObject => "prompt-object",
            Tag => "tag",
            Lora => "lora",
            ImageUrls => "image-urls",
            MiriDescriptors => "miri-descriptors",
            DescriptorContradiction => "descriptor-contradiction",
            StaticPose => "static-pose",
            NoMotion => "no-motion",
            ColourCode => "colour-code",
            RestFirst => "rest-first",
            Action => "action",
            Frames => "frames",
            Duration => "duration",
            MotionBrush => "motion-brush",
            EditVerbFirst => "edit-verb-first",
            EditConcrete => "edit-concrete",
            EditVague => "edit-vague",
            EditLength => "edit-length",
            EditSingle => "edit-single",
        }
    }
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Violation {
    pub rule: Check,
    pub message: String,
}

impl Violation {
    pub fn new(rule: Check, message: impl Into<String>) -> Self {
        Self { rule, message: message.into() }
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.rule, self.message)
    }
}

/// Violations joined for a one-line reason (a shot's DRAFT reason, a log line).
pub fn summary(violations: &[Violation]) -> String {
    violations.iter().map(Violation::to_string).collect::<Vec<_>>().join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_names_match_serde() {
        for c in [Check::Shape, Check::NoMotion, Check::EditVerbFirst, Check::MiriDescriptors] {
            assert_eq!(serde_json::to_value(c).unwrap(), c.as_str());
        }
        let v = Violation::new(Check::ColourCode, "red needs a code");
        assert_eq!(serde_json::to_string(&v).unwrap(), r#"{"rule":"colour-code","message":"red needs a code"}"#);
    }
}
