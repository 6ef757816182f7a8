//! The animatic (issue 13, items 1 and 2) end to end: a project with a finished shot, a shot that
//! only has its still and a shot with nothing yet renders as clip, still (with a camera move) and
//! title card, each exactly its shot's frames, on the song; the render record names the versions
//! it used; a second animatic takes every segment from the cache, and after one shot changes
//! only the changed material is looked at anew; a review copy burns a band in over the same
//! pictures and is listed beside the clean ones.

use miri_testkit::{Stack, StackOptions};
use serde_json::{Value, json};
use std::time::Duration;
use tokio::process::Command;

const LONG: Duration = Duration::from_secs(120);
const FPS: u64 = 24;

fn frame_at(ms: u64) -> u64 {
    (ms * FPS + 500) / 1000
}

/// The mean colour of every frame (each scaled to one pixel).
async fn mean_colours(path: &std::path::Path) -> Vec<[u8; 3]> {
    mean_colours_of(path, "scale=1:1:flags=area").await
}

/// The mean colour of every frame after `filters`, which end in one pixel.
async fn mean_colours_of(path: &std::path::Path, filters: &str) -> Vec<[u8; 3]> {
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(path)
        .args(["-map", "0:v:0", "-vf", filters, "-f", "rawvideo", "-pix_fmt", "rgb24", "-"])
        .output()
        .await
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    out.stdout.chunks_exact(3).map(|c| [c[0], c[1], c[2]]).collect()
}

fn near(a: [u8; 3], b: [u8; 3], by: i32) -> bool {
    a.iter().zip(b).all(|(x, y)| (i32::from(*x) - i32::from(y)).abs() <= by)
}

/// Starts an animatic of `project` and waits for it; answers the finished render.
async fn animatic(stack: &Stack, project: &str) -> Value {
    let (status, body) = stack.post(&format!("/api/projects/{project}/renders"), json!({"mode": "animatic"})).await.unwrap();
    assert_eq!((status, body["mode"].as_str()), (202, Some("animatic")), "{body}");
    let id = body["renderId"].as_str().unwrap();
    // The render is found by its search attribute, which Temporal's visibility shows a moment
    // after the start (as `miri render` allows for too).
    let path = format!("/api/renders/{id}");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while stack.get(&path).await.unwrap().0 == 404 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let done = stack.wait_finished(&path, LONG).await.unwrap();
    assert_eq!(done["status"], "completed", "{done}\n{}", stack.log("worker"));
    done
}

async fn versions(stack: &Stack, shot: &str) -> Value {
    stack.get(&format!("/api/shots/{shot}/versions")).await.unwrap().1
}

