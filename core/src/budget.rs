//! Money: what each model costs, what a call will cost before it is made, and a project's ledger.
//!
//! The ledger is one entity per project whose every revision carries the running totals and the
//! one change that made it, so the store's create-only revisions serialise concurrent callers
//! (a taken revision means "read again and decide again") and the history is the audit trail.
//! Amounts are integer micro-dollars: a ledger never rounds. Pure code: times come in from the
//! caller, decisions go out as values.

use crate::{ProjectId, ShotId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// Millionths of a US dollar.
pub type Micros = u64;

/// The largest cap accepted, in dollars: beyond it a typo, not a budget.
pub const MAX_CAP_USD: f64 = 1e9;

/// How a model bills.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "per", rename_all = "camelCase")]
pub enum Price {
    /// FLUX.2: every started megapixel of input and output images.
    #[serde(rename_all = "camelCase")]
    Megapixel { usd_micros: Micros },
    /// Kling: every second of clip asked for.
    #[serde(rename_all = "camelCase")]
    Second { usd_micros: Micros },
    /// Language and embedding models: per million input and output tokens.
    #[serde(rename_all = "camelCase")]
    MillionTokens { input_usd_micros: Micros, output_usd_micros: Micros },
}

/// What a call uses, in the units prices are quoted in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "unit", rename_all = "camelCase")]
pub enum Usage {
    /// Started megapixels, inputs and outputs together.
    Megapixels { count: u64 },
    Seconds { count: u64 },
    #[serde(rename_all = "camelCase")]
    Tokens { input: u64, output: u64 },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PriceError {
    #[error("no price is configured for model {0}; add it to the price table before paying for it")]
    Unpriced(String),
    #[error("model {model} is priced per {priced} but the call was measured in {measured}")]
    Mismatch { model: String, priced: &'static str, measured: &'static str },
    #[error("the call to {model} cannot be measured: {why}")]
    Unmeasurable { model: String, why: String },
}

/// Prices by model id. An entry ending in `*` covers every id it prefixes; the longest match wins.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PriceTable(BTreeMap<String, Price>);

impl Default for PriceTable {
    /// The figures of `shared/docs/provider-apis.md` §8 (some are third-party reports); a
    /// deployment overrides them from its configuration.
    fn default() -> Self {
        let mp = |usd_micros| Price::Megapixel { usd_micros };
        let sec = |usd_micros| Price::Second { usd_micros };
        let tok = |input_usd_micros, output_usd_micros| Price::MillionTokens { input_usd_micros, output_usd_micros };
        Self(BTreeMap::from([
            ("fal-ai/flux-2*".into(), mp(12_000)),
            ("fal-ai/flux-2/flash*".into(), mp(5_000)),
            ("fal-ai/flux-2/turbo*".into(), mp(8_000)),
            ("fal-ai/flux-2-pro*".into(), mp(30_000)),
            ("fal-ai/flux-2-flex*".into(), mp(50_000)),
            ("fal-ai/flux-2-max*".into(), mp(70_000)),
            ("fal-ai/kling-video/*".into(), sec(112_000)),
            ("fal-ai/kling-video/o3/standard*".into(), sec(84_000)),
            ("fal-ai/kling-video/v3/turbo/pro*".into(), sec(140_000)),
            ("fal-ai/kling-video/v1/standard*".into(), sec(45_000)),
            ("gemini-2.5-pro*".into(), tok(1_250_000, 10_000_000)),
            ("gemini-2.5-flash*".into(), tok(300_000, 2_500_000)),
            ("gemini-3.1-pro*".into(), tok(2_000_000, 12_000_000)),
            ("gemini-embedding-*".into(), tok(150_000, 0)),
            ("claude-opus-4-7*".into(), tok(5_000_000, 25_000_000)),
            ("claude-sonnet-4*".into(), tok(3_000_000, 15_000_000)),
            ("claude-haiku-4-5*".into(), tok(1_000_000, 5_000_000)),
        ]))
    }
}

impl PriceTable {
    pub fn new(entries: BTreeMap<String, Price>) -> Self {
        Self(entries)
    }

    /// This table with `entries` added, replacing any of the same id.
    pub fn with(mut self, entries: BTreeMap<String, Price>) -> Self {
        self.0.extend(entries);
        self
    }

    /// The price of `model`: its own entry, else the longest `*` entry that prefixes it.
    pub fn price(&self, model: &str) -> Option<Price> {
        if let Some(p) = self.0.get(model) {
            return Some(*p);
        }
        self.0
            .iter()
            .filter_map(|(k, p)| k.strip_suffix('*').filter(|prefix| model.starts_with(prefix)).map(|prefix| (prefix.len(), *p)))
            .max_by_key(|(len, _)| *len)
            .map(|(_, p)| p)
    }

    /// What `usage` of `model` costs.
    pub fn cost(&self, model: &str, usage: Usage) -> Result<Micros, PriceError> {
        let price = self.price(model).ok_or_else(|| PriceError::Unpriced(model.into()))?;
        let mismatch = |priced, measured| PriceError::Mismatch { model: model.into(), priced, measured };
        match (price, usage) {
            (Price::Megapixel { usd_micros }, Usage::Megapixels { count })
            | (Price::Second { usd_micros }, Usage::Seconds { count }) => Ok(usd_micros.saturating_mul(count)),
            (Price::MillionTokens { input_usd_micros, output_usd_micros }, Usage::Tokens { input, output }) => {
                let total = u128::from(input_usd_micros) * u128::from(input) + u128::from(output_usd_micros) * u128::from(output);
                Ok(u64::try_from(total.div_ceil(1_000_000)).unwrap_or(u64::MAX))
            }
            (p, u) => Err(mismatch(p.unit(), u.unit())),
        }
    }

    /// What a fal submission of `input` to `endpoint` will use, read from the input itself (the
    /// exact object that is paid for): FLUX.2's image size, count and reference images; Kling's
    /// requested duration.
    pub fn fal_usage(&self, endpoint: &str, input: &Value) -> Result<Usage, PriceError> {
        let unmeasurable = |why: &str| PriceError::Unmeasurable { model: endpoint.into(), why: why.into() };
        match self.price(endpoint).ok_or_else(|| PriceError::Unpriced(endpoint.into()))? {
            Price::Second { .. } => {
                let secs = match &input["duration"] {
                    Value::String(s) => s.parse::<u64>().ok(),
                    Value::Number(n) => n.as_u64(),
                    _ => None,
                };
                secs.map(|count| Usage::Seconds { count }).ok_or_else(|| unmeasurable("its input has no duration in seconds"))
            }
            Price::Megapixel { .. } => {
                let (w, h) = image_size(&input["image_size"]).ok_or_else(|| unmeasurable("its image_size is not one fal knows"))?;
                let images = input["num_images"].as_u64().unwrap_or(1);
                // A reference image is resized to about one megapixel by the edit endpoints.
                let references = input["image_urls"].as_array().map_or(0, |a| a.len() as u64);
                Ok(Usage::Megapixels { count: images * megapixels(w, h) + references })
            }
            Price::MillionTokens { .. } => Err(unmeasurable("a language model is not a fal queue endpoint")),
        }
    }

    /// What a finished fal request used, from its output: the images it made (their real size)
    /// plus the references it was given, or the clip duration it was asked for.
    pub fn fal_actual(&self, endpoint: &str, input: &Value, output: &Value) -> Result<Usage, PriceError> {
        let estimate = self.fal_usage(endpoint, input)?;
        let Usage::Megapixels { .. } = estimate else { return Ok(estimate) };
        let Some(images) = output["images"].as_array() else { return Ok(estimate) };
        let made: Option<u64> = images
            .iter()
            .map(|i| Some(megapixels(i["width"].as_u64()?, i["height"].as_u64()?)))
            .sum();
        let references = input["image_urls"].as_array().map_or(0, |a| a.len() as u64);
        Ok(made.map_or(estimate, |m| Usage::Megapixels { count: m + references }))
    }
}

impl Price {
    fn unit(self) -> &'static str {
        match self {
            Self::Megapixel { .. } => "megapixel",
            Self::Second { .. } => "second",
            Self::MillionTokens { .. } => "token",
        }
    }
}

impl Usage {
    fn unit(self) -> &'static str {
        match self {
            Self::Megapixels { .. } => "megapixels",
            Self::Seconds { .. } => "seconds",
            Self::Tokens { .. } => "tokens",
        }
    }
}

