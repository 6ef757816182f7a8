//! The shot state machine of the plan (architecture §2). Only these transitions exist; every
//! writer of a shot's status goes through [`ShotStatus::transition`], so an illegal move is an
//! error naming both ends instead of a corrupt history.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ShotStatus {
    AudioAnalysis,
    Draft,
    Validation,
    GeneratingImage,
    AwaitingApproval,
    Refining,
    GeneratingVideo,
    Completed,
    FinalRender,
    Failed,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("illegal shot transition {from} -> {to}")]
pub struct IllegalTransition {
    pub from: ShotStatus,
    pub to: ShotStatus,
}

impl ShotStatus {
    pub const ALL: [ShotStatus; 10] = [
        Self::AudioAnalysis,
        Self::Draft,
        Self::Validation,
        Self::GeneratingImage,
        Self::AwaitingApproval,
        Self::Refining,
        Self::GeneratingVideo,
        Self::Completed,
        Self::FinalRender,
        Self::Failed,
    ];

    /// Whether the plan allows `self -> to`.
    pub fn allows(self, to: ShotStatus) -> bool {
        use ShotStatus::*;
        matches!(
            (self, to),
            (AudioAnalysis, Draft)
                | (Draft, Validation)
                | (Validation, GeneratingImage)
                | (Validation, Draft) // validation failed
                | (GeneratingImage, AwaitingApproval)
                | (AwaitingApproval, GeneratingVideo) // approve
                | (AwaitingApproval, Draft) // reject, with the reason
                | (AwaitingApproval, Refining) // refine
                | (Refining, AwaitingApproval) // edit ready
                | (GeneratingVideo, Completed)
                | (Completed, FinalRender)
                | (Failed, Draft) // a human retries
        ) || (to == Failed && !matches!(self, Failed | FinalRender))
    }

    /// The checked move: `Ok(to)` or an error naming both ends.
    pub fn transition(self, to: ShotStatus) -> Result<ShotStatus, IllegalTransition> {
        if self.allows(to) { Ok(to) } else { Err(IllegalTransition { from: self, to }) }
    }

    pub fn as_str(self) -> &'static str {
        use ShotStatus::*;
        match self {
            AudioAnalysis => "AUDIO_ANALYSIS",
            Draft => "DRAFT",
            Validation => "VALIDATION",
            GeneratingImage => "GENERATING_IMAGE",
            AwaitingApproval => "AWAITING_APPROVAL",
            Refining => "REFINING",
            GeneratingVideo => "GENERATING_VIDEO",
            Completed => "COMPLETED",
            FinalRender => "FINAL_RENDER",
            Failed => "FAILED",
        }
    }
}

impl fmt::Display for ShotStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::ShotStatus::{self, *};

    /// Every pair of states, against the plan's table written out once more by hand.
    #[test]
    fn only_the_plans_transitions_are_possible() {
        let allowed = [
            (AudioAnalysis, Draft),
            (Draft, Validation),
            (Validation, GeneratingImage),
            (Validation, Draft),
            (GeneratingImage, AwaitingApproval),
            (AwaitingApproval, GeneratingVideo),
            (AwaitingApproval, Draft),
            (AwaitingApproval, Refining),
            (Refining, AwaitingApproval),
            (GeneratingVideo, Completed),
            (Completed, FinalRender),
            (Failed, Draft),
        ];
        for from in ShotStatus::ALL {
            for to in ShotStatus::ALL {
                let expected = allowed.contains(&(from, to))
                    || (to == Failed && from != Failed && from != FinalRender);
                assert_eq!(from.allows(to), expected, "{from} -> {to}");
                match from.transition(to) {
                    Ok(s) => assert_eq!(s, to),
                    Err(e) => {
                        assert!(!expected);
                        assert_eq!(e.to_string(), format!("illegal shot transition {from} -> {to}"));
                    }
                }
            }
        }
    }

    #[test]
    fn serialises_as_the_seeds_names() {
        for s in ShotStatus::ALL {
            assert_eq!(serde_json::to_string(&s).unwrap(), format!("\"{}\"", s.as_str()));
        }
    }
}
