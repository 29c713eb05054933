"""Policies: ordered rules that turn a comment's scores and circumstances into a decision.

A publisher writes a policy as a small TOML or YAML file, one per community. Conditions are
short expressions (``IDENTITY_ATTACK >= 0.85``, ``links > 0 and author.approved < 3``) compiled
once into plain Python closures, so deciding costs microseconds and a typo is refused when the
file is loaded, with the line at fault, rather than when the first comment arrives.
"""

from __future__ import annotations

import ast
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from civility.attributes import ATTRIBUTE_NAMES
from civility.errors import PolicyError
from civility.languages import normalize_language

ACTIONS = ("approve", "hold", "reject")
"""What a policy can decide; ``hold`` puts the comment in the moderators' queue."""
TOP_KEYS = ("name", "description", "default", "rules", "banned_authors", "report_threshold")
DEFAULT_REPORT_THRESHOLD = 3

FACTS: dict[str, str] = {
    "links": "Number of links (URLs, www. addresses) in the comment.",
    "length": "Length of the comment in characters.",
    "is_reply": "1 when the comment replies to another comment, else 0.",
    "author.comments": "Comments the author posted before this one (in this community).",
    "author.approved": "The author's earlier comments that were approved.",
    "author.held": "The author's earlier comments that are waiting in the queue.",
    "author.rejected": "The author's earlier comments that were rejected.",
    "author.rejected_24h": "The author's comments rejected in the 24 hours before this one.",
    "author.held_24h": "The author's comments held in the 24 hours before this one.",
    "thread.comments": "Comments already in the article's discussion.",
    "thread.flagged_share": "Share (0-1) of the article's comments that were held or rejected.",
    "thread.toxicity": "Mean TOXICITY of the article's recent comments (0 when none).",
    "parent.toxicity": "TOXICITY of the comment replied to (0 for top-level comments).",
    **{
        f"context.{name.lower()}": (
            f"{name} of a short or pronoun-led reply read together with its parent "
            "(else the comment's own score)."
        )
        for name in ATTRIBUTE_NAMES
    },
}
"""Everything a condition may mention besides the attribute scores, with its meaning."""

PROBABILITY_FACTS = frozenset(
    {
        "thread.flagged_share",
        "thread.toxicity",
        "parent.toxicity",
        *(f"context.{name.lower()}" for name in ATTRIBUTE_NAMES),
    }
)


def names_available() -> tuple[str, ...]:
    return (*ATTRIBUTE_NAMES, *FACTS)


Facts = Mapping[str, float]
Condition = Callable[[Facts], bool]


@dataclass(frozen=True)
class Rule:
    """One line of a policy: when ``condition`` holds, ``action`` is the decision."""

    name: str
    when: str
    action: str
    condition: Condition = field(compare=False, repr=False)
    line: int = 0
    reason: str = ""
    languages: tuple[str, ...] = ()
    """The comment languages the rule applies to (``civility.languages`` codes); () for all."""


@dataclass(frozen=True)
class Verdict:
    """What the policy decided for one comment, and which rule (None: the default) decided it."""

    action: str
    rule: str | None
    reason: str


@dataclass(frozen=True)
class Policy:
    """An ordered list of rules; the first that fires decides, else ``default``."""

    name: str
    rules: tuple[Rule, ...]
    default: str = "approve"
    source: str = ""
    """The policy file's text, kept so that a decision can always be traced to what was live."""
    banned_authors: str = "reject"
    """What happens to a banned author's comments: ``reject``, or ``hold`` to read them first."""
    report_threshold: int = DEFAULT_REPORT_THRESHOLD
    """Reader reports (from different readers) that move a published comment to Reported."""

    def decide(self, facts: Facts, language: str | None = None) -> Verdict:
        """The verdict for a comment with ``facts``, written in ``language``."""
        for rule in self.rules:
            if rule.languages and language not in rule.languages:
                continue
            if rule.condition(facts):
                return Verdict(rule.action, rule.name, rule.reason or f"{rule.name}: {rule.when}")
        return Verdict(self.default, None, "no rule fired")

    @property
    def reads_context(self) -> bool:
        """Whether a rule reads ``context.*``; replies are scored with their parent only then."""
        return any(re.search(r"\bcontext\.", rule.when, re.IGNORECASE) for rule in self.rules)

    @property
    def attributes(self) -> frozenset[str]:
        """Attribute names the rules read; lets callers skip scores nobody looks at."""
        found: set[str] = set()
        for rule in self.rules:
            found.update(
                n for n in ATTRIBUTE_NAMES if re.search(rf"\b{n}\b", rule.when, re.IGNORECASE)
            )
        return frozenset(found)


