//! The gateway: REST (JSON), gRPC, Socket.IO and the fal webhook over one axum router. It is
//! stateless — the store, Temporal and Redis hold everything — so any number of instances can
//! run behind a load balancer. It holds no provider key, only the webhook verification keys.

mod analyses;
pub mod api;
pub mod auth;
mod budget;
mod chat;
pub mod error;
pub mod events;
mod feeds;
mod follow;
pub mod grpc;
mod health;
mod keys;
mod mp3;
pub mod observe;
mod renders;
mod rest;
mod rules;
mod scenes;
mod shots;
pub mod server;
mod webhook;

pub use server::{Gateway, GatewayConfig};
