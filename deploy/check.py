#!/usr/bin/env python3
"""Checks deploy/ against itself and against the code it deploys, without Docker or gcloud.

    .venv/bin/python deploy/check.py            # the repo's deploy/
    .venv/bin/python deploy/check.py DIR        # a copy of deploy/ (the sources stay this repo's)

Parses deploy/compose.yaml and the Cloud Run manifests in deploy/cloudrun/ and checks their
structure; checks that every environment variable they set is one Miri reads (the `env = "..."`
names of miri/src/config.rs, plus the few read directly, listed below), that the provider keys
reach the workers only, and that deploy/temporal-setup.sh registers exactly the search attributes
of workflows/src/search.rs. Prints one line per check, then `deploy: N checks passed`; exits 1
when any check fails, naming the file and the problem. Needs PyYAML and the standard library.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

try:
    import yaml
except ImportError:
    sys.exit(
        "deploy/check.py needs PyYAML, which is not installed for this python: run "
        "scripts/bootstrap.sh (it installs requirements-dev.txt into .venv), then "
        ".venv/bin/python deploy/check.py"
    )

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent  # the repository whose code the deploy files must match
CONFIG_RS = ROOT / "miri" / "src" / "config.rs"
MAIN_RS = ROOT / "miri" / "src" / "main.rs"
SEARCH_RS = ROOT / "workflows" / "src" / "search.rs"

# Provider keys: read from the environment by the worker only (config.rs `env_key`, services.rs).
PROVIDER_KEYS = {"FAL_KEY", "GEMINI_API_KEY", "ANTHROPIC_API_KEY"}
# Names Miri reads that config.rs declares no `env = "..."` for, and why each is allowed.
EXTRA_ENV = {
    "FAL_KEY": "fal's key (config::fal_key); absent = the simulator",
    "GEMINI_API_KEY": "Gemini's key (services.rs provider_key)",
    "ANTHROPIC_API_KEY": "Claude's key (services.rs provider_key)",
    "MIRI_VERTEX_TOKEN": "Vector Search bearer token with --rules-index vertex (services.rs)",
    "MIRI_GCS_SERVICE_ACCOUNT_KEY": "a GCS key instead of the platform's credentials (config.rs)",
    "RUST_LOG": "the log filter (tracing's EnvFilter, telemetry/src/logs.rs)",
    "MIRI_LOG_FORMAT": "text or json (telemetry/src/logs.rs FORMAT_VAR)",
    "PORT": "set by Cloud Run itself, never by a manifest",
}
# Cloud Run sets these; a manifest that sets one is refused.
CLOUD_RUN_RESERVED = {"PORT", "K_SERVICE", "K_REVISION", "K_CONFIGURATION"}
COMPOSE_SERVICES = ["postgres", "temporal", "redis", "firestore", "gateway", "worker", "render-worker", "sim"]
MANIFESTS = {"gateway": "gateway.yaml", "worker": "worker.yaml", "render-worker": "render-worker.yaml"}
KINDS = {("serving.knative.dev/v1", "Service"), ("run.googleapis.com/v1", "WorkerPool")}


class Failed(Exception):
    """A check that cannot go on (a file missing or unreadable)."""


# ---- what the code declares -----------------------------------------------------------------


def read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as e:
        raise Failed(f"{path}: cannot be read ({e.strerror})") from None


def config_env_names() -> set[str]:
    text = read(CONFIG_RS)
    names = set(re.findall(r'\benv\s*=\s*"([A-Z][A-Z0-9_]*)"', text))
    names |= set(re.findall(r'\benv::var\(\s*"([A-Z][A-Z0-9_]*)"', text))
    names |= set(re.findall(r'\benv_key\(\s*"([A-Z][A-Z0-9_]*)"', text))
    if len(names) < 5:
        raise Failed(f"{CONFIG_RS}: found no env = \"...\" declarations (has the configuration moved?)")
    return names


def known_env() -> set[str]:
    return config_env_names() | set(EXTRA_ENV)


def value_enum(name: str) -> set[str]:
    """The values clap accepts for `enum NAME` in config.rs (variants in kebab-case)."""
    m = re.search(r"\benum\s+" + name + r"\s*\{(.*?)\}", read(CONFIG_RS), re.S)
    if not m:
        raise Failed(f"{CONFIG_RS}: declares no enum {name}")
    return {kebab(v) for v in re.findall(r"^\s*([A-Z]\w*)\s*,?\s*$", m.group(1), re.M)}


def subcommands() -> set[str]:
    m = re.search(r"^enum Command \{(.*?)^\}", read(MAIN_RS), re.S | re.M)
    if not m:
        raise Failed(f"{MAIN_RS}: declares no enum Command")
    return {kebab(v) for v in re.findall(r"^    ([A-Z]\w*)\s*[({,]", m.group(1), re.M)}


def search_attributes() -> list[tuple[str, str]]:
    m = re.search(r"pub const ALL:[^=]*=\s*\[(.*?)\];", read(SEARCH_RS), re.S)
    pairs = re.findall(r'\(\s*"(\w+)"\s*,\s*"(\w+)"\s*\)', m.group(1)) if m else []
    if not pairs:
        raise Failed(f"{SEARCH_RS}: no `pub const ALL` list of (name, type) pairs")
    return pairs


def kebab(camel: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "-", camel).lower()


# ---- the deploy files -----------------------------------------------------------------------


def load_yaml(path: Path):
    try:
        doc = yaml.safe_load(read(path))
    except yaml.YAMLError as e:
        raise Failed(f"{path}: not YAML: {e}") from None
    if not isinstance(doc, dict):
        raise Failed(f"{path}: not a YAML mapping")
    return doc


def compose_env(service: dict) -> dict[str, str | None]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        pairs = (item.split("=", 1) for item in env)
        return {p[0]: (p[1] if len(p) > 1 else None) for p in pairs}
    return {k: (None if v is None else str(v)) for k, v in env.items()}


def compose_command(service: dict) -> list[str]:
    cmd = service.get("command") or []
    return cmd.split() if isinstance(cmd, str) else [str(c) for c in cmd]


def depends_on(service: dict) -> dict[str, str]:
    deps = service.get("depends_on") or {}
    if isinstance(deps, list):
        return {d: "service_started" for d in deps}
    return {name: (spec or {}).get("condition", "service_started") for name, spec in deps.items()}


def containers(doc: dict) -> list[dict]:
    return (((doc.get("spec") or {}).get("template") or {}).get("spec") or {}).get("containers") or []


def template_annotations(doc: dict) -> dict:
    return (((doc.get("spec") or {}).get("template") or {}).get("metadata") or {}).get("annotations") or {}


def manifest_env(doc: dict) -> list[dict]:
    return [e for c in containers(doc) for e in (c.get("env") or [])]


def plain_env(doc: dict) -> dict[str, str]:
    return {e["name"]: e.get("value") for e in manifest_env(doc) if "value" in e}


def interpolations(text: str) -> list[str]:
    """The `${...}` / `$NAME` of a file, comment lines left out, `$$` escapes skipped."""
    found = []
    for line in text.splitlines():
        if line.lstrip().startswith("#"):
            continue
        line = line.replace("$$", "")
        found += re.findall(r"\$\{([^}]*)\}", line)
        found += re.findall(r"\$([A-Za-z_][A-Za-z0-9_]*)", line)
    return found


def dockerfile_stages(text: str) -> tuple[dict[str, str], list[dict]]:
    """Global ARG defaults and the stages: {image, name, lines}. Continuation lines are joined."""
    joined = re.sub(r"\\\n", " ", text)
    args: dict[str, str] = {}
    stages: list[dict] = []
    for raw in joined.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        word, _, rest = line.partition(" ")
        word = word.upper()
        if word == "ARG" and not stages:
            name, _, default = rest.strip().partition("=")
            args[name] = default
        elif word == "FROM":
            parts = [p for p in rest.split() if not p.startswith("--")]
            image = re.sub(r"\$\{?(\w+)\}?", lambda m: args.get(m.group(1), m.group(0)), parts[0])
            name = parts[2] if len(parts) > 2 and parts[1].upper() == "AS" else None
            stages.append({"image": image, "name": name, "lines": []})
        elif stages:
            stages[-1]["lines"].append((word, rest.strip()))
    return args, stages


def pinned(image: str) -> str | None:
    """Why an image reference is not pinned, or None when it is (a tag that is not latest, or a digest)."""
    if "@sha256:" in image:
        return None
    if "$" in image:
        return f"{image} uses an ARG without a default"
    last = image.rsplit("/", 1)[-1]
    if ":" not in last:
        return f"{image} has no tag (it would be :latest)"
    if last.rsplit(":", 1)[1] == "latest":
        return f"{image} is :latest"
    return None


# ---- the checks -----------------------------------------------------------------------------


class Context:
    def __init__(self, deploy: Path):
        self.deploy = deploy
        self.cloudrun = deploy / "cloudrun"
        self.compose_path = deploy / "compose.yaml"
        self.setup_path = deploy / "temporal-setup.sh"
        self.deploy_sh = self.cloudrun / "deploy.sh"
        self.dockerfile = deploy / "Dockerfile"
        self.readme = deploy / "README.md"
        self._cache: dict = {}

    def rel(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.deploy.parent))
        except ValueError:
            return str(path)

    def once(self, key, make):
        if key not in self._cache:
            try:
                self._cache[key] = make()
            except Failed as e:
                self._cache[key] = e
        value = self._cache[key]
        if isinstance(value, Failed):
            raise value
        return value

    def compose(self) -> dict:
        return self.once("compose", lambda: load_yaml(self.compose_path))

    def services(self) -> dict:
        services = self.compose().get("services")
        if not isinstance(services, dict) or not services:
            raise Failed(f"{self.rel(self.compose_path)}: no services")
        return services

    def manifest(self, role: str) -> dict:
        return self.once(("manifest", role), lambda: load_yaml(self.cloudrun / MANIFESTS[role]))

    def miri_services(self) -> dict:
        """The compose services that run the image deploy/Dockerfile builds."""
        services = self.services()
        built = {
            s.get("image")
            for s in services.values()
            if isinstance(s.get("build"), dict) and str(s["build"].get("dockerfile", "")).endswith("deploy/Dockerfile")
        }
        return {n: s for n, s in services.items() if s.get("image") in built}


def check_files(ctx: Context) -> list[str]:
    wanted = [ctx.dockerfile, ctx.deploy / "Dockerfile.dockerignore", ctx.compose_path, ctx.setup_path,
              ctx.deploy_sh, ctx.readme] + [ctx.cloudrun / m for m in MANIFESTS.values()]
    return [f"{ctx.rel(p)}: missing" for p in wanted if not p.is_file()]


def check_dockerfile_pinned(ctx: Context) -> list[str]:
    _, stages = dockerfile_stages(read(ctx.dockerfile))
    names = {s["name"] for s in stages if s["name"]}
    problems = [f"{ctx.rel(ctx.dockerfile)}: FROM {why}" for s in stages
                if s["image"] not in names and (why := pinned(s["image"]))]
    return problems or ([] if stages else [f"{ctx.rel(ctx.dockerfile)}: no FROM"])


def check_dockerfile_stages(ctx: Context) -> list[str]:
    f = ctx.rel(ctx.dockerfile)
    _, stages = dockerfile_stages(read(ctx.dockerfile))
    if len(stages) < 3:
        return [f"{f}: {len(stages)} stage(s); wants web (node), build (rust) and runtime (debian slim)"]
    text = lambda s: " ".join(rest for _, rest in s["lines"])  # noqa: E731
    problems = []
    web = next((s for s in stages if s["image"].startswith("node:")), None)
    build = next((s for s in stages if s["image"].startswith("rust:")), None)
    runtime = stages[-1]
    if not web or "npm ci" not in text(web) or "npm run build" not in text(web):
        problems.append(f"{f}: no node stage running `npm ci` and `npm run build`")
    if not build or "protobuf-compiler" not in text(build) or "cargo build" not in text(build):
        problems.append(f"{f}: no rust stage installing protobuf-compiler and running `cargo build`")
    if not re.match(r"debian:[\w.-]*slim$", runtime["image"]):
        problems.append(f"{f}: the runtime stage is {runtime['image']}, not debian slim")
    for package in ("ffmpeg", "ca-certificates"):
        if not re.search(rf"apt-get install[^&]*\b{package}\b", text(runtime)):
            problems.append(f"{f}: the runtime stage does not install {package}")
    env = dict(re.findall(r"(\w+)=(\S+)", " ".join(r for w, r in runtime["lines"] if w == "ENV")))
    dist = env.get("MIRI_WEB_DIST")
    copies = [r for w, r in runtime["lines"] if w == "COPY" and web and f"--from={web['name']}" in r]
    if not dist:
        problems.append(f"{f}: the runtime stage sets no MIRI_WEB_DIST")
    elif not any(c.split()[-1].rstrip("/") == dist.rstrip("/") for c in copies):
        problems.append(f"{f}: MIRI_WEB_DIST={dist}, but the web stage's dist is not copied there")
    return problems


def check_dockerfile_user(ctx: Context) -> list[str]:
    f = ctx.rel(ctx.dockerfile)
    _, stages = dockerfile_stages(read(ctx.dockerfile))
    lines = stages[-1]["lines"] if stages else []
    users = [r for w, r in lines if w == "USER"]
    entry = [r for w, r in lines if w == "ENTRYPOINT"]
    problems = []
    if not users or users[-1].split(":")[0] in ("root", "0"):
        problems.append(f"{f}: the runtime stage runs as root (end it with USER and a non-root uid)")
    if not entry or "miri" not in entry[-1]:
        problems.append(f"{f}: the ENTRYPOINT is not the miri binary (the command picks the role)")
    return problems


def check_dockerfile_env(ctx: Context) -> list[str]:
    _, stages = dockerfile_stages(read(ctx.dockerfile))
    known = known_env()
    names = {n for s in stages[-1:] for w, r in s["lines"] if w == "ENV" for n in re.findall(r"(\w+)=", r)}
    return [f"{ctx.rel(ctx.dockerfile)}: ENV {n} is not a setting Miri reads" for n in sorted(names - known)]


def check_dockerignore(ctx: Context) -> list[str]:
    path = ctx.deploy / "Dockerfile.dockerignore"
    patterns = {line.strip().strip("/") for line in read(path).splitlines() if line.strip() and not line.startswith("#")}
    return [f"{ctx.rel(path)}: does not exclude {p}" for p in ("target", "web/node_modules", ".venv", ".git") if p not in patterns]


def check_compose_services(ctx: Context) -> list[str]:
    services = ctx.services()
    return [f"{ctx.rel(ctx.compose_path)}: no service `{n}`" for n in COMPOSE_SERVICES if n not in services]


def check_compose_dependencies(ctx: Context) -> list[str]:
    services = ctx.services()
    f = ctx.rel(ctx.compose_path)
    problems = []
    for name, s in services.items():
        for dep, condition in depends_on(s).items():
            if dep not in services:
                problems.append(f"{f}: {name} depends on `{dep}`, which is not a service")
            elif condition == "service_healthy" and not services[dep].get("healthcheck"):
                problems.append(f"{f}: {name} waits for {dep} to be healthy, but {dep} has no healthcheck")
            elif condition == "service_completed_successfully" and services[dep].get("restart") not in (None, "no"):
                problems.append(f"{f}: {name} waits for {dep} to complete, but {dep} restarts")
        mode = str(s.get("network_mode", ""))
        if mode.startswith("service:") and mode[len("service:"):] not in services:
            problems.append(f"{f}: {name} shares the network of `{mode[8:]}`, which is not a service")
    return problems


def check_compose_interpolation(ctx: Context) -> list[str]:
    readme = read(ctx.readme)
    f = ctx.rel(ctx.compose_path)
    problems = []
    for expr in interpolations(read(ctx.compose_path)):
        name = re.match(r"[A-Za-z_]\w*", expr)
        if not name:
            problems.append(f"{f}: ${{{expr}}} is not an interpolation compose understands")
        elif not re.match(r"\w+:?-", expr) and not re.search(rf"\b{name.group(0)}\b", readme):
            problems.append(f"{f}: ${{{expr}}} has no default and {ctx.rel(ctx.readme)} does not document it")
    return problems


def check_compose_images(ctx: Context) -> list[str]:
    f = ctx.rel(ctx.compose_path)
    problems = []
    for name, s in ctx.services().items():
        image = s.get("image")
        if not image:
            problems.append(f"{f}: {name} has no image (a built one needs an image name with a tag too)")
        elif why := pinned(str(image)):
            problems.append(f"{f}: {name}: {why}")
    return problems


def check_compose_env(ctx: Context) -> list[str]:
    f = ctx.rel(ctx.compose_path)
    known = known_env()
    services = ctx.services()
    problems = []
    miri = ctx.miri_services()
    if not miri:
        problems.append(f"{f}: no service builds deploy/Dockerfile")
    for name, s in miri.items():
        for var in sorted(set(compose_env(s)) - known):
            problems.append(f"{f}: {name} sets {var}, which Miri does not read")
    script_vars = set(re.findall(r"\$\{?(TEMPORAL_[A-Z_]+)", read(ctx.setup_path)))
    setup = services.get("temporal-setup", {})
    for var in sorted(set(compose_env(setup)) - script_vars):
        problems.append(f"{f}: temporal-setup sets {var}, which deploy/temporal-setup.sh does not read")
    return problems


def check_compose_roles(ctx: Context) -> list[str]:
    f = ctx.rel(ctx.compose_path)
    services = ctx.services()
    queues = value_enum("Queues")
    commands = subcommands()
    miri = ctx.miri_services()
    problems = []
    wants = {"gateway": ("gateway", None), "worker": ("worker", "main"),
             "render-worker": ("worker", "render"), "sim": ("sim", None)}
    for name, (command, queue) in wants.items():
        s = services.get(name, {})
        cmd = compose_command(s)
        if name not in miri:
            problems.append(f"{f}: {name} does not run the image deploy/Dockerfile builds")
        if cmd[:1] != [command]:
            problems.append(f"{f}: {name} runs {cmd or 'the default command'}, not `miri {command}`")
        got = compose_env(s).get("MIRI_WORKER_QUEUES")
        if queue and got != queue:
            problems.append(f"{f}: {name} has MIRI_WORKER_QUEUES={got}, wants {queue}")
        if got and got not in queues:
            problems.append(f"{f}: {name}: MIRI_WORKER_QUEUES={got} is not one of {sorted(queues)}")
    for name, s in miri.items():
        cmd = compose_command(s)
        if cmd and cmd[0] not in commands:
            problems.append(f"{f}: {name} runs `miri {cmd[0]}`, which is not a miri subcommand")
    return problems


def check_compose_secrets(ctx: Context) -> list[str]:
    gateway = compose_env(ctx.services().get("gateway", {}))
    return [f"{ctx.rel(ctx.compose_path)}: the gateway gets {k}; provider keys are for workers only"
            for k in sorted(PROVIDER_KEYS & set(gateway))]


def check_compose_storage(ctx: Context) -> list[str]:
    f = ctx.rel(ctx.compose_path)
    services = ctx.services()
    problems = []
    roles = ["gateway", "worker", "render-worker"]
    envs = {r: compose_env(services.get(r, {})) for r in roles}
    for r, env in envs.items():
        if env.get("MIRI_STORE") != "firestore":
            problems.append(f"{f}: {r} has MIRI_STORE={env.get('MIRI_STORE')}, wants firestore (the emulator)")
        host = (env.get("FIRESTORE_EMULATOR_HOST") or "").split(":")[0]
        if host not in services:
            problems.append(f"{f}: {r}'s FIRESTORE_EMULATOR_HOST does not name a service")
    if all(not env.get("MIRI_MEDIA_BUCKET") for env in envs.values()):
        # Local media: one data dir, one volume, at the same path in every process.
        dirs = {r: env.get("MIRI_DATA_DIR") for r, env in envs.items()}
        if len(set(dirs.values())) != 1 or None in dirs.values():
            problems.append(f"{f}: MIRI_DATA_DIR differs between {dirs} (media are files there)")
        data_dir = next(iter(dirs.values()))
        mounts = {}
        for r in roles:
            vols = [str(v).split(":") for v in services.get(r, {}).get("volumes") or []]
            mounts[r] = {v[0] for v in vols if len(v) > 1 and v[1] == data_dir}
        if len({frozenset(m) for m in mounts.values()}) != 1 or not next(iter(mounts.values())):
            problems.append(f"{f}: gateway and workers do not mount one volume at MIRI_DATA_DIR={data_dir}: {mounts}")
    return problems


def check_compose_simulator(ctx: Context) -> list[str]:
    f = ctx.rel(ctx.compose_path)
    services = ctx.services()
    sim = services.get("sim", {})
    port = compose_env(sim).get("MIRI_SIM_PORT") or "8090"
    base = f"http://127.0.0.1:{port}"
    problems = []
    worker = compose_env(services.get("worker", {}))
    for var in ("FAL_QUEUE_URL", "GEMINI_API_URL", "ANTHROPIC_BASE_URL"):
        if (worker.get(var) or "").rstrip("/") != base:
            problems.append(f"{f}: worker's {var} is {worker.get(var)}, wants the simulator at {base}")
    gateway = compose_env(services.get("gateway", {}))
    if gateway.get("FAL_JWKS_URLS") != f"{base}/.well-known/jwks.json":
        problems.append(f"{f}: gateway's FAL_JWKS_URLS is {gateway.get('FAL_JWKS_URLS')}, wants the simulator's key")
    port_http = gateway.get("MIRI_HTTP_PORT") or "8080"
    if worker.get("MIRI_PUBLIC_URL") != f"http://127.0.0.1:{port_http}":
        problems.append(f"{f}: worker's MIRI_PUBLIC_URL is {worker.get('MIRI_PUBLIC_URL')}, wants the gateway")
    # Loopback URLs: the gateway, the workers and the simulator share one network namespace.
    modes = {n: services.get(n, {}).get("network_mode") for n in ("sim", "gateway", "worker", "render-worker")}
    if len(set(modes.values())) != 1 or not str(modes["sim"]).startswith("service:"):
        problems.append(f"{f}: sim, gateway and workers must share one network_mode service:… (loopback URLs): {modes}")
    return problems


def check_compose_temporal_setup(ctx: Context) -> list[str]:
    f = ctx.rel(ctx.compose_path)
    services = ctx.services()
    setup = services.get("temporal-setup")
    if not setup:
        return [f"{f}: no temporal-setup service"]
    problems = []
    volumes = [str(v) for v in setup.get("volumes") or []]
    if not any(v.split(":")[0] in ("./temporal-setup.sh", "temporal-setup.sh") for v in volumes):
        problems.append(f"{f}: temporal-setup does not mount ./temporal-setup.sh")
    if not any("temporal-setup.sh" in str(x) for x in (setup.get("entrypoint") or []) + compose_command(setup)):
        problems.append(f"{f}: temporal-setup does not run temporal-setup.sh")
    if depends_on(setup).get("temporal") != "service_healthy":
        problems.append(f"{f}: temporal-setup does not wait for temporal to be healthy")
    ns = compose_env(setup).get("TEMPORAL_NAMESPACE")
    for name, s in ctx.miri_services().items():
        env = compose_env(s)
        if "TEMPORAL_NAMESPACE" in env and env["TEMPORAL_NAMESPACE"] != ns:
            problems.append(f"{f}: {name} uses namespace {env['TEMPORAL_NAMESPACE']}, temporal-setup creates {ns}")
        if "TEMPORAL_ADDRESS" in env and depends_on(s).get("temporal-setup") != "service_completed_successfully":
            problems.append(f"{f}: {name} does not wait for temporal-setup to complete")
    return problems


def check_manifests_parse(ctx: Context) -> list[str]:
    problems = []
    for role, file in MANIFESTS.items():
        doc = ctx.manifest(role)
        f = ctx.rel(ctx.cloudrun / file)
        if (doc.get("apiVersion"), doc.get("kind")) not in KINDS:
            problems.append(f"{f}: apiVersion/kind {doc.get('apiVersion')}/{doc.get('kind')} is not a Cloud Run Service or WorkerPool")
        if not (doc.get("metadata") or {}).get("name"):
            problems.append(f"{f}: no metadata.name")
        if not containers(doc):
            problems.append(f"{f}: no spec.template.spec.containers")
        for c in containers(doc):
            if c.get("image") != "${IMAGE}":
                problems.append(f"{f}: container {c.get('name')} runs {c.get('image')}, not the one image ${{IMAGE}}")
        if not str(((doc.get("spec") or {}).get("template") or {}).get("spec", {}).get("serviceAccountName", "")):
            problems.append(f"{f}: no serviceAccountName (each service runs as its own account)")
    accounts = [((ctx.manifest(r).get("spec") or {}).get("template") or {}).get("spec", {}).get("serviceAccountName")
                for r in MANIFESTS]
    if len(set(accounts)) != len(accounts):
        problems.append(f"{ctx.rel(ctx.cloudrun)}: services share a service account: {accounts}")
    return problems


def check_gateway_manifest(ctx: Context) -> list[str]:
    doc = ctx.manifest("gateway")
    f = ctx.rel(ctx.cloudrun / MANIFESTS["gateway"])
    problems = []
    if doc.get("kind") != "Service":
        problems.append(f"{f}: the gateway must be a Service (it serves HTTP)")
    if template_annotations(doc).get("autoscaling.knative.dev/minScale") != "0":
        problems.append(f"{f}: minScale is {template_annotations(doc).get('autoscaling.knative.dev/minScale')!r}, wants \"0\" (scales to zero)")
    spec = doc.get("spec", {}).get("template", {}).get("spec", {})
    if not spec.get("containerConcurrency"):
        problems.append(f"{f}: no containerConcurrency")
    c = (containers(doc) or [{}])[0]
    ports = c.get("ports") or []
    port = ports[0].get("containerPort") if ports else None
    if not ports or ports[0].get("name") != "h2c":
        problems.append(f"{f}: the port is not named h2c (gRPC beside HTTP needs HTTP/2 end to end)")
    if str(port) != str(plain_env(doc).get("MIRI_HTTP_PORT")):
        problems.append(f"{f}: containerPort {port} is not MIRI_HTTP_PORT={plain_env(doc).get('MIRI_HTTP_PORT')}")
    for probe in ("startupProbe", "livenessProbe"):
        if ((c.get(probe) or {}).get("httpGet") or {}).get("path") != "/healthz":
            problems.append(f"{f}: no {probe} on /healthz")
    if [str(a) for a in c.get("args") or []][:1] != ["gateway"]:
        problems.append(f"{f}: the container does not run `miri gateway`")
    return problems


def check_worker_manifests(ctx: Context) -> list[str]:
    queues = value_enum("Queues")
    problems = []
    for role, queue in (("worker", "main"), ("render-worker", "render")):
        doc = ctx.manifest(role)
        f = ctx.rel(ctx.cloudrun / MANIFESTS[role])
        meta = (doc.get("metadata") or {}).get("annotations") or {}
        tmpl = template_annotations(doc)
        if doc.get("kind") == "WorkerPool":
            # A worker pool's CPU is always allocated; manual scaling: the count is the minimum.
            count = meta.get("run.googleapis.com/manualInstanceCount")
            if meta.get("run.googleapis.com/scalingMode") != "manual" or not str(count).isdigit() or int(count) < 1:
                problems.append(f"{f}: wants scalingMode manual and manualInstanceCount >= 1 (a minimum instance), has {meta}")
        else:
            low = tmpl.get("autoscaling.knative.dev/minScale")
            if not str(low).isdigit() or int(low) < 1:
                problems.append(f"{f}: minScale is {low!r}, wants >= 1 (a minimum instance)")
            if tmpl.get("run.googleapis.com/cpu-throttling") != "false":
                problems.append(f"{f}: cpu-throttling is not \"false\" (a poller needs its CPU always allocated)")
        env = plain_env(doc)
        if env.get("MIRI_WORKER_QUEUES") != queue:
            problems.append(f"{f}: MIRI_WORKER_QUEUES is {env.get('MIRI_WORKER_QUEUES')}, wants {queue}")
        if queue not in queues:
            problems.append(f"{CONFIG_RS}: enum Queues has no `{queue}`")
        if [str(a) for c in containers(doc)[:1] for a in c.get("args") or []][:1] != ["worker"]:
            problems.append(f"{f}: the container does not run `miri worker`")
    return problems


def limits(doc: dict) -> tuple[float, float]:
    lim = ((containers(doc) or [{}])[0].get("resources") or {}).get("limits") or {}
    cpu = str(lim.get("cpu", "0"))
    cpu_n = float(cpu[:-1]) / 1000 if cpu.endswith("m") else float(cpu)
    mem = str(lim.get("memory", "0"))
    unit = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "K": 1e3, "M": 1e6, "G": 1e9}
    m = re.match(r"([\d.]+)([A-Za-z]*)$", mem)
    mem_n = float(m.group(1)) * unit.get(m.group(2), 1) if m else 0
    return cpu_n, mem_n


def check_render_resources(ctx: Context) -> list[str]:
    worker, render = limits(ctx.manifest("worker")), limits(ctx.manifest("render-worker"))
    f = ctx.rel(ctx.cloudrun / MANIFESTS["render-worker"])
    if render[0] <= worker[0] or render[1] <= worker[1]:
        return [f"{f}: the render worker (ffmpeg) should have more CPU and memory than the worker: {render} vs {worker}"]
    return []


def check_manifest_secrets(ctx: Context) -> list[str]:
    problems = []
    for role, file in MANIFESTS.items():
        f = ctx.rel(ctx.cloudrun / file)
        for e in manifest_env(ctx.manifest(role)):
            name = e.get("name")
            if name not in PROVIDER_KEYS:
                continue
            if role == "gateway":
                problems.append(f"{f}: the gateway gets {name}; provider keys are for workers only")
            if "value" in e or not ((e.get("valueFrom") or {}).get("secretKeyRef") or {}).get("name"):
                problems.append(f"{f}: {name} is not read from Secret Manager (valueFrom.secretKeyRef)")
    worker = {e.get("name") for e in manifest_env(ctx.manifest("worker"))}
    for name in sorted(PROVIDER_KEYS - worker):
        problems.append(f"{ctx.rel(ctx.cloudrun / MANIFESTS['worker'])}: the worker gets no {name}")
    return problems


def check_manifest_env(ctx: Context) -> list[str]:
    known = known_env()
    problems = []
    for role, file in MANIFESTS.items():
        f = ctx.rel(ctx.cloudrun / file)
        names = [e.get("name") for e in manifest_env(ctx.manifest(role))]
        problems += [f"{f}: sets {n}, which Miri does not read" for n in names if n not in known]
        problems += [f"{f}: sets {n}, which Cloud Run reserves" for n in names if n in CLOUD_RUN_RESERVED]
        problems += [f"{f}: sets {n} twice" for n in sorted({n for n in names if names.count(n) > 1})]
    return problems


def check_manifest_strings(ctx: Context) -> list[str]:
    problems = []
    for role, file in MANIFESTS.items():
        doc = ctx.manifest(role)
        f = ctx.rel(ctx.cloudrun / file)
        annotations = {**((doc.get("metadata") or {}).get("annotations") or {}), **template_annotations(doc)}
        problems += [f"{f}: annotation {k} is {v!r}, not a string (quote it)" for k, v in annotations.items() if not isinstance(v, str)]
        problems += [f"{f}: env {e.get('name')} is {e['value']!r}, not a string (quote it)"
                     for e in manifest_env(doc) if "value" in e and not isinstance(e["value"], str)]
    return problems


def check_manifest_shared_settings(ctx: Context) -> list[str]:
    shared = ["TEMPORAL_ADDRESS", "TEMPORAL_NAMESPACE", "REDIS_URL", "MIRI_STORE", "MIRI_FIRESTORE_PROJECT",
              "MIRI_MEDIA_BUCKET", "MIRI_EVENTS_CHANNEL", "MIRI_LOG_FORMAT"]
    envs = {role: plain_env(ctx.manifest(role)) for role in MANIFESTS}
    problems = []
    for var in shared:
        values = {role: env.get(var) for role, env in envs.items()}
        if len(set(values.values())) != 1 or None in values.values():
            problems.append(f"{ctx.rel(ctx.cloudrun)}: {var} differs between the services: {values}")
    if envs["gateway"].get("MIRI_LOG_FORMAT") != "json":
        problems.append(f"{ctx.rel(ctx.cloudrun)}: MIRI_LOG_FORMAT is not json (Cloud Logging reads one JSON object a line)")
    public = envs["worker"].get("MIRI_PUBLIC_URL")
    if public != "${GATEWAY_URL}":
        problems.append(f"{ctx.rel(ctx.cloudrun / MANIFESTS['worker'])}: MIRI_PUBLIC_URL is {public}, wants ${{GATEWAY_URL}} (fal's webhooks)")
    return problems


def check_manifest_placeholders(ctx: Context) -> list[str]:
    text = read(ctx.deploy_sh)
    m = re.search(r"^PLACEHOLDERS=\(([^)]*)\)", text, re.M)
    if not m:
        return [f"{ctx.rel(ctx.deploy_sh)}: no PLACEHOLDERS=(…) list"]
    listed = set(m.group(1).split())
    problems = []
    for file in MANIFESTS.values():
        for expr in interpolations(read(ctx.cloudrun / file)):
            if expr not in listed:
                problems.append(f"{ctx.rel(ctx.cloudrun / file)}: ${{{expr}}} is not in {ctx.rel(ctx.deploy_sh)}'s PLACEHOLDERS")
        if file not in text:
            problems.append(f"{ctx.rel(ctx.deploy_sh)}: never applies {file}")
    return problems


def check_search_attributes(ctx: Context) -> list[str]:
    text = read(ctx.setup_path)
    m = re.search(r"^SEARCH_ATTRIBUTES=\((.*?)\)", text, re.S | re.M)
    f = ctx.rel(ctx.setup_path)
    if not m:
        return [f"{f}: no SEARCH_ATTRIBUTES=(…) list"]
    script = {tuple(item.split(":", 1)) for item in m.group(1).split() if not item.startswith("#")}
    code = set(search_attributes())
    problems = [f"{f}: does not register {n} ({t}), which {SEARCH_RS.relative_to(ROOT)} declares" for n, t in sorted(code - script)]
    problems += [f"{f}: registers {'/'.join(x)}, which {SEARCH_RS.relative_to(ROOT)} does not declare" for x in sorted(script - code)]
    return problems


def check_setup_script(ctx: Context) -> list[str]:
    text = read(ctx.setup_path)
    f = ctx.rel(ctx.setup_path)
    problems = []
    if not re.search(r"^set -euo pipefail", text, re.M):
        problems.append(f"{f}: no `set -euo pipefail`")
    for var in ("TEMPORAL_ADDRESS", "TEMPORAL_NAMESPACE", "TEMPORAL_BIN"):
        if not re.search(r"\$\{" + var + r"[:}]", text):
            problems.append(f"{f}: does not read {var}")
    for command in ("operator namespace create", "operator search-attribute create"):
        if command not in text:
            problems.append(f"{f}: never runs `temporal {command}`")
    return problems


def check_shell_syntax(ctx: Context) -> list[str]:
    bash = shutil.which("bash")
    if not bash:
        return ["bash: not found, so the scripts' syntax cannot be checked"]
    problems = []
    for path in (ctx.setup_path, ctx.deploy_sh):
        out = subprocess.run([bash, "-n", str(path)], capture_output=True, text=True)
        if out.returncode != 0:
            problems.append(f"{ctx.rel(path)}: bash -n: {out.stderr.strip()}")
    return problems


def check_readme_env(ctx: Context) -> list[str]:
    readme = read(ctx.readme)
    names = {n for s in ctx.miri_services().values() for n in compose_env(s)}
    names |= {e.get("name") for role in MANIFESTS for e in manifest_env(ctx.manifest(role))}
    _, stages = dockerfile_stages(read(ctx.dockerfile))
    names |= {n for s in stages[-1:] for w, r in s["lines"] if w == "ENV" for n in re.findall(r"(\w+)=", r)}
    return [f"{ctx.rel(ctx.readme)}: the configuration table does not mention {n}"
            for n in sorted(names) if not re.search(rf"`{n}`", readme)]


CHECKS = [
    ("deploy files are all there", check_files),
    ("Dockerfile: every base image is pinned", check_dockerfile_pinned),
    ("Dockerfile: web with node, miri with rust + protoc, runtime debian slim with ffmpeg and the web app", check_dockerfile_stages),
    ("Dockerfile: runs miri as a non-root user", check_dockerfile_user),
    ("Dockerfile: every ENV is a setting Miri reads", check_dockerfile_env),
    ("Dockerfile.dockerignore keeps target, node_modules, .venv and .git out", check_dockerignore),
    ("compose.yaml: parses and has " + ", ".join(COMPOSE_SERVICES), check_compose_services),
    ("compose.yaml: every depends_on and network_mode names a service that can satisfy it", check_compose_dependencies),
    ("compose.yaml: every ${VAR} has a default or is documented", check_compose_interpolation),
    ("compose.yaml: every image is pinned", check_compose_images),
    ("compose.yaml: every variable a Miri container gets is one Miri reads", check_compose_env),
    ("compose.yaml: gateway, worker (main), render worker (render) and sim run their miri subcommands", check_compose_roles),
    ("compose.yaml: no provider key on the gateway", check_compose_secrets),
    ("compose.yaml: records in the Firestore emulator, media on one shared data dir", check_compose_storage),
    ("compose.yaml: the worker calls the simulator and the gateway trusts its webhook key", check_compose_simulator),
    ("compose.yaml: temporal-setup creates the namespace before any Miri process starts", check_compose_temporal_setup),
    ("cloudrun: the three manifests parse as Cloud Run resources of one image", check_manifests_parse),
    ("cloudrun/gateway.yaml: scales to zero, h2c on MIRI_HTTP_PORT, probes /healthz", check_gateway_manifest),
    ("cloudrun: worker and render worker keep a minimum instance with CPU always allocated", check_worker_manifests),
    ("cloudrun/render-worker.yaml: more CPU and memory than the worker", check_render_resources),
    ("cloudrun: provider keys come from Secret Manager, to the worker only", check_manifest_secrets),
    ("cloudrun: every variable is one Miri reads, none reserved or repeated", check_manifest_env),
    ("cloudrun: every annotation and env value is a string", check_manifest_strings),
    ("cloudrun: shared settings agree; the worker's webhooks go to the gateway", check_manifest_shared_settings),
    ("cloudrun: every ${PLACEHOLDER} is one deploy.sh fills in", check_manifest_placeholders),
    ("temporal-setup.sh registers exactly the search attributes of workflows/src/search.rs", check_search_attributes),
    ("temporal-setup.sh: strict mode, TEMPORAL_ADDRESS/NAMESPACE/BIN, namespace and attributes", check_setup_script),
    ("temporal-setup.sh and cloudrun/deploy.sh pass bash -n", check_shell_syntax),
    ("README.md documents every variable the deploy files set", check_readme_env),
]


def main(argv: list[str]) -> int:
    if len(argv) > 2 or (len(argv) == 2 and argv[1] in ("-h", "--help")):
        print(__doc__.strip())
        return 0 if len(argv) == 2 else 2
    deploy = Path(argv[1]).resolve() if len(argv) == 2 else HERE
    ctx = Context(deploy)
    failed = 0
    for title, check in CHECKS:
        try:
            problems = check(ctx)
        except Failed as e:
            problems = [str(e)]
        except (KeyError, TypeError, AttributeError, ValueError, IndexError) as e:
            problems = [f"{ctx.rel(deploy)}: unexpected structure ({type(e).__name__}: {e})"]
        if problems:
            failed += 1
            print(f"FAIL {title}")
            for p in problems:
                print(f"       {p}")
        else:
            print(f"ok   {title}")
    if failed:
        print(f"deploy: {failed} of {len(CHECKS)} checks failed")
        return 1
    print(f"deploy: {len(CHECKS)} checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
