//! One segment at a time: bad inputs refused by name, nothing left behind by a failed or
//! cancelled run, mismatched segments refused before joining, stills and title cards.

use std::time::Duration;

use miri_render::{
    FrameRate, Motion, Overlay, ProbeError, RenderError, VideoFormat, concat, conform, encode_song, probe,
    song_duration, still_segment, title_card,
};

use crate::fixtures::*;

#[tokio::test]
async fn a_corrupt_or_non_video_clip_is_refused_by_name_and_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = format(320, 180, 24);
    let good = solid_clip(d, "good.mp4", RED, "320x180", 24, 1.0, "libx264");
    let truncated = d.join("truncated.mp4");
    let bytes = std::fs::read(&good).unwrap();
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    let garbage = d.join("garbage.mp4");
    std::fs::write(&garbage, b"this is not a video").unwrap();
    let song = sine_mp3(d, 0.5);

    for (clip, unreadable) in [(&truncated, true), (&garbage, true), (&song, false)] {
        let output = d.join("segment.mp4");
        let err = conform(clip, 24, &out, None, &output, |_| {}).await.unwrap_err();
        let RenderError::Input(probe_err) = &err else {
            panic!("{err}")
        };
        assert_eq!(probe_err.path(), Some(clip.as_path()));
        assert_eq!(
            matches!(probe_err, ProbeError::Unreadable { .. }),
            unreadable,
            "{err}"
        );
        assert!(matches!(
            probe_err,
            ProbeError::Unreadable { .. } | ProbeError::NoVideo { .. }
        ));
        assert!(
            err.to_string().contains(&clip.display().to_string()),
            "{err}"
        );
    }
    assert_eq!(
        names_in(d),
        ["garbage.mp4", "good.mp4", "song.mp3", "truncated.mp4"]
    );
}

#[tokio::test]
async fn a_dropped_conform_kills_ffmpeg_and_leaves_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // One second held for 3000 frames at 720p: long enough to be cancelled mid-way.
    let clip = solid_clip(d, "clip.mp4", RED, "1280x720", 24, 1.0, "libx264");
    let out = format(1280, 720, 24);
    let output = d.join("segment.mp4");
    let (started, first_progress) = tokio::sync::oneshot::channel();
    let mut started = Some(started);
    let run = conform(&clip, 3000, &out, None, &output, |_| {
        if let Some(started) = started.take() {
            let _ = started.send(());
        }
    });
    tokio::select! {
        result = run => panic!("finished before it was cancelled: {result:?}"),
        _ = first_progress => {}
    }
    // The future is dropped here: ffmpeg is killed and its file removed.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(names_in(d), ["clip.mp4"]);
    assert!(
        processes_using(d).is_empty(),
        "ffmpeg still runs: {:?}",
        processes_using(d)
    );
}

#[tokio::test]
async fn a_late_starting_clip_and_a_single_frame_fill_their_segments() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = format(320, 180, 24);
    // MPEG-TS timestamps start at 1.4 s; a PNG is one frame with no duration.
    let late = solid_clip(d, "late.ts", BLUE, "320x180", 30, 1.0, "libx264");
    assert!(video_start(&late) > 1.0);
    let single = d.join("single.png");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "color=c=0xFF0000:s=64x64",
        "-frames:v",
        "1",
        single.to_str().unwrap(),
    ]);
    for (clip, colour) in [(&late, BLUE), (&single, RED)] {
        let output = d.join("segment.mp4");
        conform(clip, 30, &out, None, &output, |_| {}).await.unwrap();
        let colours = centre_colours(&output);
        assert_eq!(colours.len(), 30);
        assert!(
            colours
                .iter()
                .all(|&c| nearest(c, &[RED, LIME, BLUE, YELLOW]) == colour)
        );
        assert_eq!(video_start(&output), 0.0);
    }
}

#[tokio::test]
async fn fractional_rates_keep_exact_frame_counts_through_joining() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let ntsc = FrameRate::new(30000, 1001).unwrap();
    let out = VideoFormat::new(320, 180, ntsc).unwrap();
    let clip = solid_clip(d, "clip.mp4", YELLOW, "320x180", 25, 1.0, "libx264");
    let (first, second) = (d.join("1.mp4"), d.join("2.mp4"));
    conform(&clip, 40, &out, None, &first, |_| {}).await.unwrap();
    conform(&clip, 41, &out, None, &second, |_| {}).await.unwrap();
    let video = d.join("video.mp4");
    concat(&[&first, &second], &video).await.unwrap();
    let info = probe(&video).await.unwrap();
    assert_eq!((info.frames, info.frame_rate), (Some(81), Some(ntsc)));
    assert_eq!(decoded_frames(&video), 81);
    let want = ntsc.duration_of(81).as_secs_f64();
    let got = info.duration.unwrap().as_secs_f64();
    assert!(
        (got - want).abs() <= 1001.0 / 30000.0,
        "{got} s, want {want} s"
    );
}

