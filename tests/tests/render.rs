//! The final render end to end, against real processes: shots walked to COMPLETED through the
//! simulator, then `miri render` (REST start, progress, download). The film is checked with
//! ffmpeg: its length is the song's within a frame, and every picture change falls on its shot's
//! first frame. Shots that leave a gap fail the render with every shot at fault named.

use miri_testkit::{Api, Stack, StackOptions, miri_bin};
use serde_json::{Value, json};
use std::{path::Path, time::Duration};
use tokio::process::Command;

const LONG: Duration = Duration::from_secs(120);
const FPS: u64 = 24;

/// The test song's length in milliseconds, read as the render worker reads it.
async fn song_ms(stack: &Stack) -> u64 {
    let out = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-show_entries",
            "format=duration",
            "-of",
            "default=nw=1:nk=1",
        ])
        .arg(stack.scratch.join("song.mp3"))
        .output()
        .await
        .unwrap();
    let secs: f64 = String::from_utf8_lossy(&out.stdout).trim().parse().unwrap();
    (secs * 1000.0).round() as u64
}

/// The frame nearest to `ms`.
/// Runs `miri render` for `project` against the stack's gateway, as a user would.
async fn miri_render(stack: &Stack, project: &str, extra: &[&str]) -> std::process::Output {
    Command::new(miri_bin())
        .args(["render", "--project", project, "--gateway", &stack.http, "--token", &stack.token])
        .args(extra)
        .output()
        .await
        .unwrap()
}

fn frame_at(ms: u64) -> u64 {
    (ms * FPS + 500) / 1000
}

/// A shot whose still (and so its clip) is painted in `colour`.
async fn coloured_shot(
    api: &Api,
    project: &str,
    start_ms: u64,
    end_ms: u64,
    colour: &str,
) -> String {
    let (status, body) = api
        .post(
            &format!("/api/projects/{project}/shots"),
            json!({"startMs": start_ms, "endMs": end_ms,
                   "description": format!("Miri in a garden at dawn, dress hex {colour}")}),
        )
        .await
        .unwrap();
    assert_eq!(status, 201, "{body}");
    body["shotId"].as_str().unwrap().to_string()
}

/// Generates every shot and approves every still, until all are COMPLETED.
async fn complete(stack: &Stack, shots: &[String]) {
    for shot in shots {
        let (status, body) = stack
            .post("/api/shots/generate", json!({"shotId": shot}))
            .await
            .unwrap();
        assert_eq!(status, 202, "{body}");
    }
    for shot in shots {
        stack
            .wait_status(shot, "AWAITING_APPROVAL", LONG)
            .await
            .unwrap();
        let (status, body) = stack
            .post(&format!("/api/shots/{shot}/approve"), json!({}))
            .await
            .unwrap();
        assert_eq!(status, 202, "{body}");
    }
    for shot in shots {
        stack.wait_status(shot, "COMPLETED", LONG).await.unwrap();
    }
}

/// The mean colour of every frame of the video (each frame scaled to one pixel).
async fn mean_colours(path: &Path) -> Vec<[u8; 3]> {
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(path)
        .args([
            "-map",
            "0:v:0",
            "-vf",
            "scale=1:1:flags=area",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "rgb24",
            "-",
        ])
        .output()
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
        .chunks_exact(3)
        .map(|c| [c[0], c[1], c[2]])
        .collect()
}

fn distance(a: [u8; 3], b: [u8; 3]) -> u32 {
    a.iter()
        .zip(b)
        .map(|(&x, y)| (i32::from(x) - i32::from(y)).unsigned_abs())
        .sum()
}