DEFAULT_POLICY_TEXT = """\
# Civility's default policy: reject only the clearest attacks, hold what a person should see.
name = "default"
default = "approve"

[[rules]]
name = "identity-attack"
when = "IDENTITY_ATTACK >= 0.85"
action = "reject"

[[rules]]
name = "threat"
when = "THREAT >= 0.85"
action = "reject"

[[rules]]
# TOXICITY 0.4: the highest threshold that holds 80 % of toxic news comments. With the fast
# tier (long comments read at their worst sentence), measured by bench/news_thresholds.py:
# 84 % of Toxic Spans' toxic validation posts (Civil Comments) and 88 % of the Kaggle news
# insults are held, with 14 % of the other Fox News validation comments (of 125) and 44 % of
# the Kaggle comments not labelled insults (that set labels insults, not civility).
name = "toxic"
when = "TOXICITY >= 0.4"
action = "hold"

[[rules]]
name = "link-from-newcomer"
when = "links > 0 and author.approved < 3"
action = "hold"

[[rules]]
name = "repeat-offender"
when = "author.rejected_24h >= 3"
action = "hold"
"""


# -- expressions ---------------------------------------------------------------------------

_COMPARE: dict[type, Callable[[float, float], bool]] = {
    ast.Lt: lambda a, b: a < b,
    ast.LtE: lambda a, b: a <= b,
    ast.Gt: lambda a, b: a > b,
    ast.GtE: lambda a, b: a >= b,
    ast.Eq: lambda a, b: a == b,
    ast.NotEq: lambda a, b: a != b,
}


class _ExpressionError(ValueError):
    pass


