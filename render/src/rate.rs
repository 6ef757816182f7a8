//! Frame rates as exact fractions, and the millisecond ↔ frame arithmetic every cut depends on.
//! Integer arithmetic only: 29.97 fps is 30000/1001, and a float would move a cut by a frame
//! somewhere in a long song.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Frames per second as `num / den`, kept in lowest terms; `{"num":24,"den":1}` in JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "Fraction")]
pub struct FrameRate {
    num: u32,
    den: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a frame rate needs a positive numerator and denominator, not {num}/{den}")]
pub struct BadFrameRate {
    pub num: u32,
    pub den: u32,
}

/// A rate as it arrives in JSON, checked by [`FrameRate::new`].
#[derive(Deserialize)]
struct Fraction {
    num: u32,
    den: u32,
}

impl TryFrom<Fraction> for FrameRate {
    type Error = BadFrameRate;

    fn try_from(Fraction { num, den }: Fraction) -> Result<Self, BadFrameRate> {
        Self::new(num, den)
    }
}

impl FrameRate {
    pub fn new(num: u32, den: u32) -> Result<Self, BadFrameRate> {
        if num == 0 || den == 0 {
            return Err(BadFrameRate { num, den });
        }
        let common = gcd(num, den);
        Ok(Self {
            num: num / common,
            den: den / common,
        })
    }

    pub fn num(self) -> u32 {
        self.num
    }

    pub fn den(self) -> u32 {
        self.den
    }

    /// The frame boundary nearest to `ms` (halves round up).
    pub fn frame_at(self, ms: u64) -> u64 {
        let scaled = 2 * u128::from(ms) * u128::from(self.num) + 1000 * u128::from(self.den);
        (scaled / (2000 * u128::from(self.den))) as u64
    }

    /// How long `frames` frames last, to the nanosecond.
    pub fn duration_of(self, frames: u64) -> Duration {
        let nanos =
            u128::from(frames) * u128::from(self.den) * 1_000_000_000 / u128::from(self.num);
        Duration::from_nanos(nanos as u64)
    }

    /// Whether two instants are at most half a frame apart: close enough that rounding both to
    /// the nearest frame may put them on one boundary.
    pub(crate) fn within_half_frame(self, a_ms: u64, b_ms: u64) -> bool {
        u128::from(a_ms.abs_diff(b_ms)) * 2 * u128::from(self.num) <= 1000 * u128::from(self.den)
    }

    /// Parses ffprobe's `"24/1"`; `None` for `"0/0"` (a rate the container does not know).
    pub(crate) fn parse_ratio(text: &str) -> Option<Self> {
        let (num, den) = text.split_once('/')?;
        Self::new(num.parse().ok()?, den.parse().ok()?).ok()
    }
}

/// `24`, or `30000/1001` when the rate is not whole: the form ffmpeg's options accept.
impl fmt::Display for FrameRate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.den == 1 {
            write!(f, "{}", self.num)
        } else {
            write!(f, "{}/{}", self.num, self.den)
        }
    }
}

fn gcd(mut a: u32, mut b: u32) -> u32 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_are_reduced_and_printed_as_ffmpeg_reads_them() {
        assert_eq!(
            FrameRate::new(48, 2).unwrap(),
            FrameRate::new(24, 1).unwrap()
        );
        assert_eq!(FrameRate::new(24, 1).unwrap().to_string(), "24");
        assert_eq!(
            FrameRate::new(30000, 1001).unwrap().to_string(),
            "30000/1001"
        );
        assert_eq!(FrameRate::new(0, 1), Err(BadFrameRate { num: 0, den: 1 }));
        assert_eq!(FrameRate::parse_ratio("25/1"), FrameRate::new(25, 1).ok());
        assert_eq!(FrameRate::parse_ratio("0/0"), None);
        let ntsc: FrameRate = serde_json::from_str(r#"{"num":60000,"den":2002}"#).unwrap();
        assert_eq!(
            serde_json::to_string(&ntsc).unwrap(),
            r#"{"num":30000,"den":1001}"#
        );
        assert!(serde_json::from_str::<FrameRate>(r#"{"num":24,"den":0}"#).is_err());
    }

    #[test]
    fn milliseconds_round_to_the_nearest_frame() {
        let fps24 = FrameRate::new(24, 1).unwrap();
        assert_eq!(fps24.frame_at(0), 0);
        assert_eq!(fps24.frame_at(1000), 24);
        assert_eq!(fps24.frame_at(1020), 24); // 24.48
        assert_eq!(fps24.frame_at(1021), 25); // 24.504
        assert_eq!(fps24.frame_at(200_000), 4800);
        let ntsc = FrameRate::new(30000, 1001).unwrap();
        assert_eq!(ntsc.frame_at(1001), 30);
        assert_eq!(ntsc.frame_at(3_600_000), 107_892); // 107892.1
    }

    #[test]
    fn half_a_frame_is_the_tolerance() {
        let fps25 = FrameRate::new(25, 1).unwrap(); // 40 ms frames
        assert!(fps25.within_half_frame(1000, 1020));
        assert!(fps25.within_half_frame(1020, 1000));
        assert!(!fps25.within_half_frame(1000, 1021));
        assert_eq!(fps25.duration_of(50), Duration::from_secs(2));
    }
}