/// Started megapixels of a `w`×`h` image.
fn megapixels(w: u64, h: u64) -> u64 {
    (w * h).div_ceil(1_000_000).max(1)
}

/// fal's `image_size`: a preset name or `{"width","height"}`.
fn image_size(v: &Value) -> Option<(u64, u64)> {
    match v {
        Value::String(preset) => Some(match preset.as_str() {
            "square_hd" => (1024, 1024),
            "square" => (512, 512),
            "portrait_4_3" => (768, 1024),
            "portrait_16_9" => (576, 1024),
            "landscape_4_3" => (1024, 768),
            "landscape_16_9" => (1024, 576),
            "auto" => (1024, 1024),
            _ => return None,
        }),
        Value::Object(_) => Some((v["width"].as_u64()?, v["height"].as_u64()?)),
        Value::Null => Some((1024, 768)),
        _ => None,
    }
}

/// Money set aside for one paid call until its bill is known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Reservation {
    pub usd_micros: Micros,
    pub model: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shot_id: Option<ShotId>,
}

/// A call that found too little money left and waits for the cap to be raised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Waiting {
    pub needed_usd_micros: Micros,
    pub model: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shot_id: Option<ShotId>,
}

/// The one change a ledger revision records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "camelCase")]
pub enum LedgerChange {
    #[serde(rename_all = "camelCase")]
    Opened { cap_usd_micros: Micros },
    #[serde(rename_all = "camelCase")]
    Reserved { key: String, usd_micros: Micros },
    #[serde(rename_all = "camelCase")]
    Blocked { key: String, needed_usd_micros: Micros, available_usd_micros: Micros },
    #[serde(rename_all = "camelCase")]
    Settled { key: String, estimated_usd_micros: Micros, actual_usd_micros: Micros },
    #[serde(rename_all = "camelCase")]
    Released { key: String, usd_micros: Micros, reason: String },
    #[serde(rename_all = "camelCase")]
    CapChanged { from_usd_micros: Micros, to_usd_micros: Micros, by: String },
}

