//! MP3 (or any format symphonia is built with here) to mono samples, handed on packet by packet
//! so a long song never sits in memory at its native rate. Gapless mode honours the encoder's
//! delay and padding (the LAME header), so sample 0 is the song's first sample: without it every
//! beat would be reported about 25 ms late.

use crate::AudioError;
use std::{fs::File, path::Path};
use symphonia::core::{
    audio::SampleBuffer,
    codecs::{CODEC_TYPE_NULL, Decoder, DecoderOptions},
    errors::Error,
    formats::{FormatOptions, FormatReader},
    io::MediaSourceStream,
    meta::MetadataOptions,
    probe::Hint,
};

/// An opened song: its sample rate is known before any sample is decoded.
pub struct MonoDecoder {
    path: std::path::PathBuf,
    format: Box<dyn FormatReader>,
    decoder: Box<dyn Decoder>,
    track: u32,
    pub rate: u32,
}

impl MonoDecoder {
    pub fn open(path: &Path) -> Result<Self, AudioError> {
        let not_audio = |reason: String| AudioError::NotAudio { path: path.to_path_buf(), reason };
        let file = File::open(path).map_err(|source| AudioError::Unreadable { path: path.to_path_buf(), source })?;
        let mut hint = Hint::new();
        if let Some(ext) = path.extension().and_then(|e| e.to_str()) {
            hint.with_extension(ext);
        }
        let options = FormatOptions { enable_gapless: true, ..Default::default() };
        let probed = symphonia::default::get_probe()
            .format(&hint, MediaSourceStream::new(Box::new(file), Default::default()), &options, &MetadataOptions::default())
            .map_err(|e| not_audio(format!("no known audio format: {e}")))?;
        let format = probed.format;
        let track = format
            .tracks()
            .iter()
            .find(|t| t.codec_params.codec != CODEC_TYPE_NULL)
            .ok_or_else(|| not_audio("no audio track".into()))?;
        let rate = track.codec_params.sample_rate.ok_or_else(|| not_audio("no sample rate".into()))?;
        let decoder = symphonia::default::get_codecs()
            .make(&track.codec_params, &DecoderOptions::default())
            .map_err(|e| not_audio(format!("unsupported codec: {e}")))?;
        Ok(Self { path: path.to_path_buf(), track: track.id, format, decoder, rate })
    }

    /// Decodes to the end, giving `sink` each packet downmixed to mono. A damaged frame is
    /// skipped (players do the same); a file where no frame decodes is not audio.
    pub fn run(mut self, mut sink: impl FnMut(&[f32]) -> Result<(), AudioError>) -> Result<(), AudioError> {
        let (mut interleaved, mut mono): (Option<SampleBuffer<f32>>, Vec<f32>) = (None, Vec::new());
        let (mut decoded, mut failed) = (0u64, String::new());
        loop {
            let packet = match self.format.next_packet() {
                Ok(p) => p,
                Err(Error::IoError(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
                Err(Error::ResetRequired) => break,
                Err(Error::IoError(source)) => return Err(AudioError::Unreadable { path: self.path, source }),
                Err(e) if decoded == 0 => return Err(AudioError::NotAudio { path: self.path, reason: e.to_string() }),
                // Trailing garbage after the last frame (tags, a truncated frame): the song is done.
                Err(_) => break,
            };
            if packet.track_id() != self.track {
                continue;
            }
            let audio = match self.decoder.decode(&packet) {
                Ok(a) => a,
                Err(Error::DecodeError(e)) => {
                    failed = e.to_string();
                    continue;
                }
                Err(e) => return Err(AudioError::NotAudio { path: self.path, reason: e.to_string() }),
            };
            decoded += 1;
            let spec = *audio.spec();
            let channels = spec.channels.count().max(1);
            let buf = interleaved.get_or_insert_with(|| SampleBuffer::new(audio.capacity() as u64, spec));
            if buf.capacity() < audio.capacity() * channels {
                *buf = SampleBuffer::new(audio.capacity() as u64, spec);
            }
            buf.copy_interleaved_ref(audio);
            mono.clear();
            let scale = 1.0 / channels as f32;
            mono.extend(buf.samples().chunks_exact(channels).map(|frame| frame.iter().sum::<f32>() * scale));
            sink(&mono)?;
        }
        if decoded == 0 && !failed.is_empty() {
            return Err(AudioError::NotAudio { path: self.path, reason: failed });
        }
        Ok(())
    }
}
