//! The one output format every segment is made in. Concatenating by stream copy only works when
//! every segment has the same size and frame rate, so the format is a value passed to every
//! segment maker rather than options each call could choose differently.

use serde::{Deserialize, Serialize};

use crate::rate::FrameRate;

/// Width × height in pixels at a frame rate. Both sides are even, as 4:2:0 chroma needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "Unchecked")]
pub struct VideoFormat {
    width: u32,
    height: u32,
    fps: FrameRate,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("an output size must have even, positive sides (yuv420p), not {width}x{height}")]
pub struct BadFormat {
    pub width: u32,
    pub height: u32,
}

/// A format as it arrives in JSON, checked by [`VideoFormat::new`].
#[derive(Deserialize)]
struct Unchecked {
    width: u32,
    height: u32,
    fps: FrameRate,
}

impl TryFrom<Unchecked> for VideoFormat {
    type Error = BadFormat;

    fn try_from(Unchecked { width, height, fps }: Unchecked) -> Result<Self, BadFormat> {
        Self::new(width, height, fps)
    }
}

impl VideoFormat {
    pub fn new(width: u32, height: u32, fps: FrameRate) -> Result<Self, BadFormat> {
        if width == 0 || height == 0 || width % 2 == 1 || height % 2 == 1 {
            return Err(BadFormat { width, height });
        }
        Ok(Self { width, height, fps })
    }

    pub fn width(&self) -> u32 {
        self.width
    }

    pub fn height(&self) -> u32 {
        self.height
    }

    pub fn fps(&self) -> FrameRate {
        self.fps
    }

    /// The filters that fit any picture inside the frame: scale down or up keeping its aspect
    /// ratio, centre it on black, square pixels. `scale` is how many times the output size to
    /// fit into (the still maker works at a larger size before its pan and zoom).
    pub(crate) fn fit_filters(&self, scale: u32) -> String {
        let (w, h) = (self.width * scale, self.height * scale);
        format!(
            "scale={w}:{h}:force_original_aspect_ratio=decrease:force_divisible_by=2,\
             pad={w}:{h}:(ow-iw)/2:(oh-ih)/2:black,setsar=1"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn odd_or_empty_sizes_are_refused() {
        let fps = FrameRate::new(24, 1).unwrap();
        assert!(VideoFormat::new(320, 180, fps).is_ok());
        assert_eq!(
            VideoFormat::new(321, 180, fps),
            Err(BadFormat {
                width: 321,
                height: 180
            })
        );
        assert!(VideoFormat::new(320, 0, fps).is_err());
        let odd = r#"{"width":321,"height":180,"fps":{"num":24,"den":1}}"#;
        assert!(serde_json::from_str::<VideoFormat>(odd).is_err());
    }
}
