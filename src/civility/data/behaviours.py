"""Templated training sentences for behaviours the public datasets barely teach.

The small public sets are mostly tweets about groups; they hold few direct threats, few insults
made without a swear word, few swear words aimed at no one, and almost no comments that talk
about violence without threatening anyone (history, forecasts, sport, fiction). A model trained
on them alone reads "I will find you" as harmless and "Dresden was bombed in 1945" as a threat.

Each ``Behaviour`` here pairs templates with the labels a moderator would give every sentence
they produce; attributes a behaviour says nothing about stay unlabelled (masked in training).
Toxic and non-toxic behaviours come in contrasting pairs built from the same slots (the same
targets, the same identity groups), so the model learns the framing that makes a comment
abusive, not the nouns that happen to appear in it.

The sentences are our own and are kept apart from ``civility.evaluation``'s functional suite,
which is the measurement: a test checks that no generated sentence is one of its cases.
All randomness comes from the ``rng`` argument, so a training run is reproducible.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np

from civility.attributes import ATTRIBUTE_NAMES
from civility.data.augment import IDENTITY_TERMS
from civility.errors import UnknownNameError

SLOTS_FILE = "behaviour_slots.txt"


@cache
def slots() -> dict[str, tuple[str, ...]]:
    """Slot fillers shared by the templates, read from ``behaviour_slots.txt``.

    ``{group}``, ``{Group}`` and ``{adj_id}`` are not there: they name identity groups, drawn
    from ``civility.data.augment.IDENTITY_TERMS`` so both lists stay one.
    """
    text = resources.files("civility.data").joinpath(SLOTS_FILE).read_text("utf-8")
    table: dict[str, list[str]] = {}
    current: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = table.setdefault(line[1:-1], [])
        else:
            current.append(line)
    return {name: tuple(values) for name, values in table.items()}


@dataclass(frozen=True)
class Behaviour:
    """Templates that all deserve the same ``labels`` (attribute -> probability).

    ``share`` scales how many sentences the behaviour contributes: a clean behaviour that has
    to hold its ground against several toxic ones using the same words gets more.
    """

    name: str
    templates: tuple[str, ...]
    labels: Mapping[str, float]
    share: float = 1.0


_ALL_CLEAN = dict.fromkeys(ATTRIBUTE_NAMES, 0.0)
_INSULT = {
    "TOXICITY": 1.0,
    "INSULT": 1.0,
    "THREAT": 0.0,
    "SEXUALLY_EXPLICIT": 0.0,
    "IDENTITY_ATTACK": 0.0,
}
"""An insult aimed at a person, swear words or not: toxic and insulting, not a threat, not
sexual, no identity attack."""

BEHAVIOURS: tuple[Behaviour, ...] = (
    Behaviour(
        "direct_threat",
        (
            "{i_will} {harm} {target}.",
            "{i_will} {harm} {target} {when}.",
            "{Third_party} deserves to be {harmed} {when}.",
            "Someone should {harm} {target} {when}.",
            "Keep it up and you'll end up {ending}.",
            "{veiled}.",
            "{veiled}, {insult_noun}.",
            "One more word out of you and {i_will_lc} {harm} you.",
            "If I ever meet you, {i_will_lc} {harm} you.",
            "I'll make sure you {never}.",
            "Show your face around here again and you'll {never}.",
            "{Third_party} will be {harmed} {when}, I promise.",
            "Post one more article and you'll be {ending}.",
            "You'd better {watch_out} {when}.",
            "I hope you get {harmed} {when}.",
            "We're coming for {target} {when}.",
            "Let's go and {harm} {target} {when}.",
            "{Third_party} won't {survive} {when}, I'll see to it.",
            "Someone needs to {harm} {target} {when}.",
            "It would be a shame if something happened to {possession}.",
            "I'm bringing {weapon} to {event}, and {target} had better not be there.",
            "Talk to me like that again and {i_will_lc} {harm} you.",
        ),
        {"TOXICITY": 1.0, "THREAT": 1.0},
    ),
    Behaviour(
        "violence_without_threat",
        (
            "{place} {military} in {year}.",
            "My grandfather remembers the night {place} {military}.",
            "Historians agree {place} {military} in {year}, and thousands died.",
            "Analysts warn that {place} {forecast} {if_cause}.",
            "{place} {forecast} {if_cause}, the report says.",
            "{team} {crush} the visitors on Saturday.",
            "{team} {crush} them in the final, mark my words.",
            "{fiction}",
            "{idiom}.",
            "{idiom}, honestly.",
            "{report}{report_end}",
        ),
        _ALL_CLEAN,
    ),
    Behaviour(
        "insult_without_profanity",
        (
            "{subject} {a_insult_adj} {insult_noun}.",
            "{subject} {a_insult_adj}, {insult_adj} {insult_noun}.",
            "Only {a_insult_adj} {insult_noun} would {dumb_act}.",
            "What {a_insult_adj} {insult_noun}.",
            "{dismiss}, you {insult_adj} {insult_noun}.",
            "Nobody cares what {a_insult_noun} like you thinks.",
            "You have the {faculty} of a {thing}.",
            "{subject} as useful as a {thing} and twice as {insult_adj}.",
            "Are you always this {insult_adj}, or is today special?",
            "Typical {insult_noun}. {dismiss}.",
            "{rhetorical}",
            "{rhetorical} {dismiss}.",
            "{subject} {a_insult_adj} {insult_noun} and everyone here knows it.",
            "{Insult_adj}, {insult_adj} and proud of it: that's you.",
        ),
        {
            "TOXICITY": 1.0,
            "INSULT": 1.0,
            "PROFANITY": 0.0,
            "THREAT": 0.0,
            "SEXUALLY_EXPLICIT": 0.0,
            "IDENTITY_ATTACK": 0.0,
        },
    ),
    Behaviour(
        "insult_with_profanity",
        (
            "{subject} a total {profane_noun}.",
            "{subject} {a_insult_adj} {profane_noun}.",
            "{profane_dismiss}, you {profane_noun}.",
            "{profane_dismiss}, you {insult_adj} {profane_noun}.",
            "{profane_dismiss}, {profane_noun}.",
            "Only {a_profane_noun} would {dumb_act}.",
        ),
        _INSULT,
    ),
    Behaviour(
        "praise_or_criticism_of_ideas",
        (
            "{subject} {a_praise_adj} {praise_noun}.",
            "Only {a_praise_adj} {praise_noun} would {good_act}.",
            "What {a_praise_adj} {praise_noun}.",
            "Your argument about {topic} is {weak_adj}, but I see where you're coming from.",
            "I think the plan for {topic} is {weak_adj}.",
            "The column on {topic} was {weak_adj}; the numbers don't add up.",
            "Respectfully, your point on {topic} is {weak_adj}.",
            "You have the {faculty} of {a_praise_noun} twice your age.",
        ),
        _ALL_CLEAN,
    ),
    Behaviour(
        "profanity_not_attacking",
        (
            "{profane_exclaim}, {mishap}.",
            "{good_thing} was {intens} {good_adj}.",
            "{profane_exclaim}, {good_thing_lc} was {good_adj}!",
            "{good_thing} is {intens} {good_adj}, go and see it.",
            "{profane_exclaim}! {good_thing} was {intens} {good_adj}.",
            "{profane_exclaim}, {good_news}!",
            "I'm {intens} {feeling} {proud_thing}.",
            "I {laughed} at {funny_thing}.",
            "What the {wtf}, {weird_news}?",
            "{Mishap}. {shrug}.",
            "{good_thing} is the shit, honestly.",
            "{Civil_clause}, and {good_thing_lc} was {intens} {good_adj}.",
            "{Rebuttal_fact}. {shrug}.",
        ),
        {**_ALL_CLEAN, "PROFANITY": 1.0},
        # Swear words also fill the insult, dismissal and harassment templates.
        share=3.0,
    ),
    Behaviour(
        "identity_attack",
        (
            "{Group} are {stereotype}.",
            "All {group} should {expel}.",
            "I hate {group}.",
            "{Group} are {stereotype} and should {expel}.",
            "Never trust {group}, they are {stereotype}.",
        ),
        {"TOXICITY": 1.0, "IDENTITY_ATTACK": 1.0, "THREAT": 0.0, "SEXUALLY_EXPLICIT": 0.0},
    ),
    Behaviour(
        "counter_speech_and_negation",
        (
            "Saying that {group} are {stereotype} is {condemn}.",
            "I don't hate {group}; I {support}.",
            "{Group} are not {stereotype}, whatever that commenter claims.",
            "Telling {group} to {expel} is {condemn}.",
            "The comments calling {group} {stereotype} should be removed.",
            "Nobody should say {group} are {stereotype}. It's {condemn}.",
            "I'm {adj_id} and I'm tired of being called {stereotype}.",
            'The reply that said "{quoted_abuse}" is {condemn} and should come down.',
            'Reporting a comment that says "{quoted_abuse}" is the right call.',
            '"{Quoted_abuse}"? That kind of talk is {condemn}.',
            "It is not true that {group} are {stereotype}.",
            "I would never say {group} are {stereotype}.",
            "I don't believe {group} should {expel}.",
            "There's nothing wrong with being {adj_id}.",
            "People who call {group} {stereotype} are {wrong_people}.",
            "If you think {group} are {stereotype}, {rebuttal}.",
            'Someone {graffiti} "{quoted_abuse}" {on_place}. {call_to_action}.',
            'Whoever {graffiti} "{quoted_abuse}" {on_place} {should_be}.',
            'My {relative} was told "{quoted_abuse}" {at_place}. {reaction}.',
            'Nobody deserves to hear "{quoted_abuse}" for being {adj_id}.',
            "I'm not calling you {a_insult_noun}, I just think your point on {topic} is "
            "{weak_adj}.",
            "Nobody thinks you're {a_insult_noun}; we simply disagree about {topic}.",
        ),
        _ALL_CLEAN,
        # Groups and stereotypes also fill the identity-attack and group-threat templates.
        share=2.0,
    ),
    Behaviour(
        "group_threat",
        (
            "All {group} should be {harmed}.",
            "Round up the {group} and {group_fate}.",
            "{Group} deserve a bullet, every one of them.",
            "When the day comes, we'll {harm} every one of the {group} in this town.",
            "Line the {group} up against the wall.",
            "{Group} should {watch_out}; we know where they pray and where they live.",
            "If the {group} don't leave by Friday, {i_will_lc} {harm} them myself.",
            "Somebody needs to {harm} the {group} before they take over.",
            "I hope the {group} next door get {harmed}.",
        ),
        {"TOXICITY": 1.0, "THREAT": 1.0, "IDENTITY_ATTACK": 1.0, "SEXUALLY_EXPLICIT": 0.0},
    ),
    Behaviour(
        "hostile_dismissal",
        (
            "{dismiss}. {worthless}",
            "{worthless} {dismiss}.",
            "Nobody here wants to hear from you. {dismiss}.",
            "Why do you even bother posting? {worthless}",
            "No one asked for your {rant}, {insult_noun}.",
            "Take your {rant} somewhere else, nobody here is interested.",
            "Do us all a favour and {leave_forever}.",
            "Every comment you write makes this thread worse. {dismiss}.",
            "Run along, the adults are talking about {topic}.",
            "Go cry to someone who cares about your {rant}.",
            "People like you are why nobody reads the comments on {topic}.",
            "You are not worth the time it takes to reply, {insult_noun}.",
            "Nobody reads your {rant} about {topic}. {worthless}",
            "{worthless} {Leave_forever}.",
            "Another {rant} about {topic} from the resident {insult_noun}. {dismiss}.",
        ),
        {
            "TOXICITY": 1.0,
            "PROFANITY": 0.0,
            "THREAT": 0.0,
            "SEXUALLY_EXPLICIT": 0.0,
            "IDENTITY_ATTACK": 0.0,
        },
    ),
    Behaviour(
        "sexual_harassment",
        (
            "{Pet_name}, you'd look better {undressed}.",
            "Forget the article, {pet_name}, show us your {body_part}.",
            "Nice {body_part}, {pet_name}. {Come_on}.",
            "Bet you {sexual_claim}, {pet_name}.",
            "{Subject_f} only got the job because she {sexual_past}.",
            "Who cares what she writes, I'd rather see her {undressed}.",
            "You're only good for one thing, {pet_name}, and it isn't {good_at}.",
            "I'd {sexual_act} you {sexual_when}, {pet_name}.",
            "Less talking, more {sexual_noun}, {pet_name}.",
            "{Subject_f} should stick to {sexual_job} instead of {good_at}.",
        ),
        {"TOXICITY": 1.0, "SEXUALLY_EXPLICIT": 1.0, "THREAT": 0.0, "IDENTITY_ATTACK": 0.0},
    ),
    Behaviour(
        "insult_in_civil_context",
        (
            "{Civil_clause}, but {subject_lc} {a_insult_adj} {insult_noun}.",
            "{Civil_clause}. {Subject} {a_insult_adj} {insult_noun}, though.",
            "You {insult_adj} {insult_noun}, {rebuttal_fact}.",
            "{Rebuttal_fact}, you {insult_adj} {insult_noun}.",
            "{Rebuttal_fact}. Honestly, what {a_insult_adj} {insult_noun}.",
            "You absolute {profane_noun}, {rebuttal_fact}.",
            "{Civil_clause}; {subject_lc} {a_profane_noun}, on the other hand.",
            "{Civil_clause}. {rhetorical}",
            "{Rebuttal_fact}. {dismiss}, {insult_noun}.",
            "{Civil_clause}, and {rebuttal_fact}, so {subject_lc} {a_insult_adj} "
            "{insult_noun} for saying otherwise.",
        ),
        _INSULT,
    ),
    Behaviour(
        "civil_context",
        (
            "{Civil_clause}, but I think {topic} is {weak_adj}.",
            "{Rebuttal_fact}, in case anyone was wondering.",
            "{Civil_clause}. {Rebuttal_fact}.",
            "You may have missed it, but {rebuttal_fact}.",
            "Not quite: {rebuttal_fact}.",
            "{Civil_clause}, and {rebuttal_fact}.",
            "I don't think we'll agree on {topic}, so I'll leave it there.",
            "Fair enough, I see your point on {topic}, even if I don't share it.",
            "{Civil_clause}. {Subject} {a_praise_adj} {praise_noun}.",
            "{Subject_f} did {a_praise_adj} job, and {rebuttal_fact}.",
            "{Body_health}",
        ),
        _ALL_CLEAN,
    ),
)
"""Every templated behaviour; the pairs share slots so only the framing separates them."""

_FIELD = re.compile(r"\{(\w+)\}")


def _article(word: str) -> str:
    lower = word.lower()
    vowel_sound = (lower[:1] in "aeiou" and not lower.startswith(("us", "uni", "one"))) or (
        lower.startswith("hon")
    )
    return ("an " if vowel_sound else "a ") + word


def _fill(template: str, rng: np.random.Generator) -> str:
    """One sentence: ``{slot}`` picks a filler, ``{Slot}`` capitalises it, ``{a_slot}`` adds
    "a"/"an", ``{slot_lc}`` lower-cases its first letter (but never "I")."""
    adj_id, group = IDENTITY_TERMS[int(rng.integers(len(IDENTITY_TERMS)))]
    table = slots()

    def pick(name: str) -> str:
        return table[name][int(rng.integers(len(table[name])))]

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "group":
            return group
        if name == "Group":
            return group[0].upper() + group[1:]
        if name == "adj_id":
            return adj_id
        if name.startswith("a_"):
            return _article(pick(name[2:]))
        if name.endswith("_lc"):
            word = pick(name[:-3])
            return word if word.startswith(("I ", "I'")) else word[0].lower() + word[1:]
        if name[0].isupper() and name.lower() in table:
            word = pick(name.lower())
            return word[0].upper() + word[1:]
        return pick(name)

    text = _FIELD.sub(value, template)
    return text[0].upper() + text[1:]


def behaviour_sentences(
    rng: np.random.Generator,
    per_behaviour: int,
    names: Sequence[str] | None = None,
    scales: Mapping[str, float] | None = None,
) -> tuple[list[str], np.ndarray]:
    """Up to ``per_behaviour`` distinct sentences of each behaviour (times its ``share``, and
    times its factor in ``scales``), and their label rows. ``scales`` lets one recipe keep a
    behaviour at a higher dose than the rest without changing the registry's shares, which
    every tier's training reads.

    Returns ``(texts, labels)`` with ``labels`` shaped ``(len(texts), len(ATTRIBUTE_NAMES))``
    in registry order, NaN where the behaviour says nothing about an attribute. Fewer than
    ``per_behaviour`` come back when the templates cannot make that many distinct sentences.
    """
    known = {b.name: b for b in BEHAVIOURS}
    scales = scales or {}
    for name in [*(names or ()), *scales]:
        if name not in known:
            raise UnknownNameError("behaviour", name, known)
    texts: list[str] = []
    rows: list[list[float]] = []
    for behaviour in (known[name] for name in (names or known)):
        row = [behaviour.labels.get(name, np.nan) for name in ATTRIBUTE_NAMES]
        wanted = round(per_behaviour * behaviour.share * scales.get(behaviour.name, 1.0))
        seen: set[str] = set()
        for _ in range(wanted * 5):
            if len(seen) == wanted:
                break
            template = behaviour.templates[int(rng.integers(len(behaviour.templates)))]
            seen.add(_fill(template, rng))
        texts.extend(sorted(seen))
        rows.extend([row] * len(seen))
    return texts, np.asarray(rows, dtype=np.float32).reshape(len(texts), len(ATTRIBUTE_NAMES))
