//! The CI recipes, run as their users run them (issue 15). A fresh archive repository,
//! laid out the way teams keep theirs, goes through `action.yml` and
//! `ci/gitlab-ci-template.yml` with the settings of the README's snippets: every `run:`
//! step and every job script is executed with bash the way the runner does, in the
//! repository, with the runner's variables. What needs a runner is left out and says why:
//! `uses:` steps (caches, artifact upload) and the `apt-get` line. `cargo` is a stand-in
//! that records the install command and installs the test binary where cargo would, so a
//! recipe that calls a flag hindsight lacks, drops an output or loses the site fails here.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_yaml::Value;

use crate::util::bin;

fn repo_file(path: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap()
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args([
            "-c",
            "user.name=Archive Keeper",
            "-c",
            "user.email=keeper@example.com",
            "-c",
            "init.defaultBranch=main",
            "-c",
            "commit.gpgsign=false",
            "-c",
            "tag.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {out:?}");
}

// ---------------------------------------------------------------------------------------
// The archive

const README: &str = "# Payments platform post-mortems

One Markdown file per incident, written in the week after it. Copy
`postmortem-template.md`, fill it in and open a merge request.
";

const LICENSE: &str = "Copyright 2025 Example Payments Ltd. Internal use only.
";

const TEMPLATE: &str = "# [Incident Title]

**Date:** YYYY-MM-DD
**Severity:** [SEV1 to SEV4]
**Services:** [service]

## Summary

[What happened, who noticed, how long it lasted.]

## Timeline

| Time (UTC) | Event |
|------------|-------|
| YYYY-MM-DD HH:MM | [What happened] |

## Root cause

[The underlying cause.]

## Action items

| Action | Owner | Due Date | Status |
|--------|-------|----------|--------|
| [Action] | [Name] | YYYY-MM-DD | Planned |
";

const DECLINED: &str = "---
title: Card payments declined after a certificate rotation
date: 2025-02-11
severity: SEV2
services: [payment-gateway]
teams: [payments]
---

## Summary

The payment gateway presented a new client certificate to the card network before the
network had trusted it. Every card payment was declined for 38 minutes.

## Timeline

| Time (UTC) | Event |
|------------|-------|
| 2025-02-11 09:12 | Rotated certificate deployed to the gateway |
| 2025-02-11 09:14 | Decline rate alert fires |
| 2025-02-11 09:50 | Previous certificate restored; payments succeed |

## Root cause

The rotation runbook did not wait for the network to confirm the new certificate.

## Action items

| Action | Owner | Due Date | Status |
|--------|-------|----------|--------|
| Make the runbook wait for the network's confirmation | Priya Shah | 2025-03-01 | Done |
";

const STALE: &str = "# Search results went stale for two hours

**Date:** 2025-05-20
**Severity:** SEV3
**Services:** search-indexer

## Summary

The search indexer stopped consuming updates after a broker failover, so merchants saw
yesterday's orders in search until the consumer was restarted.

## Timeline

| Time (UTC) | Event |
|------------|-------|
| 2025-05-20 13:05 | Broker failover |
| 2025-05-20 15:02 | Support reports missing orders in search |
| 2025-05-20 15:10 | Indexer consumer restarted; results current again |

## Root cause

The consumer kept its connection to the old broker and never reconnected.

## Action items

| Action | Owner | Due Date | Status |
|--------|-------|----------|--------|
| Alert when the indexer's lag passes ten minutes | Tomas Berg | 2025-06-15 | Done |
";

/// The planted problem: the timeline time `14:7O` (a letter O for a zero). The heading
/// `Root cuase` is a typo a team leaves in; hindsight reads it as prose.
const FLOODED: &str = "# Webhook retries flooded the delivery queue

**Date:** 2025-08-07
**Severity:** SEV2
**Services:** webhooks

## Summary

A merchant endpoint answered every webhook with a redirect. Retries for it filled the
delivery queue and delayed everyone's webhooks by up to forty minutes.

## Timeline

| Time (UTC) | Event |
|------------|-------|
| 14:02 | Queue depth alert |
| 14:7O | Retries for the one endpoint paused |
| 14:45 | Queue drained |

## Root cuase

Retries had no per-endpoint limit, so one endpoint could take the whole queue.

## Action items

| Action | Owner | Due Date | Status |
|--------|-------|----------|--------|
| Limit retries per endpoint | Ines Duarte | 2025-09-01 | Done |
";

const FLOODED_PATH: &str = "2025/2025-08-07-webhook-retries-flooded-the-queue.md";
const PLANTED: &str = "14:7O";

/// The incident pages the three post-mortems give.
const INCIDENTS: [&str; 3] = [
    "2025-02-11-card-payments-declined",
    "2025-05-20-search-results-stale",
    "2025-08-07-webhook-retries-flooded-the-queue",
];

/// 1-based line and column of `needle` in `text` (ASCII lines).
fn position(text: &str, needle: &str) -> (usize, usize) {
    text.lines()
        .enumerate()
        .find_map(|(i, line)| line.find(needle).map(|col| (i + 1, col + 1)))
        .unwrap()
}

/// A fresh archive repository: README, LICENSE, the team's template and three
/// post-mortems (one with front matter), committed. No site.toml: a team that follows a
/// recipe starts from what it has.
fn archive() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(&root.join("README.md"), README);
    write(&root.join("LICENSE"), LICENSE);
    write(&root.join("postmortem-template.md"), TEMPLATE);
    write(
        &root.join("2025/2025-02-11-card-payments-declined.md"),
        DECLINED,
    );
    write(&root.join("2025/2025-05-20-search-results-stale.md"), STALE);
    write(&root.join(FLOODED_PATH), FLOODED);
    git(root, &["init", "-q"]);
    git(root, &["add", "."]);
    git(root, &["commit", "-q", "-m", "Post-mortems so far"]);
    dir
}

