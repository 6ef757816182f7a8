//! The studio's actions as chat tools (issue 8's chat parity): everything the dashboard's
//! buttons do — generate, approve, reject, refine, render, change a setting — a model may propose
//! in a general conversation as a tool call. A call is data on the assistant's message; nothing
//! runs on the model's word: the director runs it from the chat, through the same API call the
//! button makes. The list here is the one the dashboard's parity test holds itself to.

use crate::budget::MAX_CAP_USD;
use crate::prompt::edit;
use crate::prompt::violation::summary;
use crate::schema::{FieldError, text};
use crate::{RenderMode, ShotId};
use serde::{Deserialize, Serialize};

/// The longest reason a rejection gives (the reject endpoint's limit).
pub const MAX_REASON_CHARS: usize = 2000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ToolName {
    Generate,
    Approve,
    Reject,
    Refine,
    Render,
    SetBudgetCap,
}

impl ToolName {
    pub const ALL: [ToolName; 6] = [Self::Generate, Self::Approve, Self::Reject, Self::Refine, Self::Render, Self::SetBudgetCap];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Generate => "generate",
            Self::Approve => "approve",
            Self::Reject => "reject",
            Self::Refine => "refine",
            Self::Render => "render",
            Self::SetBudgetCap => "set_budget_cap",
        }
    }

    /// Its arguments as a call names them, required ones first.
    pub fn arguments(self) -> &'static [&'static str] {
        match self {
            Self::Generate | Self::Approve => &["shotId"],
            Self::Reject => &["shotId", "reason"],
            Self::Refine => &["shotId", "command"],
            Self::Render => &["mode", "overlay"],
            Self::SetBudgetCap => &["capUsd"],
        }
    }
}

/// One tool call, stored as `{"name": …, "arguments": {…}}` on the message that proposed it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "name", content = "arguments", rename_all = "snake_case", rename_all_fields = "camelCase")]
pub enum Tool {
    /// Start (or restart after a failure) the shot's still.
    Generate { shot_id: ShotId },
    Approve { shot_id: ShotId },
    Reject { shot_id: ShotId, reason: String },
    /// Edit the still awaiting approval by one short imperative command; `hebrew` is the command
    /// in Hebrew, shown beside it (every prompt a director is shown carries its translation) and
    /// never sent to the refine endpoint.
    Refine {
        shot_id: ShotId,
        command: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        hebrew: Option<String>,
    },
    Render {
        mode: RenderMode,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        overlay: bool,
    },
    /// The project's budget cap, in dollars.
    SetBudgetCap { cap_usd: f64 },
}

impl Tool {
    pub fn name(&self) -> ToolName {
        match self {
            Self::Generate { .. } => ToolName::Generate,
            Self::Approve { .. } => ToolName::Approve,
            Self::Reject { .. } => ToolName::Reject,
            Self::Refine { .. } => ToolName::Refine,
            Self::Render { .. } => ToolName::Render,
            Self::SetBudgetCap { .. } => ToolName::SetBudgetCap,
        }
    }

    /// The shot it acts on, if any.
    pub fn shot(&self) -> Option<ShotId> {
        match self {
            Self::Generate { shot_id } | Self::Approve { shot_id } | Self::Reject { shot_id, .. } | Self::Refine { shot_id, .. } => {
                Some(*shot_id)
            }
            Self::Render { .. } | Self::SetBudgetCap { .. } => None,
        }
    }

