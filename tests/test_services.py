"""Service functions without sockets, on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from curriculum.loader import load
from curriculum.model import Curriculum
from curriculum.problems import Invalid
from live.db import Database
from live.models import LearningSession, Participant, Response
from live.polls import service as polls
from live.room import runofshow
from live.room.sessions import (
    CODE_ALPHABET,
    add_team,
    create_session,
    join,
    participant_by_token,
    session_by_code,
)
from live.writes import apply_once, author_of

from .helpers import FIXTURES


@pytest.fixture(scope="module")
def curriculum() -> Curriculum:
    loaded = load(FIXTURES / "mini")
    assert loaded.ok
    return loaded.curricula[0]


@pytest.fixture
def world(database: Database, curriculum: Curriculum) -> dict[str, Any]:
    """A session with two teams, one participant each, and the poll opened."""
    with database.transaction() as db:
        session = create_session(db, curriculum, curriculum.session("ls1"))
        river = add_team(db, session, "Riverside Clinic")
        hill = add_team(db, session, "Hilltop Practice")
        ana, token = join(
            db, session, team_id=river.id, display_name="Ana", role="Data lead", team_code=river.code
        )
        ben, _ = join(db, session, team_id=hill.id, display_name="Ben", team_code=hill.code)
        poll = session.activities[0]
        runofshow.set_state(db, poll, "open")
        ids = {
            "session": session.id,
            "ana": ana.id,
            "ben": ben.id,
            "poll": poll.id,
            "token": token,
            "river": river.id,
            "hill": hill.id,
            "code": session.join_code,
        }
    return ids


def vote(database: Database, who: int, activity: int, value: Any, client_id: str) -> dict[str, Any]:
    """A vote as the room applies it: once per client id, refused in a locked room."""
    with database.transaction() as db:
        author = author_of(db, who)
        reply, _ = apply_once(
            db,
            author,
            client_id,
            lambda: polls.cast_vote(
                db, author, {"client_id": client_id, "activity_id": activity, "value": value}
            ),
            False,
        )
        return reply


def test_a_session_is_made_from_the_curriculum(database: Database, world: dict[str, Any]) -> None:
    with database.transaction() as db:
        session = db.get(LearningSession, world["session"])
        assert session is not None
        assert [i.title for i in session.items] == [
            "Welcome",
            "The Model for Improvement",
            "Break",
            "Planning a PDSA",
        ]
        assert [(a.kind, a.poll_type) for a in session.activities] == [
            ("poll", "choice"),
            ("team-time", None),
        ]
        assert session.activities[0].spec == {"options": ["The aim", "The measures", "The changes"]}
        assert len(session.join_code) == 5
        assert set(session.join_code) <= set(CODE_ALPHABET)
        assert session_by_code(db, session.join_code.lower()) is session


def test_a_rejoin_token_finds_its_participant_and_is_stored_hashed(
    database: Database, world: dict[str, Any]
) -> None:
    with database.transaction() as db:
        found = participant_by_token(db, world["token"])
        assert found is not None
        assert found.id == world["ana"]
        assert found.token_hash != world["token"]
        assert db.scalar(select(Participant.id).where(Participant.token_hash == world["token"])) is None
        assert participant_by_token(db, "not-a-token") is None


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        pytest.param({"team_id": None, "display_name": "Cy"}, "pick your team", id="no-team"),
        pytest.param(
            {"team_id": 10_000, "display_name": "Cy"}, "that team is not in this session", id="unknown-team"
        ),
        pytest.param({"team": "river", "display_name": "   "}, "your name is empty", id="blank-name"),
        pytest.param(
            {"team": "river", "display_name": "x" * 61}, "your name is longer than 60", id="long-name"
        ),
        pytest.param(
            {"team": "river", "display_name": "Cy", "role": "r" * 41},
            "your role is longer than 40",
            id="long-role",
        ),
        pytest.param(
            {"team_id": None, "new_team": "riverside clinic", "display_name": "Cy"},
            "there is already a team called 'Riverside Clinic'",
            id="duplicate-team",
        ),
    ],
)
def test_bad_joins_are_refused(
    database: Database, world: dict[str, Any], fields: dict[str, Any], error: str
) -> None:
    if fields.pop("team", None) == "river":
        fields["team_id"] = world["river"]
    with database.transaction() as db:
        session = db.get(LearningSession, world["session"])
        assert session is not None
        with pytest.raises(Invalid) as refused:
            join(db, session, **fields)
        assert refused.value.message.startswith(error)


def test_a_retried_vote_counts_once_and_a_changed_vote_replaces(
    database: Database, world: dict[str, Any]
) -> None:
    assert vote(database, world["ana"], world["poll"], 0, "client-000001")["value"] == 0
    assert vote(database, world["ana"], world["poll"], 0, "client-000001")["value"] == 0
    vote(database, world["ana"], world["poll"], 2, "client-000002")
    vote(database, world["ben"], world["poll"], 2, "client-000003")
    with database.transaction() as db:
        rows = db.scalars(select(Response).where(Response.activity_id == world["poll"])).all()
        assert sorted(r.value for r in rows) == [2, 2]
        poll = runofshow.activity_of(db, db.get(LearningSession, world["session"]), world["poll"])  # type: ignore[arg-type]
        assert polls.results(db, poll)["bars"][2] == {"label": "The changes", "count": 2, "share": 100}


def test_a_client_id_of_someone_else_is_refused(database: Database, world: dict[str, Any]) -> None:
    vote(database, world["ana"], world["poll"], 0, "client-shared1")
    with pytest.raises(Invalid, match="used by someone else"):
        vote(database, world["ben"], world["poll"], 1, "client-shared1")


def test_reset_starts_the_answers_afresh(database: Database, world: dict[str, Any]) -> None:
    vote(database, world["ana"], world["poll"], 1, "client-reset01")
    with database.transaction() as db:
        session = db.get(LearningSession, world["session"])
        assert session is not None
        poll = runofshow.activity_of(db, session, world["poll"])
        runofshow.reset(db, poll)
        assert polls.results(db, poll)["count"] == 0
        runofshow.set_state(db, poll, "open")
    vote(database, world["ana"], world["poll"], 2, "client-reset02")


@pytest.mark.parametrize(
    ("poll_type", "spec", "good", "bad"),
    [
        ("multi", {"options": ["a", "b", "c"]}, [[2, 0], [1]], [[], [0, 0], [3], "a", [True]]),
        ("ranking", {"options": ["a", "b", "c"]}, [[2, 0, 1]], [[0, 1], [0, 0, 1], [0, 1, 2, 3]]),
        ("scale", {"min": 1, "max": 5}, [1, 5], [0, 6, 2.5, "3"]),
        (
            "wordcloud",
            {"max_words": 3},
            ["hope", "more family voice"],
            ["", "one two three four", "x" * 31, 7],
        ),
        ("open", {"max_chars": 50}, ["We learned to ask."], ["", "x" * 51, ["list"]]),
        ("assessment-scale", {}, [0.5, 3, 5.0], [0, 5.5, 2.2, "3"]),
    ],
)
def test_answers_are_checked_against_their_poll(
    database: Database,
    world: dict[str, Any],
    poll_type: str,
    spec: dict[str, Any],
    good: list[Any],
    bad: list[Any],
) -> None:
    with database.transaction() as db:
        session = db.get(LearningSession, world["session"])
        assert session is not None
        payload: dict[str, Any] = {"poll_type": poll_type, "prompt": "Q?"}
        if "options" in spec:
            payload["options"] = spec["options"]
        if poll_type == "scale":
            payload.update(min=1, max=5)
        activity = polls.add_poll(db, session, payload)
        activity.spec = {**activity.spec, **spec}
        runofshow.set_state(db, activity, "open")
        activity_id = activity.id
    for n, value in enumerate(good):
        assert vote(database, world["ana"], activity_id, value, f"good-{poll_type}-{n}")["ok"]
    for n, value in enumerate(bad):
        with pytest.raises(Invalid):
            vote(database, world["ana"], activity_id, value, f"bad-{poll_type}-{n}")


def test_results_are_shaped_for_each_chart(database: Database, world: dict[str, Any]) -> None:
    with database.transaction() as db:
        session = db.get(LearningSession, world["session"])
        assert session is not None
        cloud = polls.add_poll(db, session, {"poll_type": "wordcloud", "prompt": "One word?"})
        rank = polls.add_poll(
            db,
            session,
            {"poll_type": "ranking", "prompt": "Order?", "options": ["aim", "measures", "changes"]},
        )
        for activity in (cloud, rank):
            runofshow.set_state(db, activity, "open")
        ids = (cloud.id, rank.id)
    vote(database, world["ana"], ids[0], "Hope", "cloud-1")
    vote(database, world["ben"], ids[0], " hope ", "cloud-2")
    vote(database, world["ana"], ids[1], [2, 0, 1], "rank-1")
    vote(database, world["ben"], ids[1], [2, 1, 0], "rank-2")
    with database.transaction() as db:
        session = db.get(LearningSession, world["session"])
        assert session is not None
        words = polls.results(db, runofshow.activity_of(db, session, ids[0]))["words"]
        assert words == [{"text": "hope", "count": 2}]
        bars = polls.results(db, runofshow.activity_of(db, session, ids[1]))["bars"]
        assert [b["label"] for b in bars] == ["changes", "aim", "measures"]
        assert bars[0]["count"] == 6


def test_the_timer_pauses_and_resumes_where_it_was(database: Database, world: dict[str, Any]) -> None:
    with database.transaction() as db:
        session = db.get(LearningSession, world["session"])
        assert session is not None
        runofshow.start_timer(db, session, 300)
        assert session.timer_ends_at is not None
        session.timer_ends_at -= timedelta(seconds=100)  # 100 s have passed
        runofshow.pause_timer(db, session)
        assert session.timer_remaining in (199, 200)
        runofshow.start_timer(db, session, 0)
        assert session.timer_remaining is None
        assert session.timer_total == 300
        runofshow.clear_timer(db, session)
        with pytest.raises(Invalid, match="no paused timer"):
            runofshow.start_timer(db, session, 0)
