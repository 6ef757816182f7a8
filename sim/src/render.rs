//! Making the media a finished request returns: stills for FLUX.2, clips for Kling, published under
//! `data_dir/files/` and served at `/files/{name}`.

mod clip;
mod still;

use std::io;
use std::path::Path;

use serde_json::{Value, json};
use uuid::Uuid;

use crate::contract::Job;
use crate::state::Sim;

/// Why a request failed, as fal's validation list (answered with HTTP 422).
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub detail: Value,
}

impl Failure {
    /// A one-entry list; `field` is the input field at fault, if any.
    pub fn new(field: Option<&str>, msg: &str, kind: &str) -> Self {
        let loc = match field {
            Some(field) => json!(["body", field]),
            None => json!(["body"]),
        };
        Self {
            detail: json!([{ "loc": loc, "msg": msg, "type": kind }]),
        }
    }

    fn storage(err: io::Error) -> Self {
        Self::new(
            None,
            &format!("The simulator could not store the output: {err}"),
            "internal_error",
        )
    }
}

/// Produces the model output for `job`.
pub async fn make(sim: &Sim, id: Uuid, job: &Job) -> Result<Value, Failure> {
    match job {
        Job::Still { prompt, seed } => {
            still::make(sim, id, prompt, seed.unwrap_or_else(rand::random)).await
        }
        Job::Clip {
            start_image,
            end_image,
            duration_secs,
        } => clip::make(sim, id, start_image, end_image.as_ref(), *duration_secs).await,
    }
}

/// Moves a finished file into the served folder under `name` and returns its URL and size.
async fn publish(sim: &Sim, name: &str, finished: &Path) -> Result<(String, u64), Failure> {
    let size = tokio::fs::metadata(finished)
        .await
        .map_err(Failure::storage)?
        .len();
    tokio::fs::rename(finished, sim.files_dir().join(name))
        .await
        .map_err(Failure::storage)?;
    Ok((sim.public_url(&format!("files/{name}")), size))
}