/// The author's fix of the planted problem, committed.
fn fix_planted_problem(repo: &Path) {
    write(&repo.join(FLOODED_PATH), &FLOODED.replace(PLANTED, "14:07"));
    git(repo, &["commit", "-q", "-am", "Fix the timeline time"]);
}

/// The ```yaml block of the README that contains `marker`.
fn readme_snippet(marker: &str) -> Value {
    let readme = repo_file("README.md");
    let block = readme
        .split("```yaml\n")
        .skip(1)
        .filter_map(|rest| rest.split_once("\n```").map(|(block, _)| block))
        .find(|block| block.contains(marker))
        .unwrap_or_else(|| panic!("no ```yaml block with `{marker}` in README.md"));
    serde_yaml::from_str(block).unwrap()
}

fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Null => String::new(),
        other => panic!("not a scalar: {other:?}"),
    }
}

/// The runner's tools: a `cargo` that records `cargo install …` and installs the test
/// binary into `$CARGO_HOME/bin` as cargo would (building hindsight here would take
/// minutes), then the system's bash, git and coreutils. No `hindsight` anywhere else.
struct Tools {
    dir: tempfile::TempDir,
}

impl Tools {
    fn new() -> Tools {
        let dir = tempfile::tempdir().unwrap();
        let cargo = dir.path().join("bin/cargo");
        write(
            &cargo,
            "#!/bin/sh\n\
             printf '%s\\n' \"$*\" >> \"$FAKE_CARGO_LOG\"\n\
             [ \"$1\" = install ] || { echo \"cargo $1: not a cargo install\" >&2; exit 101; }\n\
             mkdir -p \"$CARGO_HOME/bin\" && ln -sf \"$HINDSIGHT_TEST_BIN\" \"$CARGO_HOME/bin/hindsight\"\n",
        );
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&cargo, std::fs::Permissions::from_mode(0o755)).unwrap();
        Tools { dir }
    }

    fn log(&self) -> PathBuf {
        self.dir.path().join("cargo.log")
    }

    /// The `cargo` command lines run so far.
    fn cargo_calls(&self) -> Vec<String> {
        std::fs::read_to_string(self.log())
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect()
    }

    /// `bash FLAGS SCRIPT` with nothing from the test process but these tools; with
    /// `cargo_bin_on_path`, `$CARGO_HOME/bin` is on the PATH as on GitHub's runners.
    fn bash(
        &self,
        flags: &[&str],
        script: &Path,
        cargo_home: &Path,
        cargo_bin_on_path: bool,
    ) -> Command {
        let mut path = format!(
            "{}:/usr/local/bin:/usr/bin:/bin",
            self.dir.path().join("bin").display()
        );
        if cargo_bin_on_path {
            path = format!("{}:{path}", cargo_home.join("bin").display());
        }
        let mut cmd = Command::new("bash");
        cmd.args(flags)
            .arg(script)
            .env_clear()
            .env("PATH", path)
            .env("HOME", cargo_home.parent().unwrap())
            .env("CARGO_HOME", cargo_home)
            .env("FAKE_CARGO_LOG", self.log())
            .env("HINDSIGHT_TEST_BIN", bin());
        cmd
    }
}

