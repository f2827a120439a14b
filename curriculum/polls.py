"""Poll kinds, each defined once: a registry of classes keyed by name (as CTFd's challenge types).

A kind says which settings a poll takes and how they are checked (the same check for an
activity block in a module and for a quick poll made at the console), what a phone needs to
draw it, how an answer is checked and counted, whether the team answers once for all its
members, and how the poll reads on a slide. The browser draws each kind with the renderer of
the same name in `live/static/live/polls.js`, from what `for_phone` and `tally` send.

Adding a kind: a class here with `@register`, its renderer in polls.js, and its tests.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, Protocol

from curriculum.assessment import ASSESSMENT_SCALE, ASSESSMENT_TITLE, SCORES
from curriculum.problems import Invalid, Word
from curriculum.text import clean_text
from curriculum.translate import N_

MAX_OPTIONS = 12
MAX_OPTION = 120
MAX_LABEL = 40
MAX_WORD = 30
MAX_CLOUD = 60  # words on the cloud
_WORD = re.compile(r"[\w'’-]+")


def cloud_words(phrase: str) -> list[str]:
    """The words of an answer as the cloud counts them: case folded, punctuation dropped."""
    found = (w.strip("'’-_").casefold() for w in _WORD.findall(phrase))
    return [w for w in found if w]


@dataclass(frozen=True)
class Setting:
    """One setting a poll kind takes, under the same key in a module and in a quick poll."""

    key: str
    type: Literal["options", "whole", "label", "option", "flag"]
    label: str  # how the console's quick-poll form asks for it
    low: int = 0
    high: int = 0
    default: Any = None  # taken when the setting is left out
    example: Any = None  # what the quick-poll form starts with


@dataclass(frozen=True)
class Issue:
    """Something wrong with a poll's settings: the key to point at, what is wrong, how to fix it."""

    key: str
    message: str
    hint: str


@dataclass(frozen=True)
class Showing:
    """What a slide shows of a poll before anyone answers: its options, or one line."""

    items: tuple[str, ...] = ()
    numbering: Literal["letters", "numbers"] = "letters"
    line: str = ""


class Answer(Protocol):
    """One stored answer, as the room reads it back."""

    @property
    def id(self) -> int: ...
    @property
    def value(self) -> Any: ...
    @property
    def approved(self) -> bool: ...


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class PollKind:
    """The definition of one kind of poll; subclasses fill in the class attributes."""

    name: ClassVar[str]
    title: ClassVar[str]  # the console's list of kinds: "Single choice"
    instruction: ClassVar[str]  # above the question on phones and slides: "Choose one"
    team_wide: ClassVar[bool] = False  # one answer per team, the last one set counts
    settings: ClassVar[tuple[Setting, ...]] = ()

    # -- settings -----------------------------------------------------------------------------
    def read(self, data: Mapping[str, Any]) -> tuple[dict[str, Any], list[Issue]]:
        """The settings of a poll from a module's activity block or a quick poll's fields."""
        spec: dict[str, Any] = {}
        issues: list[Issue] = []
        for setting in self.settings:
            if data.get(setting.key) is None:
                if setting.default is not None:
                    spec[setting.key] = setting.default
                continue
            try:
                spec[setting.key] = _read_setting(setting, data[setting.key])
            except Invalid as bad:
                issues.append(Issue(setting.key, bad.message, _setting_hint(setting)))
        bad_keys = {i.key for i in issues}
        issues += [i for i in self.issues(spec) if i.key not in bad_keys]
        return spec, issues

    def issues(self, spec: dict[str, Any]) -> Iterator[Issue]:
        """What is wrong with settings that are each fine alone (too few options, min above max)."""
        return iter(())

    def _options_issues(self, spec: dict[str, Any]) -> Iterator[Issue]:
        options = spec.get("options") or []
        if not options:
            yield Issue(
                "options",
                f"a {self.name} poll with no options",
                f"add 'options:' with a list of 2 to {MAX_OPTIONS} answers",
            )
        elif not 2 <= len(options) <= MAX_OPTIONS:
            yield Issue(
                "options",
                f"a {self.name} poll needs 2 to {MAX_OPTIONS} options, not {len(options)}",
                "add or remove options",
            )
        elif len({o.casefold() for o in options}) != len(options):
            yield Issue("options", "two options read the same", "make every option different")

    # -- in the room ----------------------------------------------------------------------------
    def moderates(self, spec: Mapping[str, Any]) -> bool:
        """Whether answers reach the room only once a facilitator approves them."""
        return False

    def for_phone(self, spec: Mapping[str, Any]) -> dict[str, Any]:
        """What phones (and the projector) are sent to draw the poll: nothing they must not see."""
        return dict(spec)

    def check(self, spec: Mapping[str, Any], value: Any) -> Any:
        """The answer in its stored form, or refuse it saying what a good answer looks like."""
        raise NotImplementedError

    def tally(
        self, spec: Mapping[str, Any], answers: Sequence[Answer], approved_only: bool = True
    ) -> dict[str, Any]:
        """The results, shaped for the chart of this kind: `count`, and `bars`, `words` or `answers`."""
        raise NotImplementedError

    def answer_text(self, spec: Mapping[str, Any], value: Any) -> str:
        """One stored answer as people read it (in a spreadsheet of the answers)."""
        return str(value)

    # -- on paper -----------------------------------------------------------------------------
    def showing(self, spec: Mapping[str, Any]) -> Showing:
        """What a slide shows of the poll before anyone answers."""
        return Showing()

    def notes(self, spec: Mapping[str, Any]) -> str:
        """What the facilitator should know when running it (added to the slide's notes)."""
        return ""


