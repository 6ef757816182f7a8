//! What operators see of a running Miri: its log lines (text for a terminal, JSON for a log
//! pipeline), the trace id that ties one request's lines together across the gateway, the
//! workflow's activities and the provider's webhook, and the Prometheus metrics each process
//! keeps. Nothing here decides anything: it only reports.

pub mod logs;
pub mod metrics;
pub mod trace;
