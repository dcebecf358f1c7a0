"""Run a composite GitHub Action and the jobs of a workflow here, the way a runner would.

GitHub Actions cannot run on this machine, so this is the part of a runner the tests need:
`${{ }}` expressions (contexts, ==, !=, &&, ||, !, always(), success(), failure()), a step's
`if:` (with the implicit success()), `env:`, `working-directory:`, `run:` under
`bash --noprofile --norc -eo pipefail`, and the files a step talks back through
(GITHUB_OUTPUT, GITHUB_STEP_SUMMARY). Each step's environment is kept, so a test can say
which step saw a secret.
"""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

TOKEN = re.compile(
    r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<op>==|!=|&&|\|\||!|\(|\)|,)"
    r"|(?P<name>[A-Za-z_][\w.-]*))"
)
EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}", re.DOTALL)


class Expression:
    """One `${{ }}` expression, evaluated against a dict of contexts."""

    def __init__(self, text: str, contexts: dict[str, Any], status: str) -> None:
        self.tokens: list[tuple[str, str]] = []
        pos = 0
        text = text.strip()
        while pos < len(text):
            match = TOKEN.match(text, pos)
            if not match:
                raise ValueError(f"cannot read expression {text!r} at {pos}")
            kind = match.lastgroup or ""
            self.tokens.append((kind, match.group(kind)))
            pos = match.end()
        self.contexts = contexts
        self.status = status  # "success" or "failure": how the earlier steps went

    def value(self) -> Any:
        self.pos = 0
        result = self._or()
        if self.pos != len(self.tokens):
            raise ValueError(f"unexpected {self.tokens[self.pos]}")
        return result

    def _peek(self) -> str | None:
        return self.tokens[self.pos][1] if self.pos < len(self.tokens) else None

    def _or(self) -> Any:
        left = self._and()
        while self._peek() == "||":
            self.pos += 1
            right = self._and()
            left = left if truthy(left) else right
        return left

    def _and(self) -> Any:
        left = self._compare()
        while self._peek() == "&&":
            self.pos += 1
            right = self._compare()
            left = right if truthy(left) else left
        return left

    def _compare(self) -> Any:
        left = self._unary()
        if self._peek() in ("==", "!="):
            op = self._peek()
            self.pos += 1
            right = self._unary()
            equal = as_text(left).casefold() == as_text(right).casefold()
            return equal if op == "==" else not equal
        return left

    def _unary(self) -> Any:
        if self._peek() == "!":
            self.pos += 1
            return not truthy(self._unary())
        return self._primary()

    def _primary(self) -> Any:
        kind, text = self.tokens[self.pos]
        self.pos += 1
        if text == "(":
            inner = self._or()
            self.pos += 1  # ")"
            return inner
        if kind == "str":
            return text[1:-1].replace("''", "'")
        if text in ("true", "false"):
            return text == "true"
        if self._peek() == "(":  # a status function
            self.pos += 2
            return {
                "always": True,
                "success": self.status == "success",
                "failure": self.status == "failure",
                "cancelled": False,
            }[text]
        value: Any = self.contexts
        for part in text.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        return value


def truthy(value: Any) -> bool:
    return value not in (None, "", False, 0)


def as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def evaluate(text: str, contexts: dict[str, Any], status: str = "success") -> Any:
    return Expression(text, contexts, status).value()


def interpolate(text: str, contexts: dict[str, Any]) -> str:
    """A string with every `${{ }}` replaced by its value, as GitHub does before a step runs."""
    return EXPRESSION.sub(lambda m: as_text(evaluate(m.group(1), contexts)), str(text))


def condition(text: str | None, contexts: dict[str, Any], status: str) -> bool:
    """A step's `if:`; without a status function it only runs after success."""
    if text is None:
        return status == "success"
    text = str(text).strip()
    if text.startswith("${{"):
        text = text[3:-2]
    if not re.search(r"\b(always|success|failure|cancelled)\(", text):
        text = f"success() && ({text})"
    return truthy(evaluate(text, contexts, status))