/// A project's budget at one revision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Ledger {
    pub project_id: ProjectId,
    pub cap_usd_micros: Micros,
    /// Settled bills.
    pub spent_usd_micros: Micros,
    /// Calls paid for but not yet billed, by idempotency key (a version id).
    pub reserved: BTreeMap<String, Reservation>,
    /// Calls paused until the cap is raised, by idempotency key.
    pub waiting: BTreeMap<String, Waiting>,
    pub change: LedgerChange,
    #[serde(with = "crate::schema::rfc3339")]
    pub updated_at: DateTime<Utc>,
}

/// What asking for money decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// The reservation is made: append this revision.
    Granted(Ledger),
    /// Too little is left: append this revision (it records the wait) and pause.
    Blocked(Ledger),
    /// Nothing to append: the key already holds a reservation (a retried call) or already waits
    /// for the same amount.
    Unchanged { granted: bool },
}

impl Ledger {
    pub fn open(project_id: ProjectId, cap_usd_micros: Micros, at: DateTime<Utc>) -> Self {
        Self {
            project_id,
            cap_usd_micros,
            spent_usd_micros: 0,
            reserved: BTreeMap::new(),
            waiting: BTreeMap::new(),
            change: LedgerChange::Opened { cap_usd_micros },
            updated_at: at,
        }
    }

