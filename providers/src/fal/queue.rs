//! The records fal's queue API hands back: the receipt of a submission and a request's progress.
//!
//! They are plain data that workflows persist between activity runs, so they serialise exactly as
//! fal spells them on the wire.

use serde::{Deserialize, Serialize};

/// fal's answer to a submit. The URLs are kept as the server returned them (they drop the
/// endpoint's sub-path) and must be reused verbatim for status, result and cancel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueSubmission {
    pub request_id: String,
    pub status_url: String,
    pub response_url: String,
    pub cancel_url: String,
}

/// Where a queued request stands. `Completed` does not mean success: fetch the result to know.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum QueueStatus {
    InQueue {
        #[serde(rename = "queue_position", default)]
        position: Option<u64>,
    },
    InProgress,
    Completed,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_bodies_parse_with_extra_fields() {
        let queued: QueueStatus = serde_json::from_str(
            r#"{"status":"IN_QUEUE","request_id":"r","queue_position":3,"status_url":"u"}"#,
        )
        .unwrap();
        assert_eq!(queued, QueueStatus::InQueue { position: Some(3) });

        let running: QueueStatus =
            serde_json::from_str(r#"{"status":"IN_PROGRESS","request_id":"r","logs":[]}"#).unwrap();
        assert_eq!(running, QueueStatus::InProgress);

        let done: QueueStatus =
            serde_json::from_str(r#"{"status":"COMPLETED","metrics":{"inference_time":1.5}}"#)
                .unwrap();
        assert_eq!(done, QueueStatus::Completed);

        assert!(serde_json::from_str::<QueueStatus>(r#"{"status":"EXPLODED"}"#).is_err());
    }

    #[test]
    fn status_round_trips_in_fal_spelling() {
        let json = serde_json::to_value(QueueStatus::InQueue { position: Some(0) }).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"status":"IN_QUEUE","queue_position":0})
        );
    }
}