struct Ran {
    name: String,
    code: i32,
    stdout: String,
    stderr: String,
}

impl std::fmt::Debug for Ran {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} (exit {})\n--- stdout\n{}--- stderr\n{}",
            self.name, self.code, self.stdout, self.stderr
        )
    }
}

fn run_script(mut cmd: Command, name: &str) -> Ran {
    let out = cmd.output().unwrap();
    Ran {
        name: name.to_string(),
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

// ---------------------------------------------------------------------------------------
// GitHub Actions: the composite action

/// What a GitHub runner knows while it runs the composite action's steps.
struct GithubContext<'a> {
    action: &'a Value,
    with: &'a BTreeMap<String, String>,
    workspace: &'a Path,
    steps: BTreeMap<String, BTreeMap<String, String>>,
}

impl GithubContext<'_> {
    /// An input: the workflow's `with:` value, else the action's default.
    fn input(&self, name: &str) -> String {
        if let Some(value) = self.with.get(name) {
            return value.clone();
        }
        let input = &self.action["inputs"][name];
        assert!(input.is_mapping(), "the action has no input `{name}`");
        self.substitute(&text(&input["default"]))
    }

    fn atom(&self, atom: &str) -> String {
        let atom = atom.trim();
        if let Some(lit) = atom.strip_prefix('\'').and_then(|a| a.strip_suffix('\'')) {
            return lit.to_string();
        }
        if let Some(name) = atom.strip_prefix("inputs.") {
            return self.input(name);
        }
        if let Some(rest) = atom.strip_prefix("steps.") {
            let (id, output) = rest.split_once(".outputs.").unwrap();
            return self
                .steps
                .get(id)
                .and_then(|o| o.get(output))
                .cloned()
                .unwrap_or_default();
        }
        match atom {
            "github.workspace" => self.workspace.display().to_string(),
            "github.action_path" => env!("CARGO_MANIFEST_DIR").to_string(),
            "runner.os" => "Linux".to_string(),
            // Empty in a composite action's steps (actions/runner#2473): a recipe that
            // leans on them must not work here either.
            "github.action_ref" | "github.action_repository" => String::new(),
            other => panic!("the recipe test does not know `{other}`: teach it or fix action.yml"),
        }
    }

    /// `a || b` (the first non-empty), `a == b`, `a != b`.
    fn eval(&self, expr: &str) -> String {
        for (op, equal) in [("!=", false), ("==", true)] {
            if let Some((a, b)) = expr.split_once(op) {
                return ((self.eval(a) == self.eval(b)) == equal).to_string();
            }
        }
        expr.split("||")
            .map(|a| self.atom(a))
            .find(|v| !v.is_empty())
            .unwrap_or_default()
    }

    /// Every `${{ … }}` in `s` evaluated, as the runner does before a step runs.
    fn substitute(&self, s: &str) -> String {
        let mut out = String::new();
        let mut rest = s;
        while let Some(start) = rest.find("${{") {
            out.push_str(&rest[..start]);
            let end = rest[start..].find("}}").unwrap() + start;
            out.push_str(&self.eval(&rest[start + 3..end]));
            rest = &rest[end + 2..];
        }
        out.push_str(rest);
        out
    }
}