def _read_setting(setting: Setting, value: Any) -> Any:
    key = f"'{setting.key}'"
    if setting.type == "flag":
        if not isinstance(value, bool):
            raise Invalid("{key} must be true or false", key=key)
        return value
    if setting.type == "whole":
        if not _whole(value):
            raise Invalid("{key} must be a whole number, not '{value}'", key=key, value=value)
        if not setting.low <= value <= setting.high:
            raise Invalid("{key} is {value}", key=key, value=value)
        return value
    if setting.type == "options":
        if not isinstance(value, list):
            raise Invalid("{key} must be a list", key=key)
        options = []
        for item in value:
            if isinstance(item, (dict, list, bool)) or item is None or not str(item).strip():
                raise Invalid("an entry of {key} is not text", key=key)
            options.append(clean_text(str(item), Word("an option"), MAX_OPTION))
        return options
    limit = MAX_OPTION if setting.type == "option" else MAX_LABEL
    if isinstance(value, (dict, list, bool)):
        raise Invalid("{key} must be text", key=key)
    return clean_text(str(value), key, limit, required=False)


def _setting_hint(setting: Setting) -> str:
    if setting.type == "flag":
        return f"write {setting.key}: true or {setting.key}: false"
    if setting.type == "whole":
        return f"use a number from {setting.low} to {setting.high}"
    if setting.type == "options":
        return "write each entry as plain text on its own line starting '- ', in quotes if it holds ': '"
    return "write it on one line after the colon, in quotes if it holds ': '"


POLL_KINDS: dict[str, PollKind] = {}


def register(cls: type[PollKind]) -> type[PollKind]:
    """Add a poll kind to the registry under its name."""
    POLL_KINDS[cls.name] = cls()
    return cls


def quick_poll_settings() -> list[tuple[Setting, list[str]]]:
    """Every setting a quick poll can take, with the kinds that take it (the console's form)."""
    found: dict[str, tuple[Setting, list[str]]] = {}
    for kind in POLL_KINDS.values():
        for setting in kind.settings:
            found.setdefault(setting.key, (setting, []))[1].append(kind.name)
    return list(found.values())


def poll_kind(name: str | None) -> PollKind:
    """The definition of a poll kind, or refuse the name."""
    kind = POLL_KINDS.get(name or "")
    if kind is None:
        raise Invalid(
            "'{name}' is not a poll kind; use one of {kinds}",
            "bad_payload",
            name=name,
            kinds=", ".join(POLL_KINDS),
        )
    return kind


def _bars(labels: Sequence[str], counts: Mapping[int, int], voters: int) -> list[dict[str, Any]]:
    """Bars with their count and the share of those who answered (0 to 100)."""
    return [
        {
            "label": label,
            "count": counts.get(i, 0),
            "share": round(100 * counts.get(i, 0) / voters) if voters else 0,
        }
        for i, label in enumerate(labels)
    ]


