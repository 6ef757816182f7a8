//! fal.ai: the queue API client (FLUX.2 stills, Kling clips) and its webhook callbacks.

mod client;
mod queue;
pub mod webhook;

pub use client::{FalClient, FalConfigError};
pub use queue::{QueueStatus, QueueSubmission};