def read_outputs(path: Path) -> dict[str, str]:
    """The `name=value` and `name<<DELIMITER` lines a step wrote to GITHUB_OUTPUT."""
    outputs: dict[str, str] = {}
    lines = path.read_text("utf-8").splitlines() if path.exists() else []
    while lines:
        line = lines.pop(0)
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            end = lines.index(delimiter)
            outputs[name] = "\n".join(lines[:end])
            del lines[: end + 1]
        elif "=" in line:
            name, value = line.split("=", 1)
            outputs[name] = value
    return outputs


@dataclass
class StepRun:
    id: str
    name: str
    ran: bool
    env: dict[str, str] = field(default_factory=dict)
    returncode: int = 0
    stdout: str = ""
    stderr: str = ""
    outputs: dict[str, str] = field(default_factory=dict)


@dataclass
class Runner:
    """One job's runner: the workspace (the content repository), RUNNER_TEMP, the event."""

    workspace: Path
    temp: Path
    event_name: str
    event: dict[str, Any]
    base_env: dict[str, str]
    repository: str = "example/articles"
    token: str = "ghs_fake_token_of_the_job"
    steps: list[StepRun] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.temp.mkdir(parents=True, exist_ok=True)
        self.event_path = self.temp / "event.json"
        self.event_path.write_text(json.dumps(self.event), "utf-8")
        self.summary = self.temp / "step_summary.md"
        self.summary.touch()

    def github(self, action_path: Path | None = None) -> dict[str, Any]:
        return {
            "event_name": self.event_name,
            "event": self.event,
            "token": self.token,
            "repository": self.repository,
            "workspace": str(self.workspace),
            "action_path": str(action_path or ""),
        }

    def env(self, action_path: Path | None = None) -> dict[str, str]:
        return {
            **self.base_env,
            "CI": "true",
            "GITHUB_ACTIONS": "true",
            "GITHUB_EVENT_NAME": self.event_name,
            "GITHUB_EVENT_PATH": str(self.event_path),
            "GITHUB_REPOSITORY": self.repository,
            "GITHUB_WORKSPACE": str(self.workspace),
            "GITHUB_STEP_SUMMARY": str(self.summary),
            "RUNNER_TEMP": str(self.temp),
            **({"GITHUB_ACTION_PATH": str(action_path)} if action_path else {}),
        }

    def run_script(self, script: str, env: dict[str, str], cwd: Path) -> StepRun:
        output = self.temp / f"output-{len(self.steps)}"
        output.write_text("", "utf-8")
        file = self.temp / f"step-{len(self.steps)}.sh"
        file.write_text(script, "utf-8")
        full_env = {**env, "GITHUB_OUTPUT": str(output)}
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(file)],
            cwd=cwd,
            env=full_env,
            text=True,
            capture_output=True,
            stdin=subprocess.DEVNULL,
            timeout=300,
        )
        return StepRun(
            id="",
            name="",
            ran=True,
            env=full_env,
            returncode=done.returncode,
            stdout=done.stdout,
            stderr=done.stderr,
            outputs=read_outputs(output),
        )

    def run_action(self, action_path: Path, with_: dict[str, str]) -> bool:
        """Run the composite action at action_path with these inputs; True when it passed."""
        action = yaml.safe_load((action_path / "action.yml").read_text("utf-8"))
        unknown = set(with_) - set(action["inputs"])
        assert not unknown, f"the action has no input {unknown}"
        contexts: dict[str, Any] = {
            "github": self.github(action_path),
            "runner": {"temp": str(self.temp)},
            "steps": {},
        }
        inputs = {}
        for name, spec in action["inputs"].items():
            value = with_[name] if name in with_ else spec.get("default", "")
            inputs[name] = interpolate(str(value), contexts)
        contexts["inputs"] = inputs
        status = "success"
        for spec in action["runs"]["steps"]:
            step_id = spec.get("id", "")
            name = interpolate(spec.get("name", step_id), contexts)
            if not condition(spec.get("if"), contexts, status):
                self.steps.append(StepRun(step_id, name, ran=False))
                contexts["steps"][step_id] = {"outputs": {}, "outcome": "skipped"}
                continue
            env = self.env(action_path)
            env.update({k: interpolate(v, contexts) for k, v in spec.get("env", {}).items()})
            cwd = self.workspace / interpolate(spec.get("working-directory", "."), contexts)
            run = self.run_script(interpolate(spec["run"], contexts), env, cwd)
            run.id, run.name = step_id, name
            self.steps.append(run)
            outcome = "success" if run.returncode == 0 else "failure"
            contexts["steps"][step_id] = {"outputs": run.outputs, "outcome": outcome}
            if run.returncode != 0:
                status = "failure"
        return status == "success"

    def log(self) -> str:
        """What the job's log shows: each step's name and output."""
        return "\n".join(
            f"## {s.name}\n{s.stdout}{s.stderr}" for s in self.steps if s.ran
        )  # fmt: skip

    def steps_that_saw(self, value: str) -> list[str]:
        """The ids of the steps whose environment held value (a secret)."""
        return [s.id for s in self.steps if s.ran and value in s.env.values()]


