//! Prompt rules (architecture §5), one home each: the tag, FLUX.2 still requests, Kling clip
//! requests, edit commands. Pure code used by activities, the gateway and `miri prompt validate`.

pub mod audit;
pub mod color;
pub mod edit;
pub mod flux;
pub mod kling;
mod lexicon;
mod shape;
pub mod tag;
pub mod translate;
mod text;
pub mod violation;

pub use flux::{Coloured, FluxRequest, MIRI_DESCRIPTORS, MIRI_LORA, RestingPose};
pub use kling::{KlingModel, KlingRequest};
pub use tag::{ModelCode, Tag};
pub use violation::{Check, Violation};
