//! The scene breakdown end to end: the demo song analysed, then broken into scenes by the
//! simulated ORCHESTRATOR through `BreakdownWorkflow`; scenes cover the song on its Part edges,
//! each with a recorded seed of its own and its references made; each scene cut into shots on its
//! Moments whose stills come from the scene's references and seed, all under the breakdown
//! request's trace id and findable in Temporal by scene; a second breakdown adds scenes and
//! changes none.

use miri_testkit::{Stack, StackOptions};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::time::Duration;

const WITHIN: Duration = Duration::from_secs(90);
const TRACE: &str = "0af7651916cd43dd8448eb211c80319c";

async fn demo_project(stack: &Stack) -> anyhow::Result<String> {
    let lyrics = miri_demo::timing().timed_lyrics();
    stack.create_project_with("Demo", &stack.demo_song()?, &lyrics, "A girl says goodnight to the stars and the sea.").await
}

#[tokio::test(flavor = "multi_thread")]
async fn the_song_breaks_into_scenes_on_its_parts_each_with_its_own_recorded_seed() -> anyhow::Result<()> {
    let stack = Stack::start(StackOptions::default()).await?;
    let project = demo_project(&stack).await?;
    let breakdowns = format!("/api/projects/{project}/breakdowns");
    let (code, body) = stack.post(&breakdowns, json!({})).await?;
    assert_eq!(code, 409, "no analysis yet: {body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("analyses first"), "{body}");

    let analysed = stack.run_step(&format!("/api/projects/{project}/analyses"), "analysisId", WITHIN).await?;
    assert_eq!(analysed["status"], "completed", "{analysed}");
    let analysis = &analysed["analysis"];
    // Asked for under a trace id, which the scenes' references and the shots' stills carry on.
    let started = stack
        .rest
        .post(format!("{}{breakdowns}", stack.http))
        .bearer_auth(&stack.token)
        .header("traceparent", format!("00-{TRACE}-b7ad6b7169203331-01"))
        .json(&json!({}))
        .send()
        .await?;
    assert_eq!(started.status(), 202);
    let started: Value = started.json().await?;
    let done = stack.wait_finished(&format!("{breakdowns}/{}", started["breakdownId"].as_str().unwrap()), WITHIN).await?;
    assert_eq!(done["status"], "completed", "{done}\n{}", stack.log("worker"));
    let scenes = done["scenes"].as_array().unwrap();
    assert!(scenes.len() >= 2, "{scenes:?}");

    // The scenes cover the song exactly, and every edge is an edge of a Part.
    let part_edges: BTreeSet<u64> = analysis["parts"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| [p["timestamps"]["startMs"].as_u64().unwrap(), p["timestamps"]["endMs"].as_u64().unwrap()])
        .collect();
    let span = |s: &Value| (s["timestamps"]["startMs"].as_u64().unwrap(), s["timestamps"]["endMs"].as_u64().unwrap());
    assert_eq!(span(&scenes[0]).0, 0);
    assert_eq!(span(scenes.last().unwrap()).1, analysis["durationMs"].as_u64().unwrap());
    for (i, pair) in scenes.windows(2).enumerate() {
        assert_eq!(span(&pair[0]).1, span(&pair[1]).0, "scene {i} meets the next");
        assert!(part_edges.contains(&span(&pair[1]).0), "scene {} starts on a Part edge", i + 1);
    }
    // Each has its place, its outfit's colours by code, its index, and a seed of its own.
    let seeds: BTreeSet<u64> = scenes.iter().map(|s| s["seed"].as_u64().unwrap()).collect();
    assert_eq!(seeds.len(), scenes.len(), "one seed per scene");
    for (i, s) in scenes.iter().enumerate() {
        assert_eq!(s["index"], i);
        assert!(s["outfit"]["description"].as_str().unwrap().contains("hex #"), "{s}");
        assert!(!s["location"].as_str().unwrap().is_empty() && s["seed"].as_u64().unwrap() < 1 << 31);
    }
    // Every scene's background, outfit and props were made before any shot, with its seed.
    let references = done["references"].as_array().unwrap_or_else(|| panic!("{done}"));
    let wanted: usize = scenes.iter().map(|s| 2 + s["props"].as_array().unwrap().len()).sum();
    assert_eq!(references.len(), wanted);
    for r in references {
        let scene = scenes.iter().find(|s| s["sceneId"] == r["sceneId"]).expect("a reference of a listed scene");
        assert_eq!(r["request"]["seed"], scene["seed"], "{r}");
        assert!(r["media"]["sha256"].is_string() && r["cost"]["usdMicros"].as_u64().is_some_and(|c| c > 0), "{r}\n{}", stack.log("worker"));
    }
    let (_, listed) = stack.get(&format!("/api/projects/{project}/scenes")).await?;
    let listed = listed["scenes"].as_array().unwrap();
    assert_eq!(listed.len(), scenes.len());
    for (shown, scene) in listed.iter().zip(scenes) {
        assert_eq!(shown["sceneId"], scene["sceneId"]);
        let roles: Vec<&str> = shown["references"].as_array().unwrap().iter().map(|r| r["role"].as_str().unwrap()).collect();
        assert!(roles.contains(&"background") && roles.contains(&"outfit"), "{roles:?}");
        for r in shown["references"].as_array().unwrap() {
            assert!(r["prompt"].as_str().unwrap().starts_with('['), "the reference's prompt, tagged: {r}");
            let hebrew = r["hebrew"].as_str().unwrap_or_else(|| panic!("every prompt shown carries its Hebrew: {r}"));
            assert!(hebrew.chars().any(|c| ('\u{05D0}'..='\u{05EA}').contains(&c)), "{r}");
        }
    }
    let png = stack.download(listed[0]["references"][0]["mediaUrl"].as_str().unwrap()).await?;
    assert!(png.starts_with(b"\x89PNG"), "a reference is an image");

    // Each scene was cut into shots on its Moments; every shot drew its still from the scene's
    // references with the scene's seed and waits for the director.
    let shots = done["shots"].as_array().unwrap();
    assert!(shots.len() >= scenes.len(), "{shots:?}");
    let moment_starts: BTreeSet<u64> =
        analysis["moments"].as_array().unwrap().iter().map(|m| m["timestamps"]["startMs"].as_u64().unwrap()).collect();
    let mut covered: Vec<(u64, u64)> = Vec::new();
    for id in shots {
        let id = id.as_str().unwrap();
        let shot = stack.wait_status(id, "AWAITING_APPROVAL", WITHIN).await?;
        let scene = scenes.iter().find(|s| s["sceneId"] == shot["sceneId"]).unwrap_or_else(|| panic!("the shot's scene: {shot}"));
        let (start, end) = (shot["startMs"].as_u64().unwrap(), shot["endMs"].as_u64().unwrap());
        assert!(end - start <= 10_000, "a shot fits one clip: {shot}");
        assert!(start == span(scene).0 || moment_starts.contains(&start) || part_edges.contains(&start), "{shot} starts on a Moment");
        covered.push((start, end));
        let (_, versions) = stack.get(&format!("/api/shots/{id}/versions")).await?;
        let prompt = versions.as_array().unwrap().iter().find(|v| v["kind"] == "prompt").expect("a still prompt");
        assert_eq!(prompt["request"]["seed"], scene["seed"], "the scene's seed: {prompt}");
        let urls = prompt["request"]["image_urls"].as_array().unwrap();
        let made: Vec<&Value> = references.iter().filter(|r| r["sceneId"] == scene["sceneId"]).map(|r| &r["sourceUrl"]).collect();
        assert!(made.iter().all(|u| urls.contains(u)), "every reference of the scene goes into the still: {urls:?}");
        assert!(urls.len() <= 10);
        // The prompt the director is shown carries its Hebrew translation, beside it.
        let translation = versions.as_array().unwrap().iter().find(|v| v["kind"] == "translation").expect("a translation");
        assert_eq!(translation["parent"], prompt["versionId"]);
        assert!(translation["prompt"].as_str().unwrap().contains("מירי"), "{translation}");
    }
    // The breakdown's trace id is on the references' and the stills' paid calls and webhooks.
    let (worker, gateway) = (stack.log("worker"), stack.log("gateway"));
    let traced = |log: &str, message: &str| log.lines().filter(|l| l.contains(TRACE) && l.contains(message)).count();
    assert_eq!(traced(&worker, "reference submitted to the provider"), references.len(), "{worker}");
    assert_eq!(traced(&worker, "submitted to the provider") - references.len(), shots.len(), "one still each: {worker}");
    assert!(traced(&gateway, "fal webhook") >= references.len() + shots.len(), "{gateway}");

    // Operators find a scene's shots in the Temporal UI by its search attribute.
    let first_scene = scenes[0]["sceneId"].as_str().unwrap();
    let mut in_first = 0;
    for id in shots {
        let (_, shot) = stack.get(&format!("/api/shots/{}", id.as_str().unwrap())).await?;
        in_first += u64::from(shot["sceneId"] == first_scene);
    }
    let query = format!("SceneId = '{first_scene}' AND WorkflowType = 'ShotWorkflow' AND ProjectId = '{project}'");
    assert_eq!(stack.temporal_count(&query, in_first).await?, in_first, "{query}");

    covered.sort_unstable();
    assert_eq!(covered.first().unwrap().0, 0);
    assert!(covered.windows(2).all(|w| w[0].1 == w[1].0), "shots cover the song: {covered:?}");
    assert_eq!(covered.last().unwrap().1, analysis["durationMs"].as_u64().unwrap());

    // A second breakdown is new records with new seeds; the first one's scenes are untouched.
    let again = stack.run_step(&breakdowns, "breakdownId", WITHIN).await?;
    assert_eq!(again["status"], "completed");
    let (_, listed) = stack.get(&format!("/api/projects/{project}/scenes")).await?;
    let ids = |list: &Value| list.as_array().unwrap().iter().map(|s| s["sceneId"].clone()).collect::<Vec<_>>();
    assert_eq!(ids(&listed["scenes"]), ids(&again["scenes"]), "the newest breakdown is the project's scenes");
    let first_id = scenes[0]["sceneId"].as_str().unwrap();
    assert!(again["scenes"].as_array().unwrap().iter().all(|s| s["sceneId"] != first_id));
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn scenes_that_break_the_rules_are_refused_with_the_reason() -> anyhow::Result<()> {
    let stack = Stack::start(StackOptions::default()).await?;
    let project = demo_project(&stack).await?;
    let analysed = stack.run_step(&format!("/api/projects/{project}/analyses"), "analysisId", WITHIN).await?;
    assert_eq!(analysed["status"], "completed");
    stack.rest.post(format!("{}/_sim/faults", stack.sim)).json(&json!({"badAnswerRate": 1.0})).send().await?.error_for_status()?;
    let failed = stack.run_step(&format!("/api/projects/{project}/breakdowns"), "breakdownId", WITHIN).await?;
    assert_eq!(failed["status"], "failed", "{failed}");
    let error = failed["error"].as_str().unwrap();
    assert!(error.contains("broke the rules 3 times") && error.contains("outfit.description"), "{error}");
    let (_, listed) = stack.get(&format!("/api/projects/{project}/scenes")).await?;
    assert_eq!(listed["scenes"], json!([]), "a refused breakdown stores no scene");
    Ok(())
}
