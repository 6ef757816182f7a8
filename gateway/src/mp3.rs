//! A cheap structural check that an upload is an MP3: an ID3v2 tag followed by, or directly, an
//! MPEG audio frame header. Decoding belongs to song analysis; this only refuses what is plainly
//! not audio, with a message that names the problem.

/// Why a file is not an MP3.
pub fn check(bytes: &[u8]) -> Result<(), String> {
    if bytes.is_empty() {
        return Err("the song file is empty".into());
    }
    let mut at = 0;
    if bytes.starts_with(b"ID3") {
        if bytes.len() < 10 {
            return Err("the song file has a truncated ID3 tag".into());
        }
        let size = bytes[6..10].iter().try_fold(0usize, |acc, &b| {
            (b < 0x80).then_some((acc << 7) | b as usize)
        });
        let Some(size) = size else { return Err("the song file has a corrupt ID3 tag size".into()) };
        at = 10 + size;
    }
    // Skip padding zeros some encoders leave after the tag.
    while at < bytes.len() && bytes[at] == 0 {
        at += 1;
    }
    match bytes.get(at..at + 4) {
        Some(h) if is_frame_header(h) => Ok(()),
        Some(_) => Err("the song file is not an MP3: no MPEG audio frame where one must start".into()),
        None => Err("the song file is not an MP3: it ends before the first audio frame".into()),
    }
}

fn is_frame_header(h: &[u8]) -> bool {
    let sync = h[0] == 0xFF && h[1] & 0xE0 == 0xE0;
    let version = (h[1] >> 3) & 0b11; // 01 is reserved
    let layer = (h[1] >> 1) & 0b11; // 00 is reserved
    let bitrate = h[2] >> 4; // 1111 is invalid
    let rate = (h[2] >> 2) & 0b11; // 11 is reserved
    sync && version != 0b01 && layer != 0 && bitrate != 0b1111 && rate != 0b11
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn accepts_a_frame_and_a_tagged_frame() {
        assert!(check(&[0xFF, 0xFB, 0x90, 0x64, 0, 0]).is_ok());
        let mut tagged = b"ID3\x04\x00\x00\x00\x00\x00\x02\x00\x00".to_vec();
        tagged.extend_from_slice(&[0xFF, 0xFB, 0x90, 0x64]);
        assert!(check(&tagged).is_ok());
    }

    #[test]
    fn refuses_what_is_not_audio() {
        assert!(check(b"").unwrap_err().contains("empty"));
        assert!(check(b"%PDF-1.7 hello").unwrap_err().contains("not an MP3"));
        assert!(check(b"ID3\x04\x00\x00\x00\x00\x7f\x7f").unwrap_err().contains("not an MP3"));
        assert!(check(&[0xFF, 0xFB, 0xF0, 0x64]).is_err(), "bitrate index 15 is invalid");
    }
}