#[tokio::test]
async fn a_song_without_sound_fails_the_mux_by_name_and_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let clip = solid_clip(d, "silent.mp4", RED, "320x180", 24, 0.5, "libx264");
    let video = d.join("video.mp4");
    conform(&clip, 12, &format(320, 180, 24), None, &video, |_| {})
        .await
        .unwrap();
    let err = encode_song(&clip, &d.join("song.m4a")).await.unwrap_err();
    assert!(matches!(err, RenderError::Ffmpeg { .. }), "{err}");
    assert!(err.to_string().contains("silent.mp4"), "{err}");
    assert_eq!(names_in(d), ["silent.mp4", "video.mp4"]);
}

#[tokio::test]
async fn segments_of_different_shapes_are_not_joined() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let clip = solid_clip(d, "clip.mp4", RED, "320x180", 24, 0.5, "libx264");
    let (small, large) = (d.join("small.mp4"), d.join("large.mp4"));
    conform(&clip, 6, &format(320, 180, 24), None, &small, |_| {})
        .await
        .unwrap();
    conform(&clip, 6, &format(640, 360, 24), None, &large, |_| {})
        .await
        .unwrap();
    let output = d.join("video.mp4");
    let err = concat(&[&small, &large], &output).await.unwrap_err();
    assert!(matches!(err, RenderError::Refused { .. }), "{err}");
    assert!(
        err.to_string()
            .contains("large.mp4 is h264 640x360 at 24 fps"),
        "{err}"
    );
    assert_eq!(names_in(d), ["clip.mp4", "large.mp4", "small.mp4"]);
}

#[tokio::test]
async fn a_still_moves_deterministically_or_holds() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let still = pattern_png(d, "300x300"); // square: fitted between bars, as a clip would be
    let out = format(320, 180, 24);
    let small = 64 * 36;
    let mut frames_of = Vec::new();
    for (name, motion) in [
        ("hold", Motion::Hold),
        ("zoom", Motion::ZoomIn),
        ("pan", Motion::PanRight),
        ("again", Motion::ZoomIn),
    ] {
        let output = d.join(format!("{name}.mp4"));
        still_segment(&still, motion, 30, &out, None, &output, |_| {})
            .await
            .unwrap();
        assert_eq!(decoded_frames(&output), 30, "{name}");
        frames_of.push(raw_frames(&output, "scale=64:36", "gray", small));
    }
    let change = |frames: &Vec<Vec<u8>>| -> f64 {
        let (first, last) = (&frames[0], &frames[29]);
        first
            .iter()
            .zip(last)
            .map(|(a, b)| f64::from(a.abs_diff(*b)))
            .sum::<f64>()
            / small as f64
    };
    assert!(
        change(&frames_of[0]) < 1.0,
        "hold moved: {}",
        change(&frames_of[0])
    );
    assert!(
        change(&frames_of[1]) > 4.0,
        "zoom did not move: {}",
        change(&frames_of[1])
    );
    assert!(
        change(&frames_of[2]) > 4.0,
        "pan did not move: {}",
        change(&frames_of[2])
    );
    assert_eq!(
        frames_of[1], frames_of[3],
        "the same still and move gave different frames"
    );
}

#[tokio::test]
async fn a_title_card_shows_its_lines_for_exactly_its_frames() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let output = d.join("card.mp4");
    let lines = [
        "Shot 7 · scene 2",
        "שיר: 'אהבה', 100% \\ {x}",
        "AWAITING_APPROVAL",
    ];
    title_card(&lines, 17, &format(320, 180, 24), None, &output, |_| {})
        .await
        .unwrap();
    assert_eq!(decoded_frames(&output), 17);
    let frame = &raw_frames(&output, "null", "gray", 320 * 180)[0];
    let bright = frame.iter().filter(|&&y| y > 200).count();
    assert!(bright > 200, "only {bright} bright pixels: no text drawn?");
    // Each line is drawn: there are bright pixels in each third of the card's text block.
    let rows_with_text = (0..180)
        .filter(|y| frame[y * 320..][..320].iter().any(|&v| v > 200))
        .count();
    assert!(rows_with_text > 30, "{rows_with_text} rows with text");
}

/// A band of three rows at 1280×720: 18 px type on 27 px rows, 9 px margins.
const BAND_TOP: usize = 720 - (27 * 3 + 2 * 9);