    pub fn reserved_usd_micros(&self) -> Micros {
        self.reserved.values().map(|r| r.usd_micros).sum()
    }

    /// What new calls may still reserve.
    pub fn available_usd_micros(&self) -> Micros {
        self.cap_usd_micros.saturating_sub(self.spent_usd_micros).saturating_sub(self.reserved_usd_micros())
    }

    /// Sets `amount` aside for the call `key`, or records that it waits for money.
    pub fn reserve(&self, key: &str, amount: Micros, model: &str, shot_id: Option<ShotId>, at: DateTime<Utc>) -> Decision {
        if self.reserved.contains_key(key) {
            return Decision::Unchanged { granted: true };
        }
        let available = self.available_usd_micros();
        if amount <= available {
            let mut next = self.next(LedgerChange::Reserved { key: key.into(), usd_micros: amount }, at);
            next.waiting.remove(key);
            next.reserved.insert(key.into(), Reservation { usd_micros: amount, model: model.into(), shot_id });
            return Decision::Granted(next);
        }
        if self.waiting.get(key).is_some_and(|w| w.needed_usd_micros == amount) {
            return Decision::Unchanged { granted: false };
        }
        let change = LedgerChange::Blocked { key: key.into(), needed_usd_micros: amount, available_usd_micros: available };
        let mut next = self.next(change, at);
        next.waiting.insert(key.into(), Waiting { needed_usd_micros: amount, model: model.into(), shot_id });
        Decision::Blocked(next)
    }

    /// Replaces the reservation of `key` by its bill. `None`: nothing is reserved under `key`
    /// (already settled or released), so there is nothing to append.
    pub fn settle(&self, key: &str, actual: Micros, at: DateTime<Utc>) -> Option<Ledger> {
        let reservation = self.reserved.get(key)?;
        let change = LedgerChange::Settled {
            key: key.into(),
            estimated_usd_micros: reservation.usd_micros,
            actual_usd_micros: actual,
        };
        let mut next = self.next(change, at);
        next.reserved.remove(key);
        next.spent_usd_micros = next.spent_usd_micros.saturating_add(actual);
        Some(next)
    }

    /// Gives back the reservation of a call that failed or was cancelled (the saga's
    /// compensation), and forgets a wait. `None`: nothing is held under `key`.
    pub fn release(&self, key: &str, reason: &str, at: DateTime<Utc>) -> Option<Ledger> {
        let held = self.reserved.get(key).map(|r| r.usd_micros);
        if held.is_none() && !self.waiting.contains_key(key) {
            return None;
        }
        let change = LedgerChange::Released { key: key.into(), usd_micros: held.unwrap_or(0), reason: reason.into() };
        let mut next = self.next(change, at);
        next.reserved.remove(key);
        next.waiting.remove(key);
        Some(next)
    }

    /// A new cap, set by `by`. Waiting calls retry when they hear of it.
    pub fn set_cap(&self, cap: Micros, by: &str, at: DateTime<Utc>) -> Ledger {
        let change = LedgerChange::CapChanged { from_usd_micros: self.cap_usd_micros, to_usd_micros: cap, by: by.into() };
        Ledger { cap_usd_micros: cap, ..self.next(change, at) }
    }