def _option(spec: Mapping[str, Any], value: Any) -> int:
    options = spec.get("options", [])
    if not _whole(value) or not 0 <= value < len(options):
        raise Invalid("choose one of the {count} options", count=len(options))
    return int(value)


@register
class ChoicePoll(PollKind):
    """One option out of several."""

    name = "choice"
    title = "Single choice"
    instruction = N_("Choose one")
    settings: ClassVar[tuple[Setting, ...]] = (Setting("options", "options", "Options, one per line"),)

    def issues(self, spec: dict[str, Any]) -> Iterator[Issue]:
        return self._options_issues(spec)

    def check(self, spec: Mapping[str, Any], value: Any) -> Any:
        return _option(spec, value)

    def chosen(self, value: Any) -> list[int]:
        """The options one stored answer chose."""
        return [value]

    def answer_text(self, spec: Mapping[str, Any], value: Any) -> str:
        options = spec.get("options", [])
        return "; ".join(options[i] for i in self.chosen(value) if 0 <= i < len(options))

    def tally(
        self, spec: Mapping[str, Any], answers: Sequence[Answer], approved_only: bool = True
    ) -> dict[str, Any]:
        counts = Counter(option for a in answers for option in self.chosen(a.value))
        return {
            "type": self.name,
            "count": len(answers),
            "bars": _bars(spec.get("options", []), counts, len(answers)),
        }

    def showing(self, spec: Mapping[str, Any]) -> Showing:
        return Showing(tuple(spec.get("options", ())))


@register
class MultiPoll(ChoicePoll):
    """Any number of the options."""

    name = "multi"
    title = "Multiple choice"
    instruction = N_("Choose all that apply")

    def check(self, spec: Mapping[str, Any], value: Any) -> Any:
        options = spec.get("options", [])
        if (
            not isinstance(value, list)
            or not value
            or not all(_whole(v) for v in value)
            or len(set(value)) != len(value)
            or not all(0 <= v < len(options) for v in value)
        ):
            raise Invalid("choose one or more of the options, each once")
        return sorted(value)

    def chosen(self, value: Any) -> list[int]:
        return list(value)


@register
class RankingPoll(ChoicePoll):
    """Every option, in order of preference; results as points (first place scores most)."""

    name = "ranking"
    title = "Ranking"
    instruction = N_("Put these in order")

    def answer_text(self, spec: Mapping[str, Any], value: Any) -> str:
        options = spec.get("options", [])
        return " > ".join(options[i] for i in value if 0 <= i < len(options))

    def check(self, spec: Mapping[str, Any], value: Any) -> Any:
        options = spec.get("options", [])
        if (
            not isinstance(value, list)
            or not all(_whole(v) for v in value)
            or sorted(value) != list(range(len(options)))
        ):
            raise Invalid("put all {count} options in order, each once", count=len(options))
        return value

    def tally(
        self, spec: Mapping[str, Any], answers: Sequence[Answer], approved_only: bool = True
    ) -> dict[str, Any]:
        options = spec.get("options", [])
        points = [0] * len(options)
        for answer in answers:
            for place, option in enumerate(answer.value):
                points[option] += len(options) - place
        ranked = sorted(range(len(options)), key=lambda i: -points[i])
        return {
            "type": self.name,
            "count": len(answers),
            "bars": [{"label": options[i], "count": points[i]} for i in ranked],
        }

    def showing(self, spec: Mapping[str, Any]) -> Showing:
        return Showing(tuple(spec.get("options", ())), numbering="numbers")


def _distribution(
    kind: str, points: Sequence[tuple[float, str, str]], answers: Sequence[Answer]
) -> dict[str, Any]:
    """Bars of how many chose each point of a scale, with the mean and the median."""
    values = [a.value for a in answers]
    counts = Counter(values)
    bars = [
        {
            "label": label,
            "count": counts.get(value, 0),
            "hint": hint,
            "share": round(100 * counts.get(value, 0) / len(values)) if values else 0,
        }
        for value, label, hint in points
    ]
    result: dict[str, Any] = {"type": kind, "count": len(values), "bars": bars}
    if values:
        result["mean"] = round(statistics.fmean(values), 2)
        result["median"] = statistics.median(values)
    return result


