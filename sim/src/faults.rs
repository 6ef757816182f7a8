//! The misbehaviour a real provider shows now and then, on demand: slow answers, 429s with
//! `Retry-After`, 5xx, and webhooks that never arrive or arrive twice. Clients' retry and dedupe
//! paths can only be tested against a service that fails, so the simulator fails when told.
//!
//! The dice are seeded when `seed` is given, so a test that sends the same calls in the same order
//! sees the same failures.

use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

/// Which failures to inject; `Default` injects none. Rates are probabilities in `[0, 1]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct Faults {
    /// Added before every provider answer.
    pub latency_ms: u64,
    /// Share of provider calls refused with 429.
    pub rate_limit_rate: f64,
    /// The `Retry-After` a 429 carries, in seconds.
    pub retry_after_secs: u64,
    /// Share of provider calls refused with a 5xx (503; Anthropic's 529 for Claude).
    pub server_error_rate: f64,
    /// Share of fal webhooks never sent.
    pub drop_webhook_rate: f64,
    /// Share of fal webhooks sent twice.
    pub duplicate_webhook_rate: f64,
    /// Share of answers to Miri's own tasks (`miri.*` schemas) that break the task's rules.
    pub bad_answer_rate: f64,
    /// Makes the dice repeatable.
    pub seed: Option<u64>,
}

impl Default for Faults {
    fn default() -> Self {
        Self {
            latency_ms: 0,
            rate_limit_rate: 0.0,
            retry_after_secs: 1,
            server_error_rate: 0.0,
            drop_webhook_rate: 0.0,
            duplicate_webhook_rate: 0.0,
            bad_answer_rate: 0.0,
            seed: None,
        }
    }
}

impl Faults {
    /// Names the first rate outside `[0, 1]`.
    pub fn check(&self) -> Result<(), String> {
        let rates = [
            ("rateLimitRate", self.rate_limit_rate),
            ("serverErrorRate", self.server_error_rate),
            ("dropWebhookRate", self.drop_webhook_rate),
            ("duplicateWebhookRate", self.duplicate_webhook_rate),
            ("badAnswerRate", self.bad_answer_rate),
        ];
        match rates.iter().find(|(_, rate)| !(0.0..=1.0).contains(rate)) {
            Some((name, rate)) => Err(format!("{name} must be between 0 and 1, not {rate}")),
            None => Ok(()),
        }
    }
}

/// Why a text is not a fault rate.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RateError {
    #[error("{0:?} is not a number; give a probability such as 0.05 (0 = never, 1 = always)")]
    NotANumber(String),
    #[error("{0} is not between 0 and 1; give a probability such as 0.05 (0 = never, 1 = always)")]
    OutOfRange(f64),
}

/// Reads a rate as a command line or environment variable gives it.
pub fn parse_rate(text: &str) -> Result<f64, RateError> {
    let rate: f64 = text
        .trim()
        .parse()
        .map_err(|_| RateError::NotANumber(text.to_owned()))?;
    if (0.0..=1.0).contains(&rate) {
        Ok(rate)
    } else {
        Err(RateError::OutOfRange(rate))
    }
}

/// What happens to one provider call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallFate {
    Serve,
    RateLimited { retry_after_secs: u64 },
    ServerError,
}

/// What happens to one webhook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookFate {
    Drop,
    Send { times: u32 },
}

/// The current faults and the dice that apply them.
pub struct Dice {
    faults: Faults,
    rng: StdRng,
}

impl Dice {
    pub fn new(faults: Faults) -> Self {
        let rng = match faults.seed {
            Some(seed) => StdRng::seed_from_u64(seed),
            None => StdRng::from_entropy(),
        };
        Self { faults, rng }
    }

    pub fn faults(&self) -> &Faults {
        &self.faults
    }

    pub fn latency(&self) -> Duration {
        Duration::from_millis(self.faults.latency_ms)
    }

    /// Both rolls are always made, so one call's fate never shifts the next call's dice.
    pub fn call(&mut self) -> CallFate {
        let (limited, failed) = (self.rng.r#gen::<f64>(), self.rng.r#gen::<f64>());
        if limited < self.faults.rate_limit_rate {
            CallFate::RateLimited {
                retry_after_secs: self.faults.retry_after_secs,
            }
        } else if failed < self.faults.server_error_rate {
            CallFate::ServerError
        } else {
            CallFate::Serve
        }
    }

    /// Whether this answer to a Miri task should break its rules.
    pub fn bad_answer(&mut self) -> bool {
        self.rng.r#gen::<f64>() < self.faults.bad_answer_rate
    }

    pub fn webhook(&mut self) -> WebhookFate {
        let (dropped, doubled) = (self.rng.r#gen::<f64>(), self.rng.r#gen::<f64>());
        if dropped < self.faults.drop_webhook_rate {
            WebhookFate::Drop
        } else if doubled < self.faults.duplicate_webhook_rate {
            WebhookFate::Send { times: 2 }
        } else {
            WebhookFate::Send { times: 1 }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_are_probabilities() {
        assert_eq!(parse_rate("0"), Ok(0.0));
        assert_eq!(parse_rate(" 0.25 "), Ok(0.25));
        assert_eq!(parse_rate("1"), Ok(1.0));
        assert_eq!(parse_rate("1.5"), Err(RateError::OutOfRange(1.5)));
        assert_eq!(parse_rate("-0.1"), Err(RateError::OutOfRange(-0.1)));
        assert!(matches!(parse_rate("NaN"), Err(RateError::OutOfRange(_))));
        assert_eq!(
            parse_rate("lots"),
            Err(RateError::NotANumber("lots".into()))
        );
        assert!(
            RateError::OutOfRange(1.5)
                .to_string()
                .contains("not between 0 and 1")
        );
    }

    #[test]
    fn no_faults_by_default_and_seeded_dice_repeat() {
        let mut calm = Dice::new(Faults::default());
        assert!((0..100).all(|_| calm.call() == CallFate::Serve));
        let faults = Faults {
            rate_limit_rate: 0.3,
            server_error_rate: 0.3,
            seed: Some(7),
            ..Faults::default()
        };
        let (mut a, mut b) = (Dice::new(faults.clone()), Dice::new(faults));
        let fates: Vec<_> = (0..50).map(|_| a.call()).collect();
        assert_eq!(fates, (0..50).map(|_| b.call()).collect::<Vec<_>>());
        assert!(fates.contains(&CallFate::ServerError));
        assert!(fates.contains(&CallFate::RateLimited {
            retry_after_secs: 1
        }));
    }
}