    fn next(&self, change: LedgerChange, at: DateTime<Utc>) -> Ledger {
        Ledger { change, updated_at: at, ..self.clone() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn t(s: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + s, 0).unwrap()
    }

    fn project() -> ProjectId {
        ProjectId::parse("projectId", "0190a1b2-0000-7000-8000-000000000001").unwrap()
    }

    #[test]
    fn longest_prefix_wins_and_exact_ids_beat_prefixes() {
        let prices = PriceTable::default();
        assert_eq!(prices.price("fal-ai/flux-2/lora"), Some(Price::Megapixel { usd_micros: 12_000 }));
        assert_eq!(prices.price("fal-ai/flux-2/flash/edit"), Some(Price::Megapixel { usd_micros: 5_000 }));
        assert_eq!(prices.price("fal-ai/kling-video/o3/standard/image-to-video"), Some(Price::Second { usd_micros: 84_000 }));
        assert_eq!(prices.price("fal-ai/kling-video/v3/standard/image-to-video"), Some(Price::Second { usd_micros: 112_000 }));
        assert_eq!(prices.price("someone/else"), None);
        let mut table = BTreeMap::new();
        table.insert("a/b*".to_string(), Price::Second { usd_micros: 1 });
        table.insert("a/b/c".to_string(), Price::Second { usd_micros: 2 });
        assert_eq!(PriceTable::new(table).price("a/b/c"), Some(Price::Second { usd_micros: 2 }));
    }

    #[test]
    fn fal_inputs_are_measured_in_the_units_they_bill() {
        let prices = PriceTable::default();
        let kling = json!({"prompt": "p", "start_image_url": "u", "duration": "5"});
        let usage = prices.fal_usage("fal-ai/kling-video/v3/standard/image-to-video", &kling).unwrap();
        assert_eq!(usage, Usage::Seconds { count: 5 });
        assert_eq!(prices.cost("fal-ai/kling-video/v3/standard/image-to-video", usage).unwrap(), 560_000);

        // 1024×576 is 0.59 MP: one started megapixel; two references add one each.
        let flux = json!({"prompt": "p", "image_size": "landscape_16_9", "num_images": 1, "image_urls": ["a", "b"]});
        assert_eq!(prices.fal_usage("fal-ai/flux-2/lora/edit", &flux).unwrap(), Usage::Megapixels { count: 3 });
        let big = json!({"prompt": "p", "image_size": {"width": 2048, "height": 1536}, "num_images": 2});
        assert_eq!(prices.fal_usage("fal-ai/flux-2", &big).unwrap(), Usage::Megapixels { count: 8 });

        let err = prices.fal_usage("fal-ai/kling-video/v3/standard/image-to-video", &json!({"duration": "five"})).unwrap_err();
        assert!(err.to_string().contains("no duration"), "{err}");
        let err = prices.fal_usage("fal-ai/flux-2", &json!({"image_size": "huge"})).unwrap_err();
        assert!(err.to_string().contains("image_size"), "{err}");
        assert_eq!(prices.fal_usage("acme/unknown", &flux), Err(PriceError::Unpriced("acme/unknown".into())));
    }

    #[test]
    fn actual_image_cost_comes_from_the_images_made() {
        let prices = PriceTable::default();
        let input = json!({"image_size": "landscape_16_9", "image_urls": ["r"]});
        let output = json!({"images": [{"url": "x", "width": 2048, "height": 1152}]});
        assert_eq!(prices.fal_actual("fal-ai/flux-2/edit", &input, &output).unwrap(), Usage::Megapixels { count: 4 });
        // No sizes in the output: the estimate stands.
        let bare = json!({"images": [{"url": "x"}]});
        assert_eq!(prices.fal_actual("fal-ai/flux-2/edit", &input, &bare).unwrap(), Usage::Megapixels { count: 2 });
    }

    #[test]
    fn token_prices_round_up_to_a_micro_dollar_and_units_must_match() {
        let prices = PriceTable::default();
        let usage = Usage::Tokens { input: 1_000, output: 10 };
        // 1000 × 1.25 $/M = 1250 µ$, 10 × 10 $/M = 100 µ$.
        assert_eq!(prices.cost("gemini-2.5-pro", usage).unwrap(), 1_350);
        assert_eq!(prices.cost("gemini-2.5-pro", Usage::Tokens { input: 1, output: 0 }).unwrap(), 2);
        let err = prices.cost("gemini-2.5-pro", Usage::Seconds { count: 3 }).unwrap_err();
        assert!(matches!(err, PriceError::Mismatch { .. }), "{err}");
    }

    #[test]
    fn price_tables_read_from_configuration_json() {
        let table: PriceTable = serde_json::from_value(json!({
            "acme/video*": {"per": "second", "usdMicros": 50000},
            "acme/llm": {"per": "millionTokens", "inputUsdMicros": 1, "outputUsdMicros": 2}
        }))
        .unwrap();
        assert_eq!(table.cost("acme/video/fast", Usage::Seconds { count: 2 }).unwrap(), 100_000);
        assert!(serde_json::from_value::<PriceTable>(json!({"x": {"per": "banana"}})).is_err());
    }

    #[test]
    fn reservations_hold_money_until_settled_or_released() {
        let ledger = Ledger::open(project(), 1_000_000, t(0));
        let Decision::Granted(a) = ledger.reserve("v1", 600_000, "m", None, t(1)) else { panic!("fits") };
        assert_eq!(a.available_usd_micros(), 400_000);
        assert_eq!(a.reserve("v1", 600_000, "m", None, t(2)), Decision::Unchanged { granted: true });

        let Decision::Blocked(b) = a.reserve("v2", 500_000, "m", None, t(3)) else { panic!("over the cap") };
        assert_eq!(b.waiting["v2"].needed_usd_micros, 500_000);
        assert_eq!(b.change, LedgerChange::Blocked { key: "v2".into(), needed_usd_micros: 500_000, available_usd_micros: 400_000 });
        assert_eq!(b.reserve("v2", 500_000, "m", None, t(4)), Decision::Unchanged { granted: false });

        // The first call costs less than estimated: the difference comes back.
        let c = b.settle("v1", 450_000, t(5)).unwrap();
        assert_eq!((c.spent_usd_micros, c.reserved_usd_micros(), c.available_usd_micros()), (450_000, 0, 550_000));
        assert!(c.settle("v1", 450_000, t(6)).is_none(), "a second settle is a no-op");

        let Decision::Granted(d) = c.reserve("v2", 500_000, "m", None, t(7)) else { panic!("fits now") };
        assert!(d.waiting.is_empty());
        let e = d.release("v2", "the provider failed", t(8)).unwrap();
        assert_eq!(e.available_usd_micros(), 550_000);
        assert!(e.release("v2", "again", t(9)).is_none());
    }

    #[test]
    fn raising_the_cap_lets_a_waiting_call_through_and_overruns_are_kept() {
        let ledger = Ledger::open(project(), 100, t(0));
        let Decision::Blocked(waiting) = ledger.reserve("v", 500, "m", None, t(1)) else { panic!() };
        let raised = waiting.set_cap(1_000, "owner", t(2));
        assert_eq!(raised.change, LedgerChange::CapChanged { from_usd_micros: 100, to_usd_micros: 1_000, by: "owner".into() });
        let Decision::Granted(granted) = raised.reserve("v", 500, "m", None, t(3)) else { panic!() };
        let billed = granted.settle("v", 1_200, t(4)).unwrap();
        assert_eq!(billed.spent_usd_micros, 1_200);
        assert_eq!(billed.available_usd_micros(), 0);
    }

    #[test]
    fn ledger_round_trips_in_camel_case() {
        let ledger = Ledger::open(project(), 5, t(0));
        let Decision::Granted(next) = ledger.reserve("v", 5, "fal-ai/flux-2", None, t(1)) else { panic!() };
        let json = serde_json::to_value(&next).unwrap();
        assert_eq!(json["change"], json!({"change": "reserved", "key": "v", "usdMicros": 5}));
        assert_eq!(json["reserved"]["v"]["model"], "fal-ai/flux-2");
        assert_eq!(serde_json::from_value::<Ledger>(json).unwrap(), next);
    }
}