    /// The checks the tool's own endpoint makes on its arguments, so a call the director runs is
    /// never refused for its shape. `field` prefixes the field named.
    pub fn check(&self, field: &str) -> Result<(), FieldError> {
        match self {
            Self::Generate { .. } | Self::Approve { .. } => Ok(()),
            Self::Reject { reason, .. } => text(&format!("{field}.reason"), reason, MAX_REASON_CHARS),
            Self::Refine { command, .. } => {
                let violations = edit::validate(command);
                if violations.is_empty() {
                    Ok(())
                } else {
                    Err(FieldError::new(format!("{field}.command"), format!("is no edit command: {}", summary(&violations))))
                }
            }
            Self::Render { mode: RenderMode::Final, overlay: true } => {
                Err(FieldError::new(format!("{field}.overlay"), "only an animatic carries the review overlay"))
            }
            Self::Render { .. } => Ok(()),
            Self::SetBudgetCap { cap_usd } => {
                if cap_usd.is_finite() && (0.0..=MAX_CAP_USD).contains(cap_usd) {
                    Ok(())
                } else {
                    Err(FieldError::new(format!("{field}.capUsd"), format!("{cap_usd} is not an amount between 0 and {MAX_CAP_USD} dollars")))
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use uuid::Uuid;

    #[test]
    fn a_call_is_stored_as_its_name_and_camel_case_arguments() {
        let shot_id = ShotId::from_uuid(Uuid::from_u128(7));
        let call = Tool::Reject { shot_id, reason: "her shoes are missing".into() };
        let v = serde_json::to_value(&call).unwrap();
        assert_eq!(v, json!({"name": "reject", "arguments": {"shotId": shot_id, "reason": "her shoes are missing"}}));
        assert_eq!(serde_json::from_value::<Tool>(v).unwrap(), call);
        let render = serde_json::to_value(Tool::Render { mode: RenderMode::Animatic, overlay: false }).unwrap();
        assert_eq!(render, json!({"name": "render", "arguments": {"mode": "animatic"}}));
        let refine = Tool::Refine { shot_id, command: "Remove the bench".into(), hebrew: Some("הסר את הספסל".into()) };
        let v = serde_json::to_value(&refine).unwrap();
        assert_eq!(v["arguments"], json!({"shotId": shot_id, "command": "Remove the bench", "hebrew": "הסר את הספסל"}));
        assert!(!ToolName::Refine.arguments().contains(&"hebrew"), "the translation is shown, never an argument");
        let cap = serde_json::to_value(Tool::SetBudgetCap { cap_usd: 12.5 }).unwrap();
        assert_eq!(cap, json!({"name": "set_budget_cap", "arguments": {"capUsd": 12.5}}));
    }

    #[test]
    fn every_tool_names_its_arguments_and_serialises_under_its_name() {
        let shot_id = ShotId::from_uuid(Uuid::from_u128(7));
        let one_each = [
            Tool::Generate { shot_id },
            Tool::Approve { shot_id },
            Tool::Reject { shot_id, reason: "r".into() },
            Tool::Refine { shot_id, command: "Remove the bench".into(), hebrew: None },
            Tool::Render { mode: RenderMode::Animatic, overlay: true },
            Tool::SetBudgetCap { cap_usd: 1.0 },
        ];
        assert_eq!(one_each.each_ref().map(|t| t.name()), ToolName::ALL);
        for tool in one_each {
            let v = serde_json::to_value(&tool).unwrap();
            assert_eq!(v["name"], tool.name().as_str());
            let named: Vec<&str> = v["arguments"].as_object().unwrap().keys().map(String::as_str).collect();
            assert!(named.iter().all(|k| tool.name().arguments().contains(k)), "{v} names {:?}", tool.name().arguments());
        }
    }

    /// The dashboard's parity test holds its buttons to `web/src/tools.json`; this holds that
    /// file to the tools here, so a tool added on either side and not the other fails one of them.
    #[test]
    fn the_dashboards_tool_list_is_this_one() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../web/src/tools.json");
        let listed: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let ours: Vec<serde_json::Value> =
            ToolName::ALL.iter().map(|t| json!({"name": t.as_str(), "arguments": t.arguments()})).collect();
        assert_eq!(listed["tools"], json!(ours), "web/src/tools.json and ToolName disagree");
    }

    #[test]
    fn a_call_is_held_to_its_endpoints_checks() {
        let shot_id = ShotId::from_uuid(Uuid::from_u128(7));
        assert!(Tool::Refine { shot_id, command: "Remove the bench".into(), hebrew: None }.check("actions[0]").is_ok());
        let e = Tool::Refine { shot_id, command: "make it nicer".into(), hebrew: None }.check("actions[0]").unwrap_err();
        assert_eq!(e.field, "actions[0].command");
        assert_eq!(Tool::Reject { shot_id, reason: " ".into() }.check("a").unwrap_err().field, "a.reason");
        assert_eq!(Tool::Render { mode: RenderMode::Final, overlay: true }.check("a").unwrap_err().field, "a.overlay");
        assert_eq!(Tool::SetBudgetCap { cap_usd: -1.0 }.check("a").unwrap_err().field, "a.capUsd");
        assert!(Tool::SetBudgetCap { cap_usd: f64::NAN }.check("a").is_err());
    }
}
