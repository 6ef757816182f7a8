//! The deployment definitions (issue 10 item 1) parse and hold together: `deploy/check.py` (with
//! the project venv's Python and PyYAML) checks the compose file, the Cloud Run manifests, the
//! container build and the Temporal setup script against each other and against the code (every
//! variable one `miri` reads, every search attribute the workflows declare). Here it runs, and it
//! fails on a copy with the gateway no longer scaling to zero.

use std::path::Path;
use std::process::Command;

fn check(dir: Option<&Path>) -> std::process::Output {
    let python = miri_testkit::temporal_bin().with_file_name("python");
    assert!(python.exists(), "{} is missing: run scripts/bootstrap.sh", python.display());
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy/check.py");
    let mut cmd = Command::new(python);
    cmd.arg(script);
    if let Some(dir) = dir {
        cmd.arg(dir);
    }
    cmd.output().unwrap()
}

#[test]
fn the_deployment_definitions_parse_and_agree_with_the_code() {
    let out = check(None);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{said}{}", String::from_utf8_lossy(&out.stderr));
    assert!(said.lines().last().is_some_and(|l| l.starts_with("deploy: ") && l.ends_with("checks passed")), "{said}");

    let copy = tempfile::tempdir().unwrap();
    let deploy = Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy");
    copy_dir(&deploy, copy.path());
    let gateway = copy.path().join("cloudrun/gateway.yaml");
    let yaml = std::fs::read_to_string(&gateway).unwrap();
    assert!(yaml.contains("autoscaling.knative.dev/minScale: \"0\""), "{yaml}");
    std::fs::write(&gateway, yaml.replace("autoscaling.knative.dev/minScale: \"0\"", "autoscaling.knative.dev/minScale: \"1\"")).unwrap();
    let out = check(Some(copy.path()));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success(), "a gateway that never scales to zero passed: {said}");
    assert!(said.contains("minScale"), "{said}");
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}