struct GithubRun {
    steps: Vec<Ran>,
    /// The outputs each step with an id wrote to `GITHUB_OUTPUT`.
    step_outputs: BTreeMap<String, BTreeMap<String, String>>,
    /// The action's outputs.
    outputs: BTreeMap<String, String>,
}

impl GithubRun {
    fn step(&self, name: &str) -> Option<&Ran> {
        self.steps.iter().find(|s| s.name == name)
    }
}

/// The action's steps in order, as a runner runs them after `actions/checkout` put the
/// archive in the workspace; the job stops at the first step that fails.
fn run_action(
    repo: &Path,
    tools: &Tools,
    with: &BTreeMap<String, String>,
    scratch: &Path,
) -> GithubRun {
    let action: Value = serde_yaml::from_str(&repo_file("action.yml")).unwrap();
    assert_eq!(action["runs"]["using"], "composite");
    for name in with.keys() {
        assert!(
            action["inputs"][name.as_str()].is_mapping(),
            "the recipe sets input `{name}`, which action.yml does not have"
        );
    }
    let mut cx = GithubContext {
        action: &action,
        with,
        workspace: repo,
        steps: BTreeMap::new(),
    };
    std::fs::create_dir_all(scratch).unwrap();
    let cargo_home = scratch.join("home/.cargo");
    let mut ran = Vec::new();
    for (i, step) in action["runs"]["steps"]
        .as_sequence()
        .unwrap()
        .iter()
        .enumerate()
    {
        let name = text(&step["name"]);
        if step.get("uses").is_some() {
            // actions/cache and actions/upload-artifact need GitHub's services: left out,
            // so every run here is a cache miss.
            continue;
        }
        if let Some(condition) = step.get("if")
            && cx.eval(&text(condition)) != "true"
        {
            continue;
        }
        assert_eq!(
            step["shell"], "bash",
            "{name}: a run step needs `shell: bash`"
        );
        let output = scratch.join(format!("github_output_{i}"));
        std::fs::write(&output, "").unwrap();
        let script = scratch.join(format!("step_{i}.sh"));
        std::fs::write(&script, cx.substitute(&text(&step["run"]))).unwrap();
        // GitHub runs `shell: bash` as `bash --noprofile --norc -eo pipefail {0}`.
        let mut cmd = tools.bash(
            &["--noprofile", "--norc", "-eo", "pipefail"],
            &script,
            &cargo_home,
            true,
        );
        cmd.current_dir(repo)
            .env("GITHUB_WORKSPACE", repo)
            .env("GITHUB_ACTION_PATH", env!("CARGO_MANIFEST_DIR"))
            .env("GITHUB_OUTPUT", &output)
            .env("GITHUB_ACTIONS", "true")
            .env("CI", "true");
        if let Some(env) = step.get("env").and_then(Value::as_mapping) {
            for (key, value) in env {
                cmd.env(text(key), cx.substitute(&text(value)));
            }
        }
        let result = run_script(cmd, &name);
        let outputs: BTreeMap<String, String> = std::fs::read_to_string(&output)
            .unwrap()
            .lines()
            .map(|l| {
                let (k, v) = l.split_once('=').expect("name=value in GITHUB_OUTPUT");
                (k.to_string(), v.to_string())
            })
            .collect();
        if let Some(id) = step.get("id") {
            cx.steps.insert(text(id), outputs);
        }
        let failed = result.code != 0;
        ran.push(result);
        if failed {
            break;
        }
    }
    let outputs = action["outputs"]
        .as_mapping()
        .unwrap()
        .iter()
        .map(|(k, v)| (text(k), cx.substitute(&text(&v["value"]))))
        .collect();
    GithubRun {
        steps: ran,
        step_outputs: cx.steps,
        outputs,
    }
}

