//! Clients for the outside services that generate Miri's media, and the errors they share.
//!
//! Each provider lives in its own folder (`fal/` is fal.ai); `error` classifies failures so
//! workflows can decide on retries without knowing which provider they called.

pub mod claude;
pub mod breaker;
pub mod error;
pub mod fal;
pub mod gemini;
pub mod models;
pub mod vertex;