def _dotted(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else None
    return None


def _operand(node: ast.expr) -> tuple[Callable[[Facts], float], str | None]:
    """A value reader for ``node`` and, for names, the name (used to check thresholds)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        value = float(node.value)
        return (lambda facts: value), None
    if (
        isinstance(node, ast.UnaryOp)
        and isinstance(node.op, ast.USub)
        and isinstance(node.operand, ast.Constant)
        and isinstance(node.operand.value, int | float)
    ):
        negative = -float(node.operand.value)
        return (lambda facts: negative), None
    name = _dotted(node)
    if name is None:
        raise _ExpressionError(f"unsupported operand {ast.unparse(node)!r}")
    key = name.upper() if name.upper() in ATTRIBUTE_NAMES else name
    if key not in ATTRIBUTE_NAMES and key not in FACTS:
        raise _ExpressionError(f"unknown name {name!r}. Available: {', '.join(names_available())}")
    return (lambda facts: facts.get(key, 0.0)), key


def _check_threshold(name: str | None, other: ast.expr) -> None:
    if name is None or (name not in ATTRIBUTE_NAMES and name not in PROBABILITY_FACTS):
        return
    if (
        isinstance(other, ast.Constant)
        and isinstance(other.value, int | float)
        and not 0.0 <= float(other.value) <= 1.0
    ):
        raise _ExpressionError(
            f"the threshold for {name} must be a number in [0, 1]. Got {other.value} instead"
        )


def _compile(node: ast.expr) -> Condition:
    if isinstance(node, ast.BoolOp):
        parts = [_compile(v) for v in node.values]
        if isinstance(node.op, ast.And):
            return lambda facts: all(p(facts) for p in parts)
        return lambda facts: any(p(facts) for p in parts)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        inner = _compile(node.operand)
        return lambda facts: not inner(facts)
    if isinstance(node, ast.Compare):
        operands = [node.left, *node.comparators]
        readers = []
        for index, operand in enumerate(operands):
            reader, name = _operand(operand)
            for neighbour in (index - 1, index + 1):
                if 0 <= neighbour < len(operands):
                    _check_threshold(name, operands[neighbour])
            readers.append(reader)
        ops = []
        for op in node.ops:
            if type(op) not in _COMPARE:
                raise _ExpressionError(f"unsupported comparison {type(op).__name__}")
            ops.append(_COMPARE[type(op)])
        pairs = list(zip(ops, readers, readers[1:], strict=False))
        return lambda facts: all(op(a(facts), b(facts)) for op, a, b in pairs)
    if isinstance(node, ast.Constant) and isinstance(node.value, bool):
        constant = node.value
        return lambda facts: constant
    if _dotted(node) is not None:
        reader, _ = _operand(node)
        return lambda facts: bool(reader(facts))
    raise _ExpressionError(f"unsupported expression {ast.unparse(node)!r}")


def compile_condition(expression: str) -> Condition:
    """Compile ``expression`` into a function of the facts, or raise ValueError saying why."""
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError as exc:
        raise _ExpressionError(f"cannot parse {expression!r} ({exc.msg})") from None
    return _compile(tree.body)


# -- files ---------------------------------------------------------------------------------


def _toml_lines(text: str) -> tuple[dict[str, int], list[dict[str, int]]]:
    """Line numbers of top-level keys and of each ``[[rules]]`` entry's keys.

    tomllib does not report where values came from, so this re-reads the text: enough to
    point at the line a publisher has to fix.
    """
    top: dict[str, int] = {}
    rules: list[dict[str, int]] = []
    current: dict[str, int] | None = top
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if re.match(r"^\[\[\s*rules\s*\]\]", line):
            current = {"": number}
            rules.append(current)
        elif line.startswith("["):
            current = None
        elif current is not None and (match := re.match(r"^([A-Za-z_][\w-]*)\s*=", line)):
            current.setdefault(match.group(1), number)
    return top, rules


def _yaml_lines(text: str) -> tuple[dict[str, int], list[dict[str, int]]]:
    top: dict[str, int] = {}
    rules: list[dict[str, int]] = []
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return top, rules
    if not isinstance(root, yaml.MappingNode):
        return top, rules
    for key, value in root.value:
        top[str(key.value)] = key.start_mark.line + 1
        if key.value == "rules" and isinstance(value, yaml.SequenceNode):
            for item in value.value:
                lines = {"": item.start_mark.line + 1}
                if isinstance(item, yaml.MappingNode):
                    for k, _ in item.value:
                        lines[str(k.value)] = k.start_mark.line + 1
                rules.append(lines)
    return top, rules


def _parse(text: str, kind: str, where: str) -> Any:
    if kind == "toml":
        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            match = re.search(r"line (\d+)", str(exc))
            line = int(match.group(1)) if match else 0
            raise PolicyError(where, line, f"invalid TOML ({exc})") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 0
        problem = getattr(exc, "problem", None) or str(exc)
        raise PolicyError(where, line, f"invalid YAML ({problem})") from None


def parse_policy(text: str, kind: str = "toml", where: str = "<policy>") -> Policy:
    """Build a Policy from TOML or YAML text; any problem raises PolicyError with its line."""
    if kind not in ("toml", "yaml"):
        raise PolicyError(where, 0, f"unknown policy format {kind!r}; use toml or yaml")
    data = _parse(text, kind, where)
    top, rule_lines = _toml_lines(text) if kind == "toml" else _yaml_lines(text)
    if not isinstance(data, dict):
        raise PolicyError(where, 1, "a policy must be a table with a 'rules' list")
    unknown = sorted(set(data) - set(TOP_KEYS))
    if unknown:
        raise PolicyError(
            where,
            top.get(unknown[0], 0),
            f"unknown key {unknown[0]!r}. Allowed: {', '.join(TOP_KEYS)}",
        )
    banned = data.get("banned_authors", "reject")
    if banned not in ("reject", "hold"):
        raise PolicyError(
            where,
            top.get("banned_authors", 0),
            f"'banned_authors' must be reject or hold. Got {banned!r} instead",
        )
    threshold = data.get("report_threshold", DEFAULT_REPORT_THRESHOLD)
    if not isinstance(threshold, int) or isinstance(threshold, bool) or threshold < 1:
        raise PolicyError(
            where,
            top.get("report_threshold", 0),
            f"'report_threshold' must be a whole number of at least 1. Got {threshold!r} instead",
        )
    default = data.get("default", "approve")
    if default not in ACTIONS:
        raise PolicyError(
            where,
            top.get("default", 0),
            f"'default' must be one of {', '.join(ACTIONS)}. Got {default!r} instead",
        )
    raw_rules = data.get("rules")
    if not isinstance(raw_rules, list):
        raise PolicyError(where, top.get("rules", 0), "'rules' must be a list of rules")
    rules: list[Rule] = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_rules):
        lines = rule_lines[index] if index < len(rule_lines) else {}
        start = lines.get("", top.get("rules", 0))

        def fail(key: str, message: str, lines: dict[str, int] = lines, start: int = start) -> None:
            raise PolicyError(where, lines.get(key, start), message)

        if not isinstance(raw, dict):
            fail("", f"rule {index + 1} must be a table with name, when and action")
        for key in sorted(set(raw) - {"name", "when", "action", "reason", "languages"}):
            fail(
                key,
                f"rule {index + 1}: unknown key {key!r}. "
                "Allowed: name, when, action, reason, languages",
            )
        name = raw.get("name", f"rule-{index + 1}")
        if not isinstance(name, str) or not name:
            fail("name", f"rule {index + 1}: 'name' must be a non-empty string")
        if name in seen:
            fail("name", f"rule {name!r}: a rule of that name comes earlier; names must be unique")
        seen.add(name)
        when = raw.get("when")
        if not isinstance(when, str) or not when.strip():
            fail("when", f"rule {name!r}: 'when' must be a condition such as 'TOXICITY >= 0.6'")
        action = raw.get("action")
        if action not in ACTIONS:
            fail(
                "action",
                f"rule {name!r}: 'action' must be one of {', '.join(ACTIONS)}. "
                f"Got {action!r} instead",
            )
        try:
            condition = compile_condition(when)
        except _ExpressionError as exc:
            fail("when", f"rule {name!r}: {exc}")
        reason = raw.get("reason", "")
        languages = raw.get("languages", [])
        if not isinstance(languages, list) or not all(isinstance(c, str) for c in languages):
            fail(
                "languages", f"rule {name!r}: 'languages' must be a list of codes such as [\"de\"]"
            )
        codes = tuple(normalize_language(code) for code in languages)
        rules.append(
            Rule(name, when.strip(), action, condition, lines.get("", 0), str(reason), codes)
        )
    return Policy(str(data.get("name", "policy")), tuple(rules), default, text, banned, threshold)


def policy_kind(path: Path) -> str:
    return "yaml" if path.suffix.lower() in (".yaml", ".yml") else "toml"


def load_policy(path: str | Path) -> Policy:
    """Read a policy file (``.toml``, ``.yaml`` or ``.yml``)."""
    path = Path(path)
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        raise PolicyError(str(path), 0, "no such file") from None
    except UnicodeDecodeError:
        raise PolicyError(str(path), 0, "not valid UTF-8") from None
    return parse_policy(text, policy_kind(path), str(path))


def default_policy() -> Policy:
    return parse_policy(DEFAULT_POLICY_TEXT, "toml", "<default policy>")
