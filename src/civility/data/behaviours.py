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

import numpy as np

from civility.attributes import ATTRIBUTE_NAMES
from civility.data.augment import IDENTITY_TERMS
from civility.errors import UnknownNameError

SLOTS: dict[str, tuple[str, ...]] = {
    "i_will": (
        "I will",
        "I'll",
        "I'm going to",
        "I am going to",
        "I'm gonna",
        "We will",
        "We're going to",
        "I swear I'll",
        "I promise I will",
        "Me and my brothers will",
    ),
    "harm": (
        "kill",
        "hurt",
        "stab",
        "shoot",
        "strangle",
        "beat",
        "bury",
        "punch",
        "choke",
        "drown",
        "knock out",
        "put a knife in",
        "cut up",
        "run down",
        "end",
        "maim",
        "torture",
        "batter",
        "beat the life out of",
        "make an example of",
        "set fire to",
        "hunt down",
    ),
    "harmed": (
        "shot",
        "stabbed",
        "hanged",
        "beaten to death",
        "burned alive",
        "run over",
        "strangled",
        "executed",
        "dragged into the street",
        "put up against a wall",
        "thrown off a bridge",
        "beaten senseless",
        "tarred and feathered",
        "locked in a cellar and forgotten",
    ),
    "target": (
        "you",
        "your whole family",
        "that reporter",
        "the mayor",
        "him",
        "her",
        "the editor",
        "every last one of you",
        "the judge",
        "that columnist",
        "the landlord",
        "your wife",
        "the referee",
        "the senator",
        "the moderator",
        "the neighbours",
        "that councilwoman",
    ),
    "when": (
        "",
        " tonight",
        " when I find you",
        " the next time I see you",
        " if you come back",
        " if you print that",
        " before the week is out",
        " one of these days",
        " after school",
        " and nobody will ever find the body",
        " with my own hands",
        " if you keep posting",
        " the moment you step outside",
        " if you testify",
        " as soon as you leave work",
    ),
    "third_party": (
        "the mayor",
        "that reporter",
        "the editor",
        "the judge",
        "that columnist",
        "the landlord",
        "the referee",
        "the senator",
        "the moderator",
        "that councilwoman",
        "your wife",
        "the whole board",
        "her lawyer",
        "the headteacher",
        "that so-called journalist",
    ),
    "ending": (
        "in the hospital",
        "in a body bag",
        "six feet under",
        "at the bottom of the river",
        "with a broken neck",
        "in a wheelchair",
        "in the morgue",
        "missing",
        "in pieces",
        "face down in a ditch",
        "on life support",
    ),
    "never": (
        "never walk again",
        "never see daylight again",
        "never write another word",
        "never sleep safely again",
        "never make it home",
        "regret being born",
        "never open your mouth again",
        "never see your kids again",
    ),
    "veiled": (
        "Watch your back",
        "Sleep with one eye open",
        "You won't see it coming",
        "Your days are numbered",
        "I know where you live",
        "I know what car you drive",
        "Enjoy your last week",
        "We know where your children play",
        "Better check under your car every morning",
        "I have your address now",
        "Count your days",
        "Nobody will hear you scream",
    ),
    "place": (
        "Dresden",
        "Hiroshima",
        "London",
        "Coventry",
        "Aleppo",
        "Warsaw",
        "Hanoi",
        "Sarajevo",
        "Mosul",
        "Grozny",
        "Guernica",
        "Rotterdam",
        "Nagasaki",
        "Kabul",
        "the old port",
        "the capital",
        "the border town",
        "the island",
    ),
    "year": tuple(str(y) for y in range(1861, 2021, 7)),
    "military": (
        "was bombed",
        "was shelled for weeks",
        "was flattened by artillery",
        "was burned",
        "was besieged",
        "was destroyed in an air raid",
        "was nearly wiped out",
        "was occupied",
    ),
    "forecast": (
        "could be wiped out",
        "will be flattened",
        "would be destroyed",
        "may be hit first",
        "will be under water",
        "could lose half its population",
        "would be left in ruins",
        "will be evacuated",
    ),
    "if_cause": (
        "if the war spreads",
        "if the dam fails",
        "if the ceasefire collapses",
        "if the hurricane turns north",
        "if nothing is done about the fires",
        "if the talks break down",
        "if the river keeps rising",
        "if the missiles are launched",
    ),
    "team": (
        "The Lions",
        "Our lads",
        "The home side",
        "The Rovers",
        "City",
        "The Tigers",
        "The school team",
        "Our debate club",
        "The under-16s",
        "The Eagles",
    ),
    "crush": (
        "will destroy",
        "are going to murder",
        "will crush",
        "will slaughter",
        "are going to bury",
        "will annihilate",
        "are going to kill",
        "will tear apart",
        "are going to thrash",
    ),
    "fiction": (
        "In the novel, the detective swears to kill the man who framed him.",
        "The film ends with the villain shot on the station platform.",
        "In the play, the king orders his rival hanged at dawn.",
        "The game lets you blow up the enemy base with a single rocket.",
        "Her thriller opens with a body found in the canal.",
        "The documentary describes how the soldiers burned the village.",
        "In the myth, the hero cuts off the monster's head.",
        "The series finale kills off half the cast.",
    ),
    "idiom": (
        "This heat is killing me",
        "My feet are killing me",
        "I'd kill for a coffee right now",
        "The comedian absolutely killed it last night",
        "That exam murdered me",
        "The new album slays",
        "We got slaughtered on the quiz",
        "That pun is going to be the death of me",
        "I'm dying to see the new bridge",
        "Shoot, I forgot the meeting",
        "The traffic is murder today",
        "You nailed it with this column",
        "That joke bombed",
        "The band blew the roof off the place",
    ),
    "report": (
        "Police say the man threatened to shoot his neighbour",
        "The court heard he had stabbed",
        "Witnesses said the gunman fired six times",
        "The suspect was charged with attempted murder",
        "Prosecutors say she planned to poison her husband",
        "The officer was shot in the leg",
        "The victim was beaten outside the bar",
        "Two men were arrested for the arson attack",
    ),
    "report_end": (
        ".",
        ", according to the article.",
        " last year.",
        ", and the trial starts Monday.",
        ". Terrible news for the family.",
        ". I hope justice is done.",
    ),
    "insult_adj": (
        "stupid",
        "ignorant",
        "pathetic",
        "clueless",
        "brainless",
        "dim-witted",
        "spineless",
        "gutless",
        "worthless",
        "miserable",
        "deluded",
        "gullible",
        "dishonest",
        "smug",
        "arrogant",
        "small-minded",
        "two-faced",
        "useless",
        "incompetent",
        "vile",
        "repulsive",
        "idiotic",
        "moronic",
        "thick",
        "dense",
        "feeble-minded",
        "slimy",
        "contemptible",
        "sniveling",
        "half-witted",
        "petty",
        "whiny",
        "deranged",
        "hopeless",
        "ugly",
    ),
    "insult_noun": (
        "idiot",
        "moron",
        "fool",
        "clown",
        "loser",
        "coward",
        "liar",
        "hypocrite",
        "simpleton",
        "nitwit",
        "cretin",
        "buffoon",
        "troll",
        "halfwit",
        "numbskull",
        "grifter",
        "snake",
        "parasite",
        "crybaby",
        "lunatic",
        "nobody",
        "imbecile",
        "dolt",
        "dunce",
        "twit",
        "muppet",
        "bootlicker",
        "degenerate",
        "leech",
        "weasel",
        "sheep",
        "toad",
        "creep",
        "failure",
        "charlatan",
        "bigot",
    ),
    "subject": (
        "You are",
        "You're",
        "The author is",
        "This columnist is",
        "The mayor is",
        "Whoever wrote this is",
        "Your husband is",
        "The manager is",
        "The new coach is",
        "That commenter is",
        "Your spokesman is",
        "He is",
        "She is",
        "The editor is",
        "The senator is",
        "Honestly, you are",
        "Face it, you're",
    ),
    "dumb_act": (
        "write something this dumb",
        "believe that",
        "vote for him",
        "defend this garbage",
        "post a comment like that",
        "think this is journalism",
        "fall for that",
        "argue with a calendar",
    ),
    "faculty": ("brains", "IQ", "wit", "intelligence", "manners", "charm", "common sense"),
    "thing": (
        "rock",
        "goldfish",
        "turnip",
        "potato",
        "house plant",
        "brick",
        "fence post",
        "wet sponge",
        "traffic cone",
        "mop",
        "doorstop",
        "cabbage",
    ),
    "dismiss": (
        "Shut up",
        "Nobody asked you",
        "Go away",
        "Stop typing",
        "Get lost",
        "Crawl back under your rock",
        "Spare us",
        "Give it a rest",
        "Log off",
        "Sit down",
    ),
    "praise_adj": (
        "brilliant",
        "thoughtful",
        "kind",
        "talented",
        "generous",
        "careful",
        "sharp",
        "honest",
        "patient",
        "wise",
        "funny",
        "gifted",
        "fair-minded",
        "hard-working",
        "decent",
        "brave",
    ),
    "praise_noun": (
        "writer",
        "reporter",
        "neighbour",
        "teacher",
        "person",
        "coach",
        "mayor",
        "nurse",
        "colleague",
        "volunteer",
        "editor",
        "friend",
        "leader",
        "photographer",
        "scientist",
    ),
    "good_act": (
        "take the time to check every figure",
        "help strangers move house",
        "answer every reader's question",
        "coach the kids for free",
        "cover this story so fairly",
        "stay late to fix the heating",
        "admit a mistake in public",
    ),
    "weak_adj": (
        "weak",
        "unconvincing",
        "misguided",
        "flawed",
        "poorly argued",
        "mistaken",
        "naive",
        "one-sided",
        "outdated",
        "too optimistic",
        "badly researched",
        "incomplete",
    ),
    "topic": (
        "the budget",
        "the bus routes",
        "the new stadium",
        "the school levy",
        "rents",
        "the tax plan",
        "the speed limit",
        "the recycling scheme",
        "the election",
        "policing",
    ),
    "profane_exclaim": (
        "Holy shit",
        "Damn",
        "Fuck yeah",
        "Hell yes",
        "Shit",
        "Bloody hell",
        "Well damn",
        "Holy crap",
        "Oh hell",
        "Fuck me",
        "Goddamn",
        "Christ on a bike",
        "Crap",
        "Sweet Jesus",
    ),
    "intens": (
        "fucking",
        "bloody",
        "damn",
        "so damn",
        "goddamn",
        "freaking",
        "fricking",
        "hella",
        "shit-hot",
        "fucking well",
    ),
    "good_adj": (
        "amazing",
        "brilliant",
        "good",
        "delicious",
        "beautiful",
        "hilarious",
        "impressive",
        "gorgeous",
        "clever",
        "useful",
        "fun",
        "moving",
    ),
    "good_thing": (
        "The festival",
        "Your photo essay",
        "The new bakery",
        "That match",
        "The choir",
        "This podcast",
        "The lake at sunrise",
        "My grandmother's stew",
        "The science museum",
        "The fireworks",
        "Her speech",
        "The renovated library",
        "This crossword",
    ),
    "mishap": (
        "the bus is late again",
        "I left my umbrella at home",
        "the road is closed for repairs",
        "my phone died mid-call",
        "the printer jammed",
        "I burned the toast",
        "it's snowing in May",
        "the parking fees doubled",
        "I locked myself out",
        "the power went out during the game",
    ),
    "stereotype": (
        "criminals",
        "lazy",
        "dangerous",
        "animals",
        "vermin",
        "a disease",
        "stupid",
        "terrorists",
        "parasites",
        "subhuman",
        "filthy",
        "a plague",
        "savages",
        "inferior",
    ),
    "expel": (
        "go back where they came from",
        "be banned from this country",
        "be kept out of our schools",
        "get out of our town",
        "be thrown out",
        "not be allowed to vote",
    ),
    "condemn": (
        "hateful",
        "disgusting",
        "racist",
        "unacceptable",
        "bigoted",
        "ignorant",
        "cruel",
        "shameful",
        "wrong",
        "dehumanising",
    ),
    "support": (
        "have worked alongside them for years",
        "count many of them as friends",
        "think they deserve the same respect as anyone",
        "just disagree with this policy",
        "am one of them",
        "want them to feel welcome here",
    ),
}
"""Slot fillers shared by the templates; ``{group}``/``{Group}``/``{adj_id}`` name identities."""


