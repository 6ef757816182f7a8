//! The whole path on a song: plan, conform clips of mixed codec, size and rate, join, mux; then
//! the output is decoded and every frame's colour checked against the shot it belongs to.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use futures::future::try_join_all;
use miri_render::{Progress, Shot, concat, conform, encode_song, mux_encoded, plan, probe};

use crate::fixtures::*;

#[tokio::test]
async fn clips_of_any_shape_cut_on_their_shots_and_match_the_song() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = format(320, 180, 24);
    let fps = out.fps();
    let song = sine_mp3(d, 3.0);
    // Long, 25 fps, 16:9 H.264 with a sound of its own → trimmed, silenced. Short, 30 fps, 4:3 MPEG-4 in AVI → held and
    // pillarboxed. Slightly long, 24 fps, portrait H.264 in Matroska → trimmed.
    let shots = vec![
        Shot {
            label: "b",
            start_ms: 1000,
            end_ms: 1900,
            media: Some(solid_clip(d, "b.avi", LIME, "160x120", 30, 0.5, "mpeg4")),
        },
        Shot {
            label: "a",
            start_ms: 0,
            end_ms: 1000,
            media: Some(with_tone(
                &solid_clip(d, "a0.mp4", RED, "640x360", 25, 2.0, "libx264"),
                "a.mp4",
            )),
        },
        Shot {
            label: "c",
            start_ms: 1900,
            end_ms: 3000,
            media: Some(solid_clip(d, "c.mkv", BLUE, "180x320", 24, 1.2, "libx264")),
        },
    ];
    let starts_ms = [("a", 0), ("b", 1000), ("c", 1900)];
    let list = plan(shots, 3000, fps).unwrap();
    assert_eq!(list.total_frames, 72);

    let progress: Arc<Mutex<Vec<(&str, Progress)>>> = Arc::default();
    let segments: Vec<PathBuf> = list
        .segments
        .iter()
        .map(|segment| d.join(format!("segment-{}.mp4", segment.label)))
        .collect();
    try_join_all(
        list.segments
            .iter()
            .zip(&segments)
            .map(|(segment, output)| {
                let progress = progress.clone();
                conform(&segment.media, segment.frames, &out, None, output, move |p| {
                    progress.lock().unwrap().push((segment.label, p));
                })
            }),
    )
    .await
    .unwrap();
    for segment in &list.segments {
        let last = progress
            .lock()
            .unwrap()
            .iter()
            .rev()
            .find(|(l, _)| *l == segment.label)
            .unwrap()
            .1;
        assert_eq!(
            last,
            Progress {
                frames_done: segment.frames,
                frames_total: segment.frames
            }
        );
    }

    let video = d.join("video.mp4");
    concat(&segments, &video).await.unwrap();
    let final_path = d.join("final.mp4");
    let encoded = d.join("song.m4a");
    encode_song(&song, &encoded).await.unwrap();
    mux_encoded(&video, &encoded, &final_path).await.unwrap();

    // Length: the song's frame count, decoded, and the song's duration within one frame.
    let info = probe(&final_path).await.unwrap();
    assert_eq!(
        (info.codec.as_str(), info.width, info.height),
        ("h264", 320, 180)
    );
    assert_eq!(info.frame_rate, Some(fps));
    assert!(info.has_audio);
    assert_eq!(
        stream_count(&final_path),
        2,
        "one video and the song's audio only"
    );
    assert_eq!(info.frames, Some(72));
    assert_eq!(decoded_frames(&final_path), 72);
    let frame_secs = 1.0 / 24.0;
    let (video_start, video_secs) = stream_times(&final_path, "v");
    let (audio_start, audio_secs) = stream_times(&final_path, "a");
    assert!(
        video_start.abs() < 1e-6 && (video_secs - 3.0).abs() <= frame_secs,
        "{video_secs}"
    );
    assert!(
        audio_start.abs() <= frame_secs && (audio_secs - 3.0).abs() <= frame_secs,
        "{audio_start} {audio_secs}"
    );

    // Cuts: each frame shows its shot's colour, and each shot starts within one frame of its
    // timestamp.
    let colours = centre_colours(&final_path);
    assert_eq!(colours.len(), 72);
    for segment in &list.segments {
        let start_ms = starts_ms
            .iter()
            .find(|(l, _)| *l == segment.label)
            .unwrap()
            .1;
        let cut_ms = segment.start_frame as f64 * 1000.0 / 24.0;
        assert!(
            (cut_ms - start_ms as f64).abs() <= 1000.0 / 24.0,
            "{} cut at {cut_ms} ms",
            segment.label
        );
        let want = match segment.label {
            "a" => RED,
            "b" => LIME,
            _ => BLUE,
        };
        for frame in segment.start_frame..segment.start_frame + segment.frames {
            let got = nearest(colours[frame as usize], &[RED, LIME, BLUE, YELLOW]);
            assert_eq!(got, want, "frame {frame} of shot {}", segment.label);
        }
    }
    assert_eq!(
        list.segments
            .iter()
            .map(|s| (s.label, s.start_frame, s.frames))
            .collect::<Vec<_>>(),
        [("a", 0, 24), ("b", 24, 22), ("c", 46, 26)]
    );

    // Every segment, as joined, begins on a keyframe.
    let keyframes = key_frames(&final_path);
    for segment in &list.segments {
        assert!(
            keyframes.contains(&segment.start_frame),
            "no keyframe at {}: {keyframes:?}",
            segment.start_frame
        );
    }

    // The 4:3 clip sits between black bars; the portrait one too.
    for (name, bar_x) in [("segment-b.mp4", 4), ("segment-c.mp4", 20)] {
        let frame = &raw_frames(&d.join(name), "null", "rgb24", 320 * 180 * 3)[0];
        let brightness = |x: usize| -> u32 {
            frame[(90 * 320 + x) * 3..][..3]
                .iter()
                .map(|&c| u32::from(c))
                .sum()
        };
        let (bar, centre) = (brightness(bar_x), brightness(160));
        assert!(
            bar < 40 && centre > 150,
            "{name}: bar {bar}, centre {centre}"
        );
    }
}