fn count(log: &str, what: &str) -> usize {
    log.matches(what).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_animatic_shows_each_shot_from_its_best_material_in_sync_and_reuses_what_did_not_change() {
    let stack = Stack::start(StackOptions::default()).await.unwrap();
    let project = stack.create_project("animatic").await.unwrap();
    let song_path = stack.scratch.join("song.mp3");
    let (secs, _) = miri_testkit::probe(&song_path).await.unwrap();
    let song_ms = (secs * 1000.0).round() as u64;
    let spans = [(0, 1300), (1300, 2700), (2700, song_ms)];
    let colours = ["#C4725A", "#3A7BD5", "#2E8B57"];
    let mut shots = Vec::new();
    for ((start, end), colour) in spans.iter().zip(colours) {
        let body = json!({"startMs": start, "endMs": end, "lyricsSnippet": "לילה טוב",
                          "description": format!("Miri in a garden at dawn, dress hex {colour}")});
        shots.push(stack.add_shot(&project, body).await.unwrap());
    }
    // The first is finished, the second waits with its still, the third has nothing.
    for shot in &shots[..2] {
        let (status, body) = stack.post("/api/shots/generate", json!({"shotId": shot})).await.unwrap();
        assert_eq!(status, 202, "{body}");
        stack.wait_status(shot, "AWAITING_APPROVAL", LONG).await.unwrap();
    }
    stack.post(&format!("/api/shots/{}/approve", shots[0]), json!({})).await.unwrap();
    stack.wait_status(&shots[0], "COMPLETED", LONG).await.unwrap();

    let done = animatic(&stack, &project).await;
    let render = &done["render"];
    assert_eq!(render["mode"], "animatic", "{render}");
    stack.record_history(&format!("render:{project}:{}", render["renderId"].as_str().unwrap())).await.unwrap();
    let newest = |versions: &Value, kind: &str| versions.as_array().unwrap().iter().find(|v| v["kind"] == kind).unwrap()["versionId"].clone();
    let used: Vec<Value> = render["shots"].as_array().unwrap().iter().map(|s| s["versionId"].clone()).collect();
    assert_eq!(used[0], newest(&versions(&stack, &shots[0]).await, "video"), "the finished shot's clip");
    assert_eq!(used[1], newest(&versions(&stack, &shots[1]).await, "image"), "the waiting shot's still");
    assert_eq!(used[2], Value::Null, "a title card uses no version");

    // The report, counted by hand: three shots tile the song; two cuts; one clip of the
    // project's model; two clips still to pay for, at the model's price per second.
    let report = &render["report"];
    let ids = |list: &Value| list.as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect::<Vec<_>>();
    assert_eq!(ids(&report["segments"]["clips"]), [shots[0].clone()], "{report}");
    assert_eq!(ids(&report["segments"]["stills"]), [shots[1].clone()]);
    assert_eq!(ids(&report["segments"]["titleCards"]), [shots[2].clone()]);
    assert_eq!((report["coverage"]["share"].as_f64(), report["coverage"]["gaps"].as_array().map(Vec::len)), (Some(1.0), Some(0)));
    assert_eq!(report["cuts"]["cuts"], 2);
    let model = "fal-ai/kling-video/v3/standard/image-to-video";
    assert_eq!(report["clipsPerModel"], json!({ model: 1 }));
    // Kling v3 makes clips of 3 to 15 whole seconds: 1.4 s asks for 3.
    let secs = 3 + (song_ms - 2700).div_ceil(1000).max(3);
    assert_eq!((report["cost"]["clipsToMake"].as_u64(), report["cost"]["clipSecsToMake"].as_u64()), (Some(2), Some(secs)));
    assert_eq!(report["cost"]["estimateUsdMicros"].as_u64(), Some(112_000 * secs));
    assert!(report["cost"]["spentUsdMicros"].as_u64().unwrap() > 0, "the stills and the clip are paid for: {report}");

    let film = stack.scratch.join("animatic.mp4");
    std::fs::write(&film, stack.download(done["mediaUrl"].as_str().unwrap()).await.unwrap()).unwrap();
    let frames = mean_colours(&film).await;
    assert_eq!(frames.len() as u64, frame_at(song_ms), "the animatic is the song's length in frames");
    let (cut1, cut2) = (frame_at(1300) as usize, frame_at(2700) as usize);
    let card = [0x20, 0x28, 0x30];
    assert!(frames[..cut1].iter().all(|f| !near(*f, card, 6)), "the clip is no card");
    assert!(frames[cut1..cut2].iter().all(|f| !near(*f, card, 6)), "the still is no card");
    assert!(frames[cut2..].iter().all(|f| near(*f, card, 12)), "the shot with nothing is a title card: {:?}", &frames[cut2..cut2 + 2]);
    let (a, b) = (frames[cut1 - 1], frames[cut1]);
    assert!(!near(a, b, 4), "a hard cut on the second shot's first frame: {a:?} → {b:?}");

    // Again through `miri render --animatic`, nothing changed: every segment comes from the cache.
    let log = stack.log("worker");
    let (made, cached) = (count(&log, "making segment"), count(&log, "segment taken from the cache"));
    let again = stack.scratch.join("again.mp4");
    let out = Command::new(miri_testkit::miri_bin())
        .args(["render", "--project", &project, "--animatic", "--gateway", &stack.http, "--token", &stack.token, "--out"])
        .arg(&again)
        .output()
        .await
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), std::path::absolute(&again).unwrap().to_string_lossy());
    assert_eq!(mean_colours(&again).await, frames, "the same animatic, frame for frame");
    let log = stack.log("worker");
    assert_eq!(count(&log, "making segment"), made, "nothing is made again");
    assert_eq!(count(&log, "segment taken from the cache"), cached + 3);

    // The third shot gets its still: only its segment is made.
    let (status, body) = stack.post("/api/shots/generate", json!({"shotId": shots[2]})).await.unwrap();
    assert_eq!(status, 202, "{body}");
    stack.wait_status(&shots[2], "AWAITING_APPROVAL", LONG).await.unwrap();
    let log = stack.log("worker");
    let (made, cached) = (count(&log, "making segment"), count(&log, "segment taken from the cache"));
    let done = animatic(&stack, &project).await;
    let log = stack.log("worker");
    assert_eq!((count(&log, "making segment"), count(&log, "segment taken from the cache")), (made + 1, cached + 2));
    assert_eq!(done["render"]["shots"][2]["versionId"], newest(&versions(&stack, &shots[2]).await, "image"));
    let clean = stack.scratch.join("clean.mp4");
    std::fs::write(&clean, stack.download(done["mediaUrl"].as_str().unwrap()).await.unwrap()).unwrap();

    // A review copy: the same pictures above a band burned in along the bottom of every frame;
    // its segments are its own (the clean ones stay cached as they were).
    let review = stack.scratch.join("review.mp4");
    let out = Command::new(miri_testkit::miri_bin())
        .args(["render", "--project", &project, "--animatic", "--overlay", "--gateway", &stack.http, "--token", &stack.token, "--out"])
        .arg(&review)
        .output()
        .await
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{said}");
    assert!(said.contains("coverage 100.0% of 0:0"), "the report's summary is printed: {said}");
    assert!(said.contains("2 clips to make"), "{said}");
    let log = stack.log("worker");
    assert_eq!(count(&log, "making segment"), made + 1 + 3, "every segment of the review copy is made");
    let (top, band) = ("crop=iw:ih*3/4:0:0,scale=1:1:flags=area", "crop=iw:ih/8:0:ih*7/8,scale=1:1:flags=area");
    let (clean_top, review_top) = (mean_colours_of(&clean, top).await, mean_colours_of(&review, top).await);
    assert_eq!(review_top.len() as u64, frame_at(song_ms));
    assert!(clean_top.iter().zip(&review_top).all(|(a, b)| near(*a, *b, 3)), "the picture above the band is the clean one");
    let (clean_band, review_band) = (mean_colours_of(&clean, band).await, mean_colours_of(&review, band).await);
    let banded = clean_band.iter().zip(&review_band).filter(|(a, b)| !near(**a, **b, 3)).count();
    assert_eq!(banded, review_band.len(), "every frame carries the band");

    // Both copies are listed, newest first, the review copy marked as one.
    let (status, listed) = stack.get(&format!("/api/projects/{project}/renders")).await.unwrap();
    assert_eq!(status, 200, "{listed}");
    let renders = listed["renders"].as_array().unwrap();
    let overlays: Vec<bool> = renders.iter().map(|r| r["overlay"].as_bool().unwrap_or(false)).collect();
    assert_eq!(overlays, [true, false, false, false], "{listed}");
    assert_eq!(renders[1]["renderId"], done["renderId"]);
    assert!(renders.iter().all(|r| r["mediaUrl"].as_str().is_some_and(|u| u.starts_with("/api/media/"))), "{listed}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreadable_still_becomes_its_shots_title_card_not_a_failure() {
    let stack = Stack::start(StackOptions::default()).await.unwrap();
    let project = stack.create_project("animatic-corrupt").await.unwrap();
    let (secs, _) = miri_testkit::probe(&stack.scratch.join("song.mp3")).await.unwrap();
    let song_ms = (secs * 1000.0).round() as u64;
    // A still that will not read, then nothing from 1 s to 1.8 s, then two shots with nothing
    // that overlap from 2.3 s to 2.6 s.
    let shot = stack.create_shot(&project, 0, 1000).await.unwrap();
    let later = stack.create_shot(&project, 1800, 2600).await.unwrap();
    let last = stack.create_shot(&project, 2300, song_ms).await.unwrap();
    let (status, body) = stack.post("/api/shots/generate", json!({"shotId": shot})).await.unwrap();
    assert_eq!(status, 202, "{body}");
    stack.wait_status(&shot, "AWAITING_APPROVAL", LONG).await.unwrap();
    let versions = versions(&stack, &shot).await;
    let still = versions.as_array().unwrap().iter().find(|v| v["kind"] == "image").unwrap();
    std::fs::write(stack.dir.path().join("media").join(still["media"]["key"].as_str().unwrap()), b"not a picture").unwrap();

    let done = animatic(&stack, &project).await;
    let film = stack.scratch.join("corrupt.mp4");
    std::fs::write(&film, stack.download(done["mediaUrl"].as_str().unwrap()).await.unwrap()).unwrap();
    let frames = mean_colours(&film).await;
    assert_eq!(frames.len() as u64, frame_at(song_ms));
    assert!(frames.iter().all(|f| near(*f, [0x20, 0x28, 0x30], 12)), "a title card stands in: {:?}", &frames[..2]);
    assert!(stack.log("worker").contains("a title card stands in"), "the worker says why");

    // The gap is a card of its own (not a shot of the record); the later of the overlapping shots
    // cuts in at its start; the report lists all of it.
    let render = &done["render"];
    let spans: Vec<(u64, u64)> =
        render["shots"].as_array().unwrap().iter().map(|s| (s["timestamps"]["startMs"].as_u64().unwrap(), s["timestamps"]["endMs"].as_u64().unwrap())).collect();
    assert_eq!(spans, [(0, 1000), (1800, 2600), (2300, song_ms)], "{render}");
    let report = &render["report"];
    assert_eq!(report["coverage"]["gaps"], json!([{"startMs": 1000, "endMs": 1800}]), "{report}");
    assert_eq!(report["coverage"]["overlaps"], json!([{"first": later, "second": last, "startMs": 2300, "endMs": 2600}]));
    assert_eq!(report["segments"]["gapCards"], 1);
    assert_eq!(report["segments"]["titleCards"], json!([later, last, shot]));
    assert_eq!(report["segments"]["stills"], json!([]));
    let unreadable = &report["segments"]["unreadable"];
    assert_eq!(unreadable[0]["shotId"], json!(shot), "{unreadable}");
    assert!(unreadable[0]["why"].as_str().unwrap().starts_with("its still cannot be read: "), "{unreadable}");
    assert_eq!(report["cuts"]["cuts"], 3, "cuts at the gap, at the second shot and at the third");
}