@register
class ScalePoll(PollKind):
    """A whole number between two bounds (at most 11 points), with a word at each end."""

    name = "scale"
    title = "Scale"
    instruction = N_("Rate it")
    settings = (
        Setting("min", "whole", "Lowest point", -100, 100, example=1),
        Setting("max", "whole", "Highest point", -100, 100, example=5),
        Setting("min_label", "label", "Words at the lowest point"),
        Setting("max_label", "label", "Words at the highest point"),
    )

    def issues(self, spec: dict[str, Any]) -> Iterator[Issue]:
        low, high = spec.get("min"), spec.get("max")
        if low is None or high is None:
            yield Issue(
                "min", "a scale poll without bounds", "add 'min:' and 'max:', such as min: 1 and max: 5"
            )
        elif low >= high:
            yield Issue("max", f"the scale runs from {low} to {high}", "'min' must be below 'max'")
        elif high - low > 10:
            yield Issue("max", f"the scale has {high - low + 1} points", "keep to 11 points at most")

    def check(self, spec: Mapping[str, Any], value: Any) -> Any:
        low, high = spec.get("min", 1), spec.get("max", 5)
        if not _whole(value) or not low <= value <= high:
            raise Invalid("choose a whole number from {low} to {high}", low=low, high=high)
        return value

    def tally(
        self, spec: Mapping[str, Any], answers: Sequence[Answer], approved_only: bool = True
    ) -> dict[str, Any]:
        points = [(n, str(n), "") for n in range(spec.get("min", 1), spec.get("max", 5) + 1)]
        return {
            **_distribution(self.name, points, answers),
            "min_label": spec.get("min_label", ""),
            "max_label": spec.get("max_label", ""),
        }

    def showing(self, spec: Mapping[str, Any]) -> Showing:
        low = f"{spec.get('min', '')} {spec.get('min_label', '')}".strip()
        high = f"{spec.get('max', '')} {spec.get('max_label', '')}".strip()
        return Showing(line=f"From {low} to {high}")


