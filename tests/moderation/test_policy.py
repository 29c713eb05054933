"""Policies: the first rule that fires decides, and broken files are refused with their line."""

from __future__ import annotations

from pathlib import Path

import pytest

from civility.attributes import ATTRIBUTE_NAMES
from civility.errors import PolicyError
from civility.moderation.policy import FACTS, default_policy, load_policy, parse_policy

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "policies"

POLICY = """\
name = "news"

[[rules]]
name = "identity"
when = "IDENTITY_ATTACK >= 0.85"
action = "reject"

[[rules]]
name = "toxic"
when = "TOXICITY >= 0.6"
action = "hold"

[[rules]]
name = "newcomer-link"
when = "links > 0 and author.approved < 3"
action = "hold"

[[rules]]
name = "repeat"
when = "author.rejected_24h >= 3"
action = "hold"
"""


def test_first_rule_that_fires_decides() -> None:
    policy = parse_policy(POLICY)
    # Both the identity and the toxicity rule fire; the earlier one wins.
    verdict = policy.decide({"IDENTITY_ATTACK": 0.9, "TOXICITY": 0.95})
    assert (verdict.action, verdict.rule) == ("reject", "identity")
    assert policy.decide({"TOXICITY": 0.7}).rule == "toxic"
    assert policy.decide({"TOXICITY": 0.59}).action == "approve"
    assert policy.decide({"TOXICITY": 0.59}).rule is None


def test_links_author_history_and_repeat_offenders() -> None:
    policy = parse_policy(POLICY)
    assert policy.decide({"links": 1, "author.approved": 2}).rule == "newcomer-link"
    assert policy.decide({"links": 1, "author.approved": 3}).action == "approve"
    assert policy.decide({"author.rejected_24h": 3}).rule == "repeat"
    assert policy.decide({"author.rejected_24h": 2}).action == "approve"


def test_yaml_and_toml_say_the_same() -> None:
    yaml_text = """\
name: news
rules:
  - name: toxic
    when: TOXICITY >= 0.6 or not (INSULT < 0.5)
    action: hold
"""
    policy = parse_policy(yaml_text, "yaml")
    assert policy.decide({"TOXICITY": 0.1, "INSULT": 0.7}).action == "hold"
    assert policy.decide({"TOXICITY": 0.1, "INSULT": 0.2}).action == "approve"


def test_default_action_applies_when_nothing_fires() -> None:
    policy = parse_policy('default = "hold"\n' + _rule("TOXICITY > 0.9", "reject"))
    assert policy.decide({"TOXICITY": 0.1}).action == "hold"


def _rule(when: str, action: str = "hold", name: str = "a", key: str = "action") -> str:
    return f'[[rules]]\nname = "{name}"\nwhen = "{when}"\n{key} = "{action}"\n'


@pytest.mark.parametrize(
    ("text", "line", "needle"),
    [
        (_rule("TOXCITY >= 0.5"), 3, "unknown name 'TOXCITY'"),
        (_rule("TOXICITY >= 0.5", "hld"), 4, "'action' must be one of"),
        (_rule("TOXICITY >= 60"), 3, "must be a number in [0, 1]"),
        (_rule("TOXICITY >="), 3, "cannot parse"),
        (_rule("__import__('os')"), 3, "unsupported"),
        ('name = "x"\n\n' + _rule("TOXICITY > 0.5").replace('0.5"', "0.5"), 5, "invalid TOML"),
        (_rule("TOXICITY > 0.5") + _rule("INSULT > 0.5"), 6, "names must be unique"),
        (_rule("TOXICITY > 0.5", key="actoin"), 4, "unknown key 'actoin'"),
        ('defualt = "hold"\n', 1, "unknown key 'defualt'"),
    ],
)
def test_invalid_toml_is_refused_with_the_line_at_fault(text: str, line: int, needle: str) -> None:
    with pytest.raises(PolicyError) as caught:
        parse_policy(text, "toml", "site.toml")
    assert caught.value.line == line
    assert f"site.toml, line {line}:" in str(caught.value)
    assert needle in str(caught.value)


def test_invalid_yaml_is_refused_with_the_line_at_fault() -> None:
    text = (
        "name: x\nrules:\n"
        "  - name: a\n    when: TOXICITY >= 0.5\n    action: hold\n"
        "  - name: b\n    when: INSLT > 0.2\n    action: hold\n"
    )
    with pytest.raises(PolicyError, match=r"site.yaml, line 7: rule 'b': unknown name 'INSLT'"):
        parse_policy(text, "yaml", "site.yaml")
    with pytest.raises(PolicyError, match=r"line 3: invalid YAML"):
        parse_policy("rules:\n  - [unclosed\n", "yaml", "site.yaml")


def test_unknown_name_error_lists_every_available_name() -> None:
    with pytest.raises(PolicyError) as caught:
        parse_policy('[[rules]]\nwhen = "karma > 3"\naction = "hold"\n')
    for name in (*ATTRIBUTE_NAMES, *FACTS):
        assert name in str(caught.value)


def test_attribute_names_come_from_the_registry() -> None:
    # Every registry attribute is usable in a condition, in any case.
    for name in ATTRIBUTE_NAMES:
        policy = parse_policy(f'[[rules]]\nwhen = "{name.lower()} >= 0.5"\naction = "hold"\n')
        assert policy.decide({name: 0.6}).action == "hold"
        assert policy.attributes == {name}


def test_shipped_policies_load(tmp_path: Path) -> None:
    assert default_policy().rules
    for path in EXAMPLES.iterdir():
        assert load_policy(path).rules, path
    with pytest.raises(PolicyError, match="no such file"):
        load_policy(tmp_path / "missing.toml")