@dataclass(frozen=True)
class Behaviour:
    """Templates that all deserve the same ``labels`` (attribute -> probability)."""

    name: str
    templates: tuple[str, ...]
    labels: Mapping[str, float]


_ALL_CLEAN = dict.fromkeys(ATTRIBUTE_NAMES, 0.0)

BEHAVIOURS: tuple[Behaviour, ...] = (
    Behaviour(
        "direct_threat",
        (
            "{i_will} {harm} {target}{when}.",
            "{Third_party} deserves to be {harmed}{when}.",
            "Someone should {harm} {target}{when}.",
            "Keep it up and you'll end up {ending}.",
            "{veiled}.",
            "{veiled}, {insult_noun}.",
            "One more word out of you and {i_will_lc} {harm} you.",
            "If I ever meet you, {i_will_lc} {harm} you.",
            "I'll make sure you {never}.",
            "Show your face around here again and you'll {never}.",
            "{Third_party} will be {harmed}{when}, I promise.",
            "Post one more article and you'll be {ending}.",
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
        ),
        {**_ALL_CLEAN, "PROFANITY": 1.0},
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
    adj_id, group = IDENTITY_TERMS[int(rng.integers(len(IDENTITY_TERMS)))]

    def pick(name: str) -> str:
        return SLOTS[name][int(rng.integers(len(SLOTS[name])))]

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "group":
            return group
        if name == "Group":
            return group[0].upper() + group[1:]
        if name == "adj_id":
            return adj_id
        if name.startswith(("a_", "A_")):
            return _article(pick(name[2:]))
        if name.endswith("_lc"):
            word = pick(name[:-3])
            return word if word.startswith(("I ", "I'")) else word[0].lower() + word[1:]
        if name[0].isupper() and name.lower() in SLOTS:
            word = pick(name.lower())
            return word[0].upper() + word[1:]
        return pick(name)

    text = _FIELD.sub(value, template)
    return text[0].upper() + text[1:]


def behaviour_sentences(
    rng: np.random.Generator, per_behaviour: int, names: Sequence[str] | None = None
) -> tuple[list[str], np.ndarray]:
    """Up to ``per_behaviour`` distinct sentences of each behaviour, and their label rows.

    Returns ``(texts, labels)`` with ``labels`` shaped ``(len(texts), len(ATTRIBUTE_NAMES))``
    in registry order, NaN where the behaviour says nothing about an attribute. Fewer than
    ``per_behaviour`` come back when the templates cannot make that many distinct sentences.
    """
    known = {b.name: b for b in BEHAVIOURS}
    for name in names or ():
        if name not in known:
            raise UnknownNameError("behaviour", name, known)
    texts: list[str] = []
    rows: list[list[float]] = []
    for behaviour in (known[name] for name in (names or known)):
        row = [behaviour.labels.get(name, np.nan) for name in ATTRIBUTE_NAMES]
        seen: set[str] = set()
        for _ in range(per_behaviour * 5):
            if len(seen) == per_behaviour:
                break
            template = behaviour.templates[int(rng.integers(len(behaviour.templates)))]
            seen.add(_fill(template, rng))
        texts.extend(sorted(seen))
        rows.extend([row] * len(seen))
    return texts, np.asarray(rows, dtype=np.float32).reshape(len(texts), len(ATTRIBUTE_NAMES))
