//! `miri store export D --project ID` and `miri store import D`: a project's whole history as JSON
//! lines plus its media, for backup and for moving between backends.

use crate::{config::Common, services};
use anyhow::Context;
use miri_core::ProjectId;
use miri_store::export;
use std::path::Path;

pub async fn export(common: &Common, project: &str, dir: &Path) -> anyhow::Result<()> {
    let project = ProjectId::parse("--project", project)?;
    let (store, _) = services::open_store(common).await?;
    let counts = export::export(store.backend(), store.media(), &project.to_string(), dir)
        .await
        .with_context(|| format!("exporting project {project} to {}", dir.display()))?;
    println!("exported {} records and {} media files to {}", counts.records, counts.media, dir.display());
    Ok(())
}

pub async fn import(common: &Common, dir: &Path) -> anyhow::Result<()> {
    let (store, _) = services::open_store(common).await?;
    let counts = export::import(store.backend(), store.media(), dir)
        .await
        .with_context(|| format!("importing {}", dir.display()))?;
    println!("imported {} records and {} media files from {}", counts.records, counts.media, dir.display());
    Ok(())
}