/// The `with:` of the README's workflow step that uses the action.
fn readme_action_inputs() -> BTreeMap<String, String> {
    let workflow = readme_snippet(ACTION_USES);
    let step = workflow["jobs"]
        .as_mapping()
        .unwrap()
        .values()
        .flat_map(|job| job["steps"].as_sequence().unwrap())
        .find(|step| text(&step["uses"]).starts_with(ACTION_USES))
        .unwrap();
    step["with"]
        .as_mapping()
        .map(|with| with.iter().map(|(k, v)| (text(k), text(v))).collect())
        .unwrap_or_default()
}

/// How the README names the action: the repository the organisation keeps hindsight in.
const ACTION_USES: &str = "YOUR-ORG/hindsight@";

fn assert_site(site: &Path) {
    assert!(site.join("index.html").is_file(), "{}", site.display());
    for id in INCIDENTS {
        let page = site.join(format!("incidents/{id}/index.html"));
        assert!(page.is_file(), "{}", page.display());
    }
}

#[test]
fn a_fresh_archive_goes_through_the_github_action_as_the_readme_uses_it() {
    let repo = archive();
    let repo = repo.path();
    let tools = Tools::new();
    let scratch = tempfile::tempdir().unwrap();
    let mut with = readme_action_inputs();
    assert_eq!(with.get("strict").map(String::as_str), Some("true"));
    // Pinned the way a team pins a reproducible site: overdue is measured against it.
    with.insert("as-of".to_string(), "2025-12-01".to_string());
    let (line, col) = position(FLOODED, PLANTED);
    let annotation = format!(
        "::warning file={FLOODED_PATH},line={line},col={col},title=hindsight unreadable-time::"
    );

    // A pull request with the planted problem: the annotation on its line, and strict
    // fails the job before anything is built.
    let run = run_action(repo, &tools, &with, &scratch.path().join("1"));
    let installed = format!("install --locked --path {}", env!("CARGO_MANIFEST_DIR"));
    assert_eq!(tools.cargo_calls(), [installed.as_str()], "{:?}", run.steps);
    let check = run
        .step("Check")
        .unwrap_or_else(|| panic!("{:?}", run.steps));
    assert_eq!(check.code, 1, "{check:?}");
    let planted: Vec<&str> = check
        .stdout
        .lines()
        .filter(|l| l.starts_with(&annotation))
        .collect();
    assert_eq!(planted.len(), 1, "{annotation}\n{check:?}");
    assert!(planted[0].contains(PLANTED), "{}", planted[0]);
    assert!(run.step("Build").is_none(), "{:?}", run.steps);

    // Without strict the warning is still annotated and the site is built.
    let mut lenient = with.clone();
    lenient.remove("strict");
    let run = run_action(repo, &tools, &lenient, &scratch.path().join("2"));
    for step in &run.steps {
        assert_eq!(step.code, 0, "{step:?}");
    }
    let check = run.step("Check").unwrap();
    assert!(check.stdout.contains(&annotation), "{check:?}");
    assert!(
        check
            .stdout
            .starts_with(concat!("hindsight ", env!("CARGO_PKG_VERSION"), " (")),
        "the version is printed first: {check:?}"
    );
    let site = PathBuf::from(&run.outputs["site"]);
    assert_eq!(site, repo.join("public"));
    assert_site(&site);

    // Fixed: the README's settings pass from start to end, with nothing to annotate.
    fix_planted_problem(repo);
    let run = run_action(repo, &tools, &with, &scratch.path().join("3"));
    let names: Vec<&str> = run.steps.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "Key the hindsight binary",
            "Install hindsight",
            "Check",
            "Build"
        ]
    );
    for step in &run.steps {
        assert_eq!(step.code, 0, "{step:?}");
    }
    let check = run.step("Check").unwrap();
    assert!(
        !check.stdout.contains("::warning") && !check.stdout.contains("::error"),
        "{check:?}"
    );
    assert_site(Path::new(&run.outputs["site"]));
    // The binary's cache key names the source it was built from.
    let key = &run.step_outputs["key"]["key"];
    assert!(
        key.len() == 16 && key.bytes().all(|b| b.is_ascii_hexdigit()),
        "{key}"
    );
}

