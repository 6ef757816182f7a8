//! How each record maps to an entry: its kind, its entity id and where it is listed. A record
//! that lives under another entity names that parent instead of repeating its ids (a version
//! names its shot), and the typed layer fills the place in from the parent's newest record.

use crate::entry::{Kind, Place};
use crate::records::{Membership, ProviderRequest, TokenRecord};
use miri_core::budget::Ledger;
use miri_core::{
    AgentConfig, Analysis, Conversation, Message, Project, Render, Rule, Scene, SceneAsset, Script, Shot, Version,
};
use serde::{Serialize, de::DeserializeOwned};

pub trait Record: Serialize + DeserializeOwned + Send + Sync + 'static {
    const KIND: Kind;

    /// The entity this record is a revision of.
    fn id(&self) -> String;

    /// Where it is listed, as far as the record itself knows.
    fn place(&self) -> Place {
        Place::default()
    }

    /// The entity it lives under, whose place it inherits (a version's shot).
    fn parent(&self) -> Option<(Kind, String)> {
        None
    }
}

fn project(id: impl ToString) -> Place {
    Place { project: Some(id.to_string()), ..Place::default() }
}

impl Record for Project {
    const KIND: Kind = Kind::Project;
    fn id(&self) -> String {
        self.config.project_id.to_string()
    }
    fn place(&self) -> Place {
        project(self.config.project_id)
    }
}

impl Record for AgentConfig {
    const KIND: Kind = Kind::AgentConfig;
    fn id(&self) -> String {
        self.config_id.to_string()
    }
}

impl Record for Analysis {
    const KIND: Kind = Kind::Analysis;
    fn id(&self) -> String {
        self.analysis_id.to_string()
    }
    fn place(&self) -> Place {
        project(self.project_id)
    }
}

impl Record for Scene {
    const KIND: Kind = Kind::Scene;
    fn id(&self) -> String {
        self.scene_id.to_string()
    }
    fn place(&self) -> Place {
        Place { scene: Some(self.scene_id.to_string()), ..project(self.project_id) }
    }
}

impl Record for SceneAsset {
    const KIND: Kind = Kind::SceneAsset;
    fn id(&self) -> String {
        self.asset_id.to_string()
    }
    fn parent(&self) -> Option<(Kind, String)> {
        Some((Kind::Scene, self.scene_id.to_string()))
    }
}

impl Record for Shot {
    const KIND: Kind = Kind::Shot;
    fn id(&self) -> String {
        self.shot_id.to_string()
    }
    fn place(&self) -> Place {
        Place {
            scene: self.scene_id.map(|s| s.to_string()),
            shot: Some(self.shot_id.to_string()),
            ..project(self.project_id)
        }
    }
}

impl Record for Version {
    const KIND: Kind = Kind::Version;
    fn id(&self) -> String {
        self.version_id.to_string()
    }
    fn parent(&self) -> Option<(Kind, String)> {
        Some((Kind::Shot, self.shot_id.to_string()))
    }
}

impl Record for Rule {
    const KIND: Kind = Kind::Rule;
    fn id(&self) -> String {
        self.rule_id.to_string()
    }
    fn place(&self) -> Place {
        project(self.project_id)
    }
}

impl Record for Conversation {
    const KIND: Kind = Kind::Conversation;
    fn id(&self) -> String {
        self.conversation_id.to_string()
    }
    fn place(&self) -> Place {
        Place {
            conversation: Some(self.conversation_id.to_string()),
            shot: self.shot_id.map(|s| s.to_string()),
            ..project(self.project_id)
        }
    }
}

impl Record for Message {
    const KIND: Kind = Kind::Message;
    fn id(&self) -> String {
        self.message_id.to_string()
    }
    fn parent(&self) -> Option<(Kind, String)> {
        Some((Kind::Conversation, self.conversation_id.to_string()))
    }
}

impl Record for Render {
    const KIND: Kind = Kind::Render;
    fn id(&self) -> String {
        self.render_id.to_string()
    }
    fn place(&self) -> Place {
        project(self.project_id)
    }
}

impl Record for ProviderRequest {
    const KIND: Kind = Kind::ProviderRequest;
    fn id(&self) -> String {
        self.version_id.to_string()
    }
    fn place(&self) -> Place {
        Place { shot: Some(self.shot_id.to_string()), ..project(self.project_id) }
    }
}

impl Record for TokenRecord {
    const KIND: Kind = Kind::Token;
    fn id(&self) -> String {
        self.token_sha256.clone()
    }
}

impl Record for Membership {
    const KIND: Kind = Kind::Membership;
    fn id(&self) -> String {
        Membership::id_of(self.project_id, &self.token_sha256)
    }
    fn place(&self) -> Place {
        project(self.project_id)
    }
}

impl Record for Ledger {
    const KIND: Kind = Kind::Ledger;
    fn id(&self) -> String {
        self.project_id.to_string()
    }
    fn place(&self) -> Place {
        project(self.project_id)
    }
}

impl Record for Script {
    const KIND: Kind = Kind::Script;
    fn id(&self) -> String {
        self.script_id.to_string()
    }
    fn place(&self) -> Place {
        Place { conversation: Some(self.conversation_id.to_string()), ..project(self.project_id) }
    }
}