@register
class AssessmentPoll(PollKind):
    """The team's self-rating on the IHI Assessment Scale (curriculum.assessment)."""

    name = "assessment-scale"
    title = ASSESSMENT_TITLE
    instruction = N_("Your team's self-rating")
    team_wide = True

    def answer_text(self, spec: Mapping[str, Any], value: Any) -> str:
        point = next((p for p in ASSESSMENT_SCALE if p.value == value), None)
        return f"{point.score} {point.name}" if point else str(value)

    def for_phone(self, spec: Mapping[str, Any]) -> dict[str, Any]:
        return {
            **spec,
            "points": [
                {"value": p.value, "score": p.score, "name": p.name, "description": p.description}
                for p in ASSESSMENT_SCALE
            ],
        }

    def check(self, spec: Mapping[str, Any], value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or float(value) not in SCORES:
            raise Invalid(
                "choose a score from {low} to {high}, in steps of 0.5", low=SCORES[0], high=SCORES[-1]
            )
        return float(value)

    def tally(
        self, spec: Mapping[str, Any], answers: Sequence[Answer], approved_only: bool = True
    ) -> dict[str, Any]:
        return _distribution(self.name, [(p.value, p.score, p.name) for p in ASSESSMENT_SCALE], answers)

    def showing(self, spec: Mapping[str, Any]) -> Showing:
        first, last = ASSESSMENT_SCALE[0], ASSESSMENT_SCALE[-1]
        return Showing(
            line=f"{self.title}: {first.score} ({first.name.lower()}) to {last.score} "
            f"({last.name.lower()}), one rating per team"
        )

    def notes(self, spec: Mapping[str, Any]) -> str:
        return "Scale: " + "; ".join(f"{p.score} {p.name}" for p in ASSESSMENT_SCALE) + "."


@register
class WordCloudPoll(PollKind):
    """A few words each; the room's words drawn by how often they were given.

    Answers are split into words, case and punctuation folded; each word counts once per
    answer. Faculty can take a word off the cloud (`spec["hidden"]`, the room's own list), and
    with `moderated: true` an answer reaches the cloud only once approved.
    """

    name = "wordcloud"
    title = "Word cloud"
    instruction = N_("A few words")
    settings = (
        Setting("max_words", "whole", "Words each, at most", 1, 10, default=3, example=3),
        Setting("moderated", "flag", "Show answers only once approved"),
    )

    def moderates(self, spec: Mapping[str, Any]) -> bool:
        return bool(spec.get("moderated"))

    def check(self, spec: Mapping[str, Any], value: Any) -> Any:
        limit = int(spec.get("max_words", 3))
        phrase = clean_text(value, Word("your answer"), limit * (MAX_WORD + 1))
        words = phrase.split()
        if len(words) > limit:
            raise (
                Invalid("use at most {count} words", "too_long", count=limit)
                if limit > 1
                else Invalid("use one word", "too_long")
            )
        if any(len(w) > MAX_WORD for w in words):
            raise Invalid("words are at most {count} letters", "too_long", count=MAX_WORD)
        return phrase

    def tally(
        self, spec: Mapping[str, Any], answers: Sequence[Answer], approved_only: bool = True
    ) -> dict[str, Any]:
        moderated = self.moderates(spec)
        counted = [a for a in answers if a.approved or not (moderated and approved_only)]
        counts = Counter(word for a in counted for word in set(cloud_words(str(a.value))))
        hidden = set(spec.get("hidden", ()))
        words = [
            {"text": w, "count": c, **({"hidden": True} if w in hidden else {})}
            for w, c in counts.most_common()
            if w not in hidden or not approved_only
        ]
        result: dict[str, Any] = {"type": self.name, "count": len(answers), "words": words[:MAX_CLOUD]}
        if moderated and not approved_only:
            result["answers"] = [{"id": a.id, "text": a.value, "approved": a.approved} for a in answers]
        return result

    def showing(self, spec: Mapping[str, Any]) -> Showing:
        words = int(spec.get("max_words", 3))
        return Showing(line=f"Up to {words} word{'s' if words > 1 else ''} each")


@register
class OpenPoll(PollKind):
    """A sentence or two; the projector shows an answer only once a facilitator approves it."""

    name = "open"
    title = "Open answer"
    instruction = N_("Your answer")
    settings = (
        Setting("max_chars", "whole", "Characters each, at most", 20, 2000, default=280, example=280),
    )

    def check(self, spec: Mapping[str, Any], value: Any) -> Any:
        return clean_text(value, Word("your answer"), int(spec.get("max_chars", 280)))

    def tally(
        self, spec: Mapping[str, Any], answers: Sequence[Answer], approved_only: bool = True
    ) -> dict[str, Any]:
        shown = [a for a in answers if a.approved or not approved_only]
        return {
            "type": self.name,
            "count": len(answers),
            "answers": [{"id": a.id, "text": a.value, "approved": a.approved} for a in shown],
        }


@register
class QuizPoll(ChoicePoll):
    """A question with one right option: revealed with the share of the room that got it."""

    name = "quiz"
    title = "Quiz question"
    instruction = N_("Pick the right answer")
    settings = (
        *ChoicePoll.settings,
        Setting("correct", "option", "The right answer (as written in the options)"),
    )

    def issues(self, spec: dict[str, Any]) -> Iterator[Issue]:
        found = list(self._options_issues(spec))
        yield from found
        if found:
            return
        correct = spec.get("correct")
        if not correct:
            yield Issue(
                "correct",
                "a quiz without its right answer",
                "add 'correct:' with the text of the right option",
            )
        elif correct not in spec["options"]:
            yield Issue(
                "correct",
                f"the right answer '{correct}' is not one of the options",
                "copy the right option's text exactly",
            )

    def for_phone(self, spec: Mapping[str, Any]) -> dict[str, Any]:
        # Phones learn the right answer only with the results, once the facilitator reveals them.
        return {k: v for k, v in spec.items() if k != "correct"}

    def tally(
        self, spec: Mapping[str, Any], answers: Sequence[Answer], approved_only: bool = True
    ) -> dict[str, Any]:
        result = super().tally(spec, answers, approved_only)
        right = spec["options"].index(spec["correct"])
        result["correct"] = right
        result["right"] = result["bars"][right]["count"]
        result["right_share"] = result["bars"][right]["share"]
        return result

    def notes(self, spec: Mapping[str, Any]) -> str:
        options = spec.get("options", [])
        if spec.get("correct") not in options:
            return ""
        letter = chr(ord("A") + options.index(spec["correct"]))
        return f"The right answer: {letter}, {spec['correct']}. Reveal it with the results."