def run_job(
    runner: Runner,
    workflow: dict[str, Any],
    job: str,
    secrets: dict[str, dict[str, str]],
    action_path: Path,
    variables: dict[str, dict[str, str]] | None = None,
) -> bool:
    """Run one job of a workflow: its `uses:` of this repository's action (any owner and ref)
    on action_path, actions/checkout and actions/setup-python as already done (the test made
    the workspace), and `run:` steps in bash. secrets: {"": repository secrets, environment
    name: that environment's}; variables (the `vars` context) the same way."""
    spec = workflow["jobs"][job]
    contexts: dict[str, Any] = {"github": runner.github()}
    if "if" in spec and not truthy(evaluate(str(spec["if"]), contexts)):
        return True
    environment = spec.get("environment")
    if isinstance(environment, dict):
        environment = environment["name"]
    contexts["secrets"] = {**secrets.get("", {}), **secrets.get(environment or "", {})}
    variables = variables or {}
    contexts["vars"] = {**variables.get("", {}), **variables.get(environment or "", {})}
    for step in spec["steps"]:
        uses = step.get("uses", "")
        if uses.startswith(("actions/checkout@", "actions/setup-python@")):
            continue
        if re.fullmatch(r"[\w.-]+/cms-sync@[\w.-]+", uses):
            with_ = {k: interpolate(str(v), contexts) for k, v in step.get("with", {}).items()}
            if not runner.run_action(action_path, with_):
                return False
            continue
        assert "run" in step, f"no way to run step {step}"
        env = runner.env()
        env.update({k: interpolate(str(v), contexts) for k, v in step.get("env", {}).items()})
        run = runner.run_script(interpolate(step["run"], contexts), env, runner.workspace)
        run.id, run.name = step.get("id", ""), step.get("name", "")
        runner.steps.append(run)
        if run.returncode != 0:
            return False
    return True


# The pieces of a job the tests share: the action as `uses:` fetches it, one install of it,
# a content repository that is not this one, a fake `gh` that records what it posts.

FAKE_GH = """#!/usr/bin/env python3
import json, os, sys
state = os.path.join(os.environ["FAKE_GH_DIR"], "comments.json")
comments = json.load(open(state)) if os.path.exists(state) else []
args = sys.argv[1:]
body = open(args[args.index("--body-file") + 1], encoding="utf-8").read()
with open(os.path.join(os.environ["FAKE_GH_DIR"], "calls.jsonl"), "a") as log:
    log.write(json.dumps({"args": args, "env": dict(os.environ)}) + "\\n")
if "--edit-last" in args:
    if not comments:
        sys.exit("no comments found for current user")
    comments[-1] = body
else:
    comments.append(body)
json.dump(comments, open(state, "w"))
"""


@dataclass
class FakeGh:
    """A `gh` on PATH: `gh pr comment N [--edit-last] --body-file F` as GitHub's CLI does it,
    the pull request's comments kept in a file."""

    directory: Path

    def __post_init__(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        gh = self.directory / "gh"
        gh.write_text(FAKE_GH, "utf-8")
        gh.chmod(0o755)

    def calls(self) -> list[dict[str, Any]]:
        log = self.directory / "calls.jsonl"
        lines = log.read_text("utf-8").splitlines() if log.exists() else []
        return [json.loads(line) for line in lines]

    def comments(self) -> list[str]:
        state = self.directory / "comments.json"
        return json.loads(state.read_text("utf-8")) if state.exists() else []