// ---------------------------------------------------------------------------------------
// GitLab CI: the template

/// `$A == $B` of a job's `rules: - if:`, the only form the template uses.
fn rule_holds(rule: &str, vars: &[(String, String)]) -> bool {
    let value = |name: &str| {
        let name = name.trim().trim_start_matches('$');
        vars.iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| panic!("the recipe test does not know `${name}`"))
    };
    let (a, b) = rule
        .split_once("==")
        .unwrap_or_else(|| panic!("the recipe test cannot read the rule `{rule}`"));
    value(a) == value(b)
}

/// A variable's value for bash: inside double quotes, so `$VAR` is expanded as GitLab
/// expands variables in variables.
fn quoted(value: &str) -> String {
    let mut out = String::from("\"");
    for c in value.chars() {
        if matches!(c, '"' | '\\' | '`') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// The template's jobs in stage order, each as a GitLab runner with the shell executor
/// runs it: the variables exported (the template's, then the project's `overrides`), the
/// `before_script` and `script` lines in one `bash` with `set -eo pipefail`, in the
/// project folder. The pipeline stops after a stage with a failed job.
fn run_pipeline(repo: &Path, tools: &Tools, overrides: &Value, scratch: &Path) -> Vec<Ran> {
    let template: Value = serde_yaml::from_str(&repo_file("ci/gitlab-ci-template.yml")).unwrap();
    let mut vars: Vec<(String, String)> = vec![
        ("CI".into(), "true".into()),
        ("GITLAB_CI".into(), "true".into()),
        ("CI_PROJECT_DIR".into(), repo.display().to_string()),
        ("CI_COMMIT_BRANCH".into(), "main".into()),
        ("CI_DEFAULT_BRANCH".into(), "main".into()),
    ];
    for (key, value) in template["variables"]
        .as_mapping()
        .into_iter()
        .flatten()
        .chain(overrides.as_mapping().into_iter().flatten())
    {
        let (key, value) = (text(key), text(value));
        match vars.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => vars.push((key, value)),
        }
    }
    let exports: String = vars
        .iter()
        .map(|(k, v)| format!("export {k}={}\n", quoted(v)))
        .collect();
    let jobs: Vec<(String, Value)> = template
        .as_mapping()
        .unwrap()
        .iter()
        .map(|(name, job)| (text(name), job.clone()))
        .filter(|(name, job)| !name.starts_with('.') && job.get("stage").is_some())
        .map(|(name, mut job)| {
            if let Some(base) = job.get("extends").map(text) {
                let base = template[base.as_str()].as_mapping().unwrap().clone();
                let own = job.as_mapping_mut().unwrap();
                for (key, value) in base {
                    own.entry(key).or_insert(value);
                }
            }
            (name, job)
        })
        .collect();
    std::fs::create_dir_all(scratch).unwrap();
    let mut ran = Vec::new();
    for stage in template["stages"].as_sequence().unwrap() {
        let before = ran.len();
        for (name, job) in jobs.iter().filter(|(_, job)| job["stage"] == *stage) {
            let rules = job.get("rules").and_then(Value::as_sequence);
            if let Some(rule) = rules.and_then(|r| r.first())
                && !rule_holds(&text(&rule["if"]), &vars)
            {
                continue;
            }
            let mut script = format!("set -eo pipefail\n{exports}cd \"$CI_PROJECT_DIR\"\n");
            for line in ["before_script", "script"]
                .iter()
                .filter_map(|part| job.get(*part).and_then(Value::as_sequence))
                .flatten()
                .map(text)
            {
                // Installing packages needs root and a network; the system's git stands
                // in for the one it installs.
                if line.starts_with("apt-get") {
                    continue;
                }
                script.push_str(&line);
                script.push('\n');
            }
            let file = scratch.join(format!("{name}.sh"));
            std::fs::write(&file, script).unwrap();
            let mut cmd = tools.bash(&[], &file, &scratch.join("home/.cargo"), false);
            cmd.current_dir(repo);
            let result = run_script(cmd, name);
            // What the job keeps for later jobs and the merge request must be there.
            let artifacts = &job["artifacts"];
            let mut kept: Vec<String> = artifacts["paths"]
                .as_sequence()
                .into_iter()
                .flatten()
                .map(text)
                .collect();
            kept.extend(
                artifacts["reports"]["codequality"]
                    .as_str()
                    .map(str::to_string),
            );
            if result.code == 0 || artifacts["when"] == "always" {
                for path in kept {
                    assert!(repo.join(&path).exists(), "{name}: no {path}\n{result:?}");
                }
            }
            ran.push(result);
        }
        if ran[before..].iter().any(|r| r.code != 0) {
            break;
        }
    }
    ran
}

/// A repository standing for the one the organisation keeps hindsight in, with the
/// README's tag: the stand-in cargo installs from nothing in it, but the template's
/// `git ls-remote` reads its branches and tags.
fn hindsight_repository(tag: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q"]);
    git(
        dir.path(),
        &["commit", "-q", "--allow-empty", "-m", "hindsight"],
    );
    git(dir.path(), &["tag", tag]);
    dir
}

#[test]
fn a_fresh_archive_goes_through_the_gitlab_template_as_the_readme_includes_it() {
    let repo = archive();
    let repo = repo.path();
    let tools = Tools::new();
    let scratch = tempfile::tempdir().unwrap();
    let mut variables = readme_snippet("include:")["variables"].clone();
    assert_eq!(variables["HINDSIGHT_CHECK_ARGS"], "--strict");
    let tag = text(&variables["HINDSIGHT_REF"]);
    let hindsight = hindsight_repository(&tag);
    // The address the README leaves to the reader: their organisation's repository.
    let url = format!("file://{}", hindsight.path().display());
    variables["HINDSIGHT_GIT"] = Value::String(url.clone());
    let (line, _) = position(FLOODED, PLANTED);

    // A merge request with the planted problem: strict fails the check job, its Code
    // Quality report still names the line, and nothing is built.
    let jobs = run_pipeline(repo, &tools, &variables, &scratch.path().join("1"));
    assert_eq!(jobs.len(), 1, "{jobs:?}");
    assert_eq!(
        (jobs[0].name.as_str(), jobs[0].code),
        ("hindsight-check", 1),
        "{jobs:?}"
    );
    assert_eq!(
        tools.cargo_calls(),
        [format!(
            "install --locked --git {url} --rev {tag} hindsight"
        )],
        "a tag is installed with --rev"
    );
    let report: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo.join("gl-code-quality-report.json")).unwrap(),
    )
    .unwrap();
    // The file's problems; its notes (info, such as the cause its text states) aside.
    let planted: Vec<&serde_json::Value> = report
        .as_array()
        .unwrap()
        .iter()
        .filter(|issue| issue["location"]["path"] == FLOODED_PATH && issue["severity"] != "info")
        .collect();
    assert_eq!(planted.len(), 1, "{report:#}");
    let issue = planted[0];
    assert_eq!(issue["check_name"], "unreadable-time");
    assert_eq!(issue["severity"], "minor");
    assert_eq!(issue["location"]["lines"]["begin"], line);
    assert!(
        issue["description"].as_str().unwrap().contains(PLANTED),
        "{issue}"
    );
    let fingerprint = issue["fingerprint"].as_str().unwrap();
    assert!(
        !fingerprint.is_empty() && fingerprint.bytes().all(|b| b.is_ascii_hexdigit()),
        "{fingerprint}"
    );
    assert!(!repo.join("public").exists());

    // Fixed and merged: check, build and pages pass with the binary from the cache.
    fix_planted_problem(repo);
    let jobs = run_pipeline(repo, &tools, &variables, &scratch.path().join("2"));
    let names: Vec<&str> = jobs.iter().map(|j| j.name.as_str()).collect();
    assert_eq!(names, ["hindsight-check", "hindsight-build", "pages"]);
    for job in &jobs {
        assert_eq!(job.code, 0, "{job:?}");
    }
    assert_eq!(tools.cargo_calls().len(), 1, "the cached binary is used");
    let report: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo.join("gl-code-quality-report.json")).unwrap(),
    )
    .unwrap();
    assert!(
        report
            .as_array()
            .unwrap()
            .iter()
            .all(|issue| issue["severity"] == "info"),
        "{report:#}"
    );
    assert_site(&repo.join("public"));
}