#[tokio::test]
async fn an_overlay_burns_a_band_with_its_lines_and_a_running_time_code_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = format(1280, 720, 24);
    // A short clip held to 48 frames: the time code runs on over the held frames too.
    let clip = solid_clip(d, "clip.mp4", BLUE, "1280x720", 24, 1.0, "libx264");
    let overlay = Overlay {
        lines: vec![
            "Shot 3 · Scene 2 · AWAITING_APPROVAL".into(),
            "0b9f4c1e-2d3a-4f5b-8c6d-7e8f9a0b1c2d".into(),
            "אבא שלי".into(),
        ],
        start_ms: 61_000,
    };
    let (clean, review) = (d.join("clean.mp4"), d.join("review.mp4"));
    conform(&clip, 48, &out, None, &clean, |_| {}).await.unwrap();
    conform(&clip, 48, &out, Some(&overlay), &review, |_| {}).await.unwrap();
    assert_eq!(decoded_frames(&review), 48);
    let size = 1280 * 720;
    let clean = raw_frames(&clean, "null", "gray", size);
    let review = raw_frames(&review, "null", "gray", size);
    let rows = |frame: &[u8], from: usize, to: usize, cols: std::ops::Range<usize>| -> Vec<u8> {
        (from..to).flat_map(|y| frame[y * 1280 + cols.start..y * 1280 + cols.end].to_vec()).collect()
    };
    let mean_diff = |a: &[u8], b: &[u8]| a.iter().zip(b).map(|(x, y)| f64::from(x.abs_diff(*y))).sum::<f64>() / a.len() as f64;
    let bright = |px: &[u8]| px.iter().filter(|&&v| v > 200).count();

    // Above the band the picture is the clean one.
    let above = |f: &[u8]| rows(f, 0, BAND_TOP - 16, 0..1280);
    assert!(mean_diff(&above(&clean[10]), &above(&review[10])) < 1.0);
    // The band darkens the picture and carries white text on each of its three rows.
    let band = |f: &[u8]| rows(f, BAND_TOP, 720, 0..1280);
    assert_eq!(bright(&band(&clean[10])), 0, "the clean copy has no text");
    let mean = |px: &[u8]| px.iter().map(|&v| f64::from(v)).sum::<f64>() / px.len() as f64;
    let row = |f: &[u8], i: usize, cols| rows(f, BAND_TOP + 9 + 27 * i, BAND_TOP + 9 + 27 * (i + 1), cols);
    for i in 0..3 {
        assert!(bright(&row(&review[10], i, 0..1280)) > 50, "row {i} has no text");
    }
    assert!(mean(&band(&review[10])) < mean(&band(&clean[10])) - 5.0);
    // The Hebrew line is set against the right edge; the Latin ones against the left.
    assert_eq!(bright(&row(&review[10], 2, 0..640)), 0, "the Hebrew line starts on the left");
    assert_eq!(bright(&row(&review[10], 1, 640..1280)), 0, "the id runs past the middle");
    // The time code (right of the first row) changes from frame to frame, held frames included.
    let clock = |f: &[u8]| row(f, 0, 1000..1280);
    assert!(bright(&clock(&review[0])) > 50, "no time code");
    assert!(mean_diff(&clock(&review[30]), &clock(&review[40])) > 0.5, "the time code stood still on held frames");
    assert!(mean_diff(&clock(&clean[30]), &clock(&clean[40])) < 0.5);
}

#[tokio::test]
async fn a_songs_length_is_what_plays_and_a_file_without_audio_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let song = sine_mp3(d, 3.0);
    let length = song_duration(&song).await.unwrap();
    // An MP3 ends on a whole frame (1152 samples, 26 ms at 44.1 kHz): within two of them.
    assert!((length.as_secs_f64() - 3.0).abs() < 0.053, "{length:?}");

    let silent = solid_clip(d, "silent.mp4", RED, "320x180", 24, 1.0, "libx264");
    let err = song_duration(&silent).await.unwrap_err().to_string();
    assert!(err.contains("silent.mp4") && err.contains("no audio stream"), "{err}");
    let garbage = d.join("garbage.mp3");
    std::fs::write(&garbage, b"not a song").unwrap();
    let err = song_duration(&garbage).await.unwrap_err().to_string();
    assert!(err.contains("garbage.mp3"), "{err}");
}

#[tokio::test]
async fn a_file_probed_again_is_read_again_once_it_was_replaced_and_named_by_its_new_path() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let short = solid_clip(d, "short.mp4", RED, "320x180", 24, 0.5, "libx264");
    let long = solid_clip(d, "long.mp4", BLUE, "320x180", 24, 1.0, "libx264");
    let segment = d.join("segment.mp4");
    std::fs::copy(&short, &segment).unwrap();
    assert_eq!(probe(&segment).await.unwrap().frames, Some(12));

    // Replaced by a rename, as every file this crate writes is: the new file is probed.
    let part = d.join("segment.part");
    std::fs::copy(&long, &part).unwrap();
    std::fs::rename(&part, &segment).unwrap();
    assert_eq!(probe(&segment).await.unwrap().frames, Some(24));

    // A hard link is the same file under its own name.
    let linked = d.join("linked.mp4");
    std::fs::hard_link(&segment, &linked).unwrap();
    let info = probe(&linked).await.unwrap();
    assert_eq!((info.frames, info.path), (Some(24), linked));
}
