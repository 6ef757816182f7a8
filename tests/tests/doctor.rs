//! `miri doctor` (issue 10 item 2) against a running stack: with the stack's configuration every
//! check passes (exit 0); with a dead Redis, the real fal without its key and with a loopback
//! public URL, and no web app, it fails (exit 1) naming each problem with its fix.

use miri_testkit::{Stack, StackOptions};
use serde_json::Value;

fn finding<'a>(report: &'a Value, check: &str) -> &'a Value {
    report["findings"].as_array().unwrap().iter().find(|f| f["check"] == check).unwrap_or_else(|| panic!("no {check} in {report}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn doctor_passes_a_sound_stack_and_names_each_fault_with_its_fix() -> anyhow::Result<()> {
    let stack = Stack::start(StackOptions::default()).await?;
    let (code, report) = stack.doctor(&[], &[]).await?;
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["ok"], true);
    for check in ["temporal", "search attributes", "redis", "store", "media", "ffmpeg", "ffprobe", "web app", "fal", "gemini", "public url", "webhook keys", "rule index", "prices", "budget"] {
        assert_eq!(finding(&report, check)["verdict"], "ok", "{check}: {report:#}");
    }

    let broken = [
        ("--redis-url", "redis://127.0.0.1:1"),
        ("--fal-url", "https://queue.fal.run"),
        ("--web-dist", "/nonexistent/dist"),
        ("--rules-index", "vertex"),
    ];
    let (code, report) = stack.doctor(&broken, &[]).await?;
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(report["ok"], false);
    for (check, names) in [("redis", "127.0.0.1:1"), ("fal", "FAL_KEY"), ("public url", "MIRI_PUBLIC_URL"), ("web app", "index.html"), ("rule index", "MIRI_VERTEX")] {
        let f = finding(&report, check);
        assert_eq!(f["verdict"], "fail", "{check}: {f}");
        let said = format!("{} {}", f["detail"], f["fix"]);
        assert!(said.contains(names), "{check} names {names}: {f}");
        assert!(f["fix"].as_str().is_some_and(|fix| !fix.is_empty()), "{check} says how to fix it: {f}");
    }
    assert_eq!(finding(&report, "temporal")["verdict"], "ok", "what works is still said to work");

    // A real fal with its key and a public https URL is sound (the key is never printed).
    let real = [("--fal-url", "https://queue.fal.run"), ("--public-url", "https://miri.example.com")];
    let (_, report) = stack.doctor(&real, &[("FAL_KEY", "fal-secret-key-123")]).await?;
    assert_eq!(finding(&report, "fal")["verdict"], "ok", "{report:#}");
    assert_eq!(finding(&report, "public url")["verdict"], "ok", "{report:#}");
    assert!(!report.to_string().contains("fal-secret-key-123"), "the key is never printed");
    Ok(())
}