/// The container recipe cannot be built here (no Docker engine), so its build context is
/// checked instead: the builder stage copies every top-level path the crate's build reads
/// (the manifest, the lock file, build.rs, the sources, every folder an `include_str!`
/// or `include_bytes!` reaches, build.rs's theme folder, and the folders of the
/// manifest's targets), none of them is in .dockerignore, and the final stage runs the
/// binary it copied from the builder.
#[test]
fn the_dockerfile_copies_everything_the_build_reads() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dockerfile = repo_file("Dockerfile");
    // What comes before the first FROM is comments.
    let stages: Vec<&str> = dockerfile.split("\nFROM ").skip(1).collect();
    assert_eq!(stages.len(), 2, "a builder stage and a final stage");
    assert!(stages[0].starts_with("rust:") && stages[0].contains(" AS builder"));
    let copied: Vec<String> = stages[0]
        .lines()
        .filter_map(|l| l.strip_prefix("COPY "))
        .flat_map(|l| {
            let parts: Vec<&str> = l.split_whitespace().collect();
            parts[..parts.len() - 1]
                .iter()
                .map(|p| p.trim_end_matches('/').to_string())
                .collect::<Vec<_>>()
        })
        .collect();
    let ignored: Vec<String> = repo_file(".dockerignore")
        .lines()
        .map(|l| l.trim().trim_end_matches('/').to_string())
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();

    let mut needed: std::collections::BTreeSet<String> =
        ["Cargo.toml", "Cargo.lock", "build.rs", "src", "themes"]
            .into_iter()
            .map(String::from)
            .collect();
    let include = regex::Regex::new(r#"include_(?:str|bytes)!\(\s*"([^"]+)"\s*\)"#).unwrap();
    for entry in walkdir::WalkDir::new(root.join("src")) {
        let entry = entry.unwrap();
        if entry.path().extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(entry.path()).unwrap();
        for cap in include.captures_iter(&text) {
            let target = entry.path().parent().unwrap().join(&cap[1]);
            let target = std::fs::canonicalize(&target)
                .unwrap_or_else(|e| panic!("{} includes {}: {e}", entry.path().display(), &cap[1]));
            let rel = target
                .strip_prefix(std::fs::canonicalize(root).unwrap())
                .unwrap();
            needed.insert(
                rel.components()
                    .next()
                    .unwrap()
                    .as_os_str()
                    .to_string_lossy()
                    .into_owned(),
            );
        }
    }
    let manifest = repo_file("Cargo.toml");
    for line in manifest.lines().filter_map(|l| l.strip_prefix("path = \"")) {
        needed.insert(
            line.split('/')
                .next()
                .unwrap()
                .trim_end_matches('"')
                .to_string(),
        );
    }
    for dir in ["examples", "tests"] {
        if root.join(dir).is_dir() {
            needed.insert(dir.to_string());
        }
    }
    assert!(
        needed.contains("schemas") && needed.contains("tests"),
        "{needed:?}"
    );
    for path in &needed {
        assert!(
            copied.contains(path),
            "the Dockerfile does not COPY {path} (copies {copied:?})"
        );
        assert!(!ignored.contains(path), ".dockerignore leaves out {path}");
    }
    assert!(stages[0].contains("cargo build --release --locked --bin hindsight"));
    assert!(
        stages[1]
            .contains("COPY --from=builder /src/target/release/hindsight /usr/local/bin/hindsight")
            && stages[1].contains("ENTRYPOINT [\"hindsight\"]"),
        "the final stage runs the built binary"
    );
}
