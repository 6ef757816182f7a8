//! The trace id that ties together every log line one request causes, across the gateway, the
//! workflow's activities and the provider's webhook (W3C Trace Context's 16-byte trace id, so
//! a `traceparent` header a caller sends is honoured). Made at the edge (the gateway draws a
//! fresh one when the caller sends none); here it is only parsed, carried and printed.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct TraceId([u8; 16]);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TraceIdError {
    #[error("a trace id is 32 lowercase hex digits (got {0:?})")]
    Malformed(String),
    #[error("the all-zero trace id is invalid")]
    Zero,
}

impl TraceId {
    /// A trace id from 16 random bytes (`None` for the invalid all-zero id).
    pub fn from_bytes(bytes: [u8; 16]) -> Option<Self> {
        (bytes != [0; 16]).then_some(Self(bytes))
    }

    /// Parses 32 lowercase hex digits.
    pub fn parse(text: &str) -> Result<Self, TraceIdError> {
        let malformed = || TraceIdError::Malformed(text.chars().take(64).collect());
        if text.len() != 32 || !text.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
            return Err(malformed());
        }
        let mut bytes = [0u8; 16];
        for (i, byte) in bytes.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).map_err(|_| malformed())?;
        }
        Self::from_bytes(bytes).ok_or(TraceIdError::Zero)
    }

    /// The trace id of a W3C `traceparent` header (`00-{trace id}-{parent id}-{flags}`); `None`
    /// for anything else, which the caller then replaces with a fresh id.
    pub fn from_traceparent(header: &str) -> Option<Self> {
        let mut parts = header.trim().split('-');
        let (version, trace, parent, flags) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
        let hex = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_hexdigit());
        if version == "ff" || !hex(version, 2) || !hex(parent, 16) || !hex(flags, 2) || (version == "00" && parts.next().is_some()) {
            return None;
        }
        Self::parse(trace).ok()
    }
}

impl fmt::Display for TraceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

impl fmt::Debug for TraceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TraceId({self})")
    }
}

impl Serialize for TraceId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for TraceId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<str>::deserialize(d)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";

    #[test]
    fn a_trace_id_reads_back_as_it_prints() {
        let id = TraceId::parse(ID).unwrap();
        assert_eq!(id.to_string(), ID);
        assert_eq!(serde_json::to_string(&id).unwrap(), format!("\"{ID}\""));
        assert_eq!(serde_json::from_str::<TraceId>(&format!("\"{ID}\"")).unwrap(), id);
    }

    #[test]
    fn malformed_and_zero_ids_are_refused() {
        for bad in ["", "4BF92F3577B34DA6A3CE929D0E0E4736", "4bf92f3577b34da6a3ce929d0e0e473", "../../etc/passwd", "4bf92f3577b34da6a3ce929d0e0e473g"] {
            assert!(matches!(TraceId::parse(bad), Err(TraceIdError::Malformed(_))), "{bad:?}");
        }
        assert_eq!(TraceId::parse(&"0".repeat(32)), Err(TraceIdError::Zero));
        assert!(serde_json::from_str::<TraceId>("\"nope\"").is_err());
        assert_eq!(TraceId::from_bytes([0; 16]), None);
    }

    #[test]
    fn traceparent_headers_give_their_trace_id() {
        let header = format!("00-{ID}-00f067aa0ba902b7-01");
        assert_eq!(TraceId::from_traceparent(&header), Some(TraceId::parse(ID).unwrap()));
        // A later version may append fields; version 00 may not.
        assert!(TraceId::from_traceparent(&format!("01-{ID}-00f067aa0ba902b7-01-extra")).is_some());
        for bad in [
            format!("00-{ID}-00f067aa0ba902b7-01-extra"),
            format!("ff-{ID}-00f067aa0ba902b7-01"),
            format!("00-{ID}-00f067aa0ba902b-01"),
            format!("00-{}-00f067aa0ba902b7-01", "0".repeat(32)),
            ID.to_string(),
            String::new(),
        ] {
            assert_eq!(TraceId::from_traceparent(&bad), None, "{bad:?}");
        }
    }
}