/// The video stream's duration in seconds and its frame count.
async fn video_length(path: &Path) -> (f64, u64) {
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-select_streams", "v:0", "-count_frames"])
        .args([
            "-show_entries",
            "stream=duration,nb_read_frames",
            "-of",
            "json",
        ])
        .arg(path)
        .output()
        .await
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let stream = &v["streams"][0];
    (
        stream["duration"].as_str().unwrap().parse().unwrap(),
        stream["nb_read_frames"].as_str().unwrap().parse().unwrap(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_project_renders_on_its_song_frame_accurately_with_progress() {
    let stack = Stack::start(StackOptions::default()).await.unwrap();
    let project = stack.create_project("render").await.unwrap();
    let song_ms = song_ms(&stack).await;
    let spans = [
        (0, 1300, "#E01010"),
        (1300, 2700, "#1010E0"),
        (2700, song_ms, "#10D010"),
    ];
    let mut shots = Vec::new();
    for (start, end, colour) in spans {
        shots.push(coloured_shot(&stack, &project, start, end, colour).await);
    }
    let generated = std::time::Instant::now();
    complete(&stack, &shots).await;
    eprintln!(
        "{} shots completed in {:.1} s",
        shots.len(),
        generated.elapsed().as_secs_f64()
    );

    // Each completed shot's clip is conformed ahead of any render, into the segment cache.
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while stack.log("worker").matches("clip conformed ahead of the render").count() < shots.len() {
        assert!(std::time::Instant::now() < deadline, "clips were not conformed ahead:\n{}", stack.log("worker"));
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let mut watch = stack.watch(&project).await.unwrap();
    let film = stack.dir.path().join("film.mp4");
    let (started, started_at) = (std::time::Instant::now(), std::time::SystemTime::now());
    let out = miri_render(&stack, &project, &["--out", film.to_str().unwrap()]).await;
    let took = started.elapsed();
    assert!(
        out.status.success(),
        "miri render failed: {}\nworker log:\n{}",
        String::from_utf8_lossy(&out.stderr),
        stack.log("worker")
    );
    eprintln!(
        "render of {} shots took {:.1} s",
        shots.len(),
        took.as_secs_f64()
    );
    // Every clip was conformed when its shot completed: the render only linked them.
    let worker = stack.log("worker");
    assert_eq!(
        worker.matches("segment taken from the cache").count(),
        shots.len(),
        "each segment comes from the ahead-of-time conform; worker log:\n{worker}"
    );
    let printed = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        Path::new(printed.trim()),
        std::path::absolute(&film).unwrap(),
        "prints the film's path"
    );

    // Length: the song's, within one frame; frames: exactly the song's frame count.
    let (seconds, frames) = video_length(&film).await;
    assert_eq!(
        frames,
        frame_at(song_ms),
        "frames of a {song_ms} ms song at {FPS} fps"
    );
    assert!(
        (seconds - song_ms as f64 / 1000.0).abs() <= 1.0 / FPS as f64,
        "video {seconds} s, song {song_ms} ms"
    );

    // Cuts: the picture changes exactly where a shot starts, and nowhere else.
    let colours = mean_colours(&film).await;
    assert_eq!(colours.len() as u64, frames);
    let cuts: Vec<u64> = (1..colours.len())
        .filter(|&i| distance(colours[i - 1], colours[i]) > 60)
        .map(|i| i as u64)
        .collect();
    let starts: Vec<u64> = spans[1..]
        .iter()
        .map(|&(start, _, _)| frame_at(start))
        .collect();
    assert_eq!(
        cuts.len(),
        starts.len(),
        "cuts at {cuts:?}, shots start at {starts:?}"
    );
    for (cut, start) in cuts.iter().zip(&starts) {
        assert!(
            cut.abs_diff(*start) <= 1,
            "a cut at frame {cut}, its shot starts at frame {start}"
        );
    }

    // The record names each shot's clip; the events told the room how far it got.
    let render_id = {
        let mut progress = Vec::new();
        let mut timeline = Vec::new();
        while let Ok((at, event)) = watch.events.try_recv() {
            if event.get("renderId").is_some() {
                let secs = at
                    .duration_since(started_at)
                    .unwrap_or_default()
                    .as_secs_f64();
                timeline.push(format!(
                    "{secs:.2} s {} {}/{}",
                    event["stage"], event["done"], event["total"]
                ));
                progress.push(event);
            }
        }
        eprintln!("RENDER_PROGRESS after `miri render` started: {timeline:?}");
        let stages: Vec<&str> = progress
            .iter()
            .filter_map(|e| e["stage"].as_str())
            .collect();
        assert!(
            stages.contains(&"conforming") && stages.last() == Some(&"done"),
            "RENDER_PROGRESS stages {stages:?}"
        );
        let conformed = progress
            .iter()
            .filter(|e| e["stage"] == "conforming")
            .count();
        assert_eq!(
            conformed,
            shots.len(),
            "one event per conformed segment: {progress:?}"
        );
        assert!(progress.iter().all(|e| e["projectId"] == project.as_str()));
        progress[0]["renderId"].as_str().unwrap().to_string()
    };
    let (status, body) = stack
        .get(&format!("/api/renders/{render_id}"))
        .await
        .unwrap();
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "completed", "{body}");
    let render = &body["render"];
    assert_eq!(render["mode"], "final");
    let recorded: Vec<&str> = render["shots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["shotId"].as_str().unwrap())
        .collect();
    assert_eq!(
        recorded,
        shots.iter().map(String::as_str).collect::<Vec<_>>()
    );
    for (shot, used) in shots.iter().zip(render["shots"].as_array().unwrap()) {
        let (_, versions) = stack
            .get(&format!("/api/shots/{shot}/versions"))
            .await
            .unwrap();
        assert_eq!(
            used["versionId"], versions[0]["versionId"],
            "the newest clip of {shot}"
        );
        assert_eq!(versions[0]["kind"], "video");
    }
    let stored = stack
        .download(body["mediaUrl"].as_str().unwrap())
        .await
        .unwrap();
    assert_eq!(
        stored,
        std::fs::read(&film).unwrap(),
        "the CLI wrote the stored film"
    );
    assert!(
        !stack.dir.path().join("renders").join(&render_id).exists(),
        "the work dir is removed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shots_that_leave_a_gap_fail_the_render_naming_them() {
    let stack = Stack::start(StackOptions::default()).await.unwrap();
    let project = stack.create_project("gaps").await.unwrap();
    let song_ms = song_ms(&stack).await;
    let first = stack.create_shot(&project, 0, 1500).await.unwrap();
    let second = stack.create_shot(&project, 2000, song_ms).await.unwrap();

    let (status, body) = stack
        .post(&format!("/api/projects/{project}/renders"), json!({}))
        .await
        .unwrap();
    assert_eq!(status, 202, "{body}");
    let render_id = body["renderId"].as_str().unwrap().to_string();
    // Asked for at once, a render just started is found (not a 404 while Temporal catches up).
    let (status, body) = stack.get(&format!("/api/renders/{render_id}")).await.unwrap();
    assert_eq!(status, 200, "{body}");
    let deadline = tokio::time::Instant::now() + LONG;
    let failed = loop {
        let (status, body) = stack
            .get(&format!("/api/renders/{render_id}"))
            .await
            .unwrap();
        if status == 200 && body["status"] == "failed" {
            break body;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "render never failed: {status} {body}"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    };
    let error = failed["error"].as_str().unwrap();
    assert!(
        error.contains(&format!(
            "shot {second} starts at 2000 ms, leaving a gap from 1500 ms"
        )),
        "{error}"
    );
    assert!(
        error.contains(&format!("shot {first}")) && error.contains("no video"),
        "both shots lack a clip: {error}"
    );

    // The CLI says the same and fails.
    let out = miri_render(&stack, &project, &[]).await;
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("leaving a gap") && stderr.contains(&second),
        "{stderr}"
    );

    let (status, _) = stack
        .post(
            "/api/projects/6f1c2a9e-8f0b-4a57-9d55-0d4b5c7b1e2a/renders",
            json!({}),
        )
        .await
        .unwrap();
    assert_eq!(status, 404, "an unknown project");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_render_worker_resumes_without_redoing_finished_segments() {
    let mut stack = Stack::start(StackOptions::default()).await.unwrap();
    let project = stack.create_project("resume").await.unwrap();
    let song_ms = song_ms(&stack).await;
    let bounds = [0, 800, 1600, 2400, 3200, song_ms];
    let mut shots = Vec::new();
    for span in bounds.windows(2) {
        shots.push(stack.create_shot(&project, span[0], span[1]).await.unwrap());
    }
    complete(&stack, &shots).await;

    let mut watch = stack.watch(&project).await.unwrap();
    let (status, body) = stack
        .post(&format!("/api/projects/{project}/renders"), json!({}))
        .await
        .unwrap();
    assert_eq!(status, 202, "{body}");
    let render_id = body["renderId"].as_str().unwrap().to_string();
    loop {
        let (_, event) = tokio::time::timeout(LONG, watch.events.recv())
            .await
            .unwrap()
            .unwrap();
        if event["renderId"] == render_id.as_str() && event["stage"] == "conforming" {
            break;
        }
    }
    stack.kill_worker().await.unwrap();
    let work = stack.dir.path().join("renders").join(&render_id);
    let finished: Vec<usize> = (0..shots.len())
        .filter(|i| work.join(format!("seg-{i:04}.mp4")).exists())
        .collect();
    assert!(
        !finished.is_empty(),
        "a segment was reported done before the kill"
    );
    eprintln!(
        "killed with segments {finished:?} of {} conformed",
        shots.len()
    );

    let resumed = std::time::Instant::now();
    stack.start_worker().unwrap();
    let deadline = tokio::time::Instant::now() + LONG;
    let done = loop {
        let (status, body) = stack
            .get(&format!("/api/renders/{render_id}"))
            .await
            .unwrap();
        if body["status"] == "completed" {
            break body;
        }
        assert!(body["status"] != "failed", "{body}");
        assert!(
            tokio::time::Instant::now() < deadline,
            "not finished after restart: {status} {body}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    eprintln!(
        "render finished {:.1} s after the worker restarted",
        resumed.elapsed().as_secs_f64()
    );

    // The new worker made only the segments that were not finished before the kill (encoded,
    // or linked from the segment cache where the clip's ahead-of-time conform had finished).
    let log = plain(&stack.log("worker"));
    let restart = log.rfind("worker polling task queues").unwrap();
    let remade: Vec<usize> = log[restart..]
        .lines()
        .filter(|l| l.contains("making segment") || l.contains("segment taken from the cache"))
        .filter_map(|l| {
            l.split_whitespace()
                .find_map(|f| f.strip_prefix("index=")?.parse().ok())
        })
        .collect();
    eprintln!("after the restart, segments {remade:?} were conformed");
    for i in &finished {
        assert!(
            !remade.contains(i),
            "segment {i} was finished before the kill and made again; log:\n{log}"
        );
    }
    assert_eq!(
        remade.len() + finished.len(),
        shots.len(),
        "every other segment was made after the restart: {remade:?}"
    );
    let film = stack.dir.path().join("resumed.mp4");
    std::fs::write(
        &film,
        stack
            .download(done["mediaUrl"].as_str().unwrap())
            .await
            .unwrap(),
    )
    .unwrap();
    let (_, frames) = video_length(&film).await;
    assert_eq!(frames, frame_at(song_ms));
}

/// `text` without ANSI colour sequences (the worker's log is coloured).
fn plain(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_corrupt_clip_fails_the_render_naming_its_shot() {
    let stack = Stack::start(StackOptions::default()).await.unwrap();
    let project = stack.create_project("corrupt").await.unwrap();
    let song_ms = song_ms(&stack).await;
    let good = stack.create_shot(&project, 0, 2000).await.unwrap();
    let bad = stack.create_shot(&project, 2000, song_ms).await.unwrap();
    complete(&stack, &[good.clone(), bad.clone()]).await;
    let (_, versions) = stack
        .get(&format!("/api/shots/{bad}/versions"))
        .await
        .unwrap();
    let key = versions[0]["media"]["key"].as_str().unwrap();
    std::fs::write(
        stack.dir.path().join("media").join(key),
        b"not a video at all",
    )
    .unwrap();
    // The clip may have been conformed ahead before it was spoilt (the shot's last step, after
    // COMPLETED): once the shot's workflow has ended, drop the conformed segments, so the render
    // has to read the spoilt clip itself.
    let ended = format!("ShotId = '{bad}' AND ExecutionStatus = 'Completed'");
    assert_eq!(stack.temporal_count(&ended, 1).await.unwrap(), 1, "{ended}");
    for entry in std::fs::read_dir(stack.dir.path().join("renders/segments")).into_iter().flatten().flatten() {
        if entry.path().extension().is_some_and(|e| e == "mp4") {
            std::fs::remove_file(entry.path()).unwrap();
        }
    }

    let mut watch = stack.watch(&project).await.unwrap();
    let out = miri_render(&stack, &project, &[]).await;
    assert!(!out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "1 of 2 shots could not be conformed: shot {bad}: "
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains("is not a readable media file") && !stderr.contains(&good),
        "{stderr}"
    );
    let failed = async {
        loop {
            let (_, event) = watch.events.recv().await.unwrap();
            if event["stage"] == "failed" {
                break event;
            }
        }
    };
    let event = tokio::time::timeout(Duration::from_secs(10), failed)
        .await
        .expect("RENDER_PROGRESS failed");
    assert_eq!(event["projectId"], project.as_str());
}
