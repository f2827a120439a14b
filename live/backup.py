"""A whole collaborative as one file, and back: `bsc export --all` and `bsc import`.

The backup (`bsc-backup/1`, docs/running-a-room.md) holds every row of the room's tables for
the collaboratives it names: sessions, agendas, polls and answers, teams, participants (with
the hashes of their links, so the links printed on take-home plans keep working), workspaces
and their data. It never holds faculty accounts, sign-ins or the server's secret key.

Importing is one transaction: a file is checked whole (its format, every table, column and
value, every reference between rows) before anything is written, and anything refused leaves
the database as it was. Rows keep their ids where the importing database has them free, so a
restore into an empty database is the same database. Each database has an origin; an import
remembers which local row each of the file's rows became, so importing the same file twice
changes nothing, and importing a newer backup of the same room updates what changed and adds
what is new (a worksheet field or an answer is kept at its newest; a revoked link, a removed
participant or a deleted row stays so). A backup older than one already imported from the
same database is refused: it would take the room back in time.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Column, Integer, String, Table, Text, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from curriculum.worksheets import row_field
from live.models import (
    Activity,
    AgendaItem,
    AppliedWrite,
    BackupImport,
    Collaborative,
    Comment,
    DatabaseOrigin,
    Dot,
    ImportedRow,
    JoinRequest,
    LearningSession,
    Participant,
    ParticipantKey,
    Question,
    QuestionVote,
    ReminderSent,
    Response,
    Team,
    UTCDateTime,
    WorkspaceField,
    WorkspaceItem,
    now,
)

FORMAT = "bsc-backup/1"
MAX_BYTES = 256 * 1024 * 1024
MAX_ROWS = 2_000_000  # in any one table
MAX_TEXT = 1_000_000  # characters in one cell of a Text column
MAX_ID = 2**31 - 1


class BackupError(ValueError):
    """A file that cannot be imported; nothing of it was."""


@dataclass(frozen=True)
class Spec:
    """How one table travels: the columns that point at other rows, the columns that find the
    same row in the importing database, and how two copies of a row are merged."""

    table: Table
    links: dict[str, str] = field(default_factory=dict)  # column -> table it names a row of
    key: tuple[str, ...] = ()  # the row's own identity here, after its links are translated
    later: dict[str, str] = field(default_factory=dict)  # links written once every table is in
    sticky: tuple[str, ...] = ()  # once set here, an import does not unset them
    newer: tuple[str, ...] = ()  # the copy with the larger of these wins; none: the file's

    @property
    def name(self) -> str:
        return self.table.name

    @property
    def pk(self) -> str:
        return next(iter(self.table.primary_key.columns)).name


def _t(model: Any) -> Table:
    table: Table = model.__table__
    return table


# In the order they are imported: every table after the tables it points at.
SPECS = (
    Spec(_t(Collaborative), key=("curriculum_id",)),
    Spec(
        _t(LearningSession),
        {"collaborative_id": "collaborative"},
        key=("join_code",),
        later={"current_item_id": "agenda_item", "current_activity_id": "activity"},
    ),
    Spec(_t(AgendaItem), {"session_id": "learning_session"}, key=("session_id", "position")),
    Spec(
        _t(Activity), {"session_id": "learning_session", "item_id": "agenda_item"}, key=("session_id", "key")
    ),
    Spec(
        _t(Team),
        {"collaborative_id": "collaborative", "session_id": "learning_session"},
        key=("collaborative_id", "name"),
        sticky=("removed",),
    ),
    Spec(
        _t(Participant),
        {"session_id": "learning_session", "team_id": "team"},
        key=("token_hash",),
        sticky=("removed",),
    ),
    Spec(
        _t(ParticipantKey),
        {"participant_id": "participant", "link_id": "participant_key"},
        key=("token_hash",),
        sticky=("revoked_at",),
    ),
    Spec(
        _t(Response),
        {"activity_id": "activity", "participant_id": "participant", "team_id": "team"},
        key=("activity_id", "round", "owner"),
        newer=("updated_at",),
    ),
    Spec(_t(AppliedWrite), {"participant_id": "participant"}, key=("client_id",)),
    Spec(_t(JoinRequest), {"session_id": "learning_session", "team_id": "team"}, key=("token_hash",)),
    Spec(_t(WorkspaceItem), {"team_id": "team", "session_id": "learning_session"}, sticky=("deleted",)),
    Spec(
        _t(WorkspaceField),
        {"team_id": "team"},
        key=("team_id", "scope", "name"),
        newer=("updated_at",),
    ),
    Spec(_t(Dot), {"session_id": "learning_session", "participant_id": "participant", "team_id": "team"}),
    Spec(_t(Comment), {"session_id": "learning_session", "participant_id": "participant", "team_id": "team"}),
    Spec(_t(Question), {"activity_id": "activity", "participant_id": "participant", "team_id": "team"}),
    Spec(
        _t(QuestionVote),
        {"question_id": "question", "participant_id": "participant"},
        key=("question_id", "participant_id"),
    ),
    Spec(_t(ReminderSent), key=("key",)),
)
BY_NAME = {spec.name: spec for spec in SPECS}


def _origin(db: Session) -> str:
    origin: str | None = db.scalar(select(DatabaseOrigin.origin))
    if origin is None:  # made by migration 0008; never expected to be missing
        raise BackupError("this database has no origin; run its migrations (bsc serve does)")
    return origin


# --- export -------------------------------------------------------------------------------


def export_backup(db: Session, curriculum_ids: Sequence[str] | None = None) -> dict[str, Any]:
    """The backup of the collaboratives named (default: every one), as a JSON-ready dict."""
    chosen = select(Collaborative.id)
    if curriculum_ids is not None:
        chosen = chosen.where(Collaborative.curriculum_id.in_(curriculum_ids))
    ids: dict[str, set[Any]] = {"collaborative": set(db.scalars(chosen))}
    tables: dict[str, Any] = {}
    for spec in SPECS:
        table = spec.table
        query = select(table).order_by(table.c[spec.pk])
        parent = _parent(spec)
        if spec.name != "collaborative" and parent is not None:
            query = query.where(table.c[parent].in_(ids[spec.links[parent]]))
        elif spec.name == "collaborative":
            query = query.where(table.c.id.in_(ids["collaborative"]))
        rows = [list(row) for row in db.execute(query)]
        position = list(table.c.keys()).index(spec.pk)
        ids[spec.name] = {row[position] for row in rows}
        tables[spec.name] = {
            "columns": list(table.c.keys()),
            "rows": [[_out(value) for value in row] for row in rows],
        }
    imported: dict[str, list[list[str]]] = {}
    for origin, tablename, source_id, local_id in db.execute(
        select(
            ImportedRow.origin, ImportedRow.tablename, ImportedRow.source_id, ImportedRow.local_id
        ).order_by(ImportedRow.tablename, ImportedRow.origin, ImportedRow.source_id)
    ):
        if tablename in ids and _as_id(BY_NAME[tablename], local_id) in ids[tablename]:
            imported.setdefault(tablename, []).append([local_id, origin, source_id])
    return {
        "format": FORMAT,
        "exported_at": now().isoformat(),
        "origin": _origin(db),
        "collaboratives": sorted(
            db.scalars(select(Collaborative.curriculum_id).where(Collaborative.id.in_(ids["collaborative"])))
        ),
        "tables": tables,
        "imported": imported,
    }


def _parent(spec: Spec) -> str | None:
    """The link that puts a row in a collaborative's backup (rows of other tables are all kept)."""
    for column in (
        "collaborative_id",
        "team_id",
        "session_id",
        "activity_id",
        "participant_id",
        "question_id",
    ):
        if column in spec.links:
            return column
    return None


def _out(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _as_id(spec: Spec, text_id: str) -> Any:
    return int(text_id) if isinstance(spec.table.c[spec.pk].type, Integer) else text_id


def dumps(document: dict[str, Any]) -> bytes:
    """The backup as a file: UTF-8 JSON, one row to a line."""
    parts = ["{"]
    head = {k: v for k, v in document.items() if k not in ("tables", "imported")}
    parts.append(
        ",\n".join(f"{json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}" for k, v in head.items()) + ","
    )
    parts.append('"tables": {')
    tables = []
    for name, table in document["tables"].items():
        rows = ",\n".join(json.dumps(row, ensure_ascii=False) for row in table["rows"])
        tables.append(
            f'{json.dumps(name)}: {{"columns": {json.dumps(table["columns"])}, "rows": [\n{rows}]}}'
        )
    parts.append(",\n".join(tables))
    parts.append("},")
    parts.append(f'"imported": {json.dumps(document["imported"], ensure_ascii=False)}')
    parts.append("}\n")
    return "\n".join(parts).encode()


# --- reading a file -------------------------------------------------------------------------


def loads(data: bytes) -> dict[str, Any]:
    """A backup file read and checked whole: its format, every table, column and value, and
    every reference between its rows. Raises BackupError saying what is wrong."""
    if len(data) > MAX_BYTES:
        raise BackupError(f"the file is larger than {MAX_BYTES // 2**20} MiB; is it a backup?")
    try:
        document = json.loads(data.decode("utf-8"), parse_constant=_no_constant)
    except UnicodeDecodeError as error:
        raise BackupError(f"the file is not UTF-8 text (byte {error.start}); is it a backup?") from None
    except json.JSONDecodeError as error:
        raise BackupError(
            f"the file is not complete JSON (line {error.lineno}, column {error.colno}: {error.msg}); "
            "was it cut short?"
        ) from None
    except RecursionError:
        raise BackupError("the file nests too deep to be a backup") from None
    if not isinstance(document, dict) or "format" not in document:
        raise BackupError(f"the file is not a backup (no format); bsc export --all writes {FORMAT}")
    if document["format"] != FORMAT:
        raise BackupError(
            f"the file is {str(document['format'])[:40]!r}, not {FORMAT}: a newer bsc may read it"
        )
    origin, exported_at = document.get("origin"), document.get("exported_at")
    if not isinstance(origin, str) or not 8 <= len(origin) <= 36:
        raise BackupError("the backup does not say which database it came from (origin)")
    document["exported_at"] = _moment(exported_at, "exported_at")
    tables = document.get("tables")
    if not isinstance(tables, dict):
        raise BackupError("the backup has no tables")
    unknown = sorted(set(tables) - set(BY_NAME))
    if unknown:
        raise BackupError(
            f"the backup has tables this version does not know: {', '.join(map(str, unknown))[:200]}"
        )
    found: dict[str, list[dict[str, Any]]] = {}
    for spec in SPECS:
        found[spec.name] = _rows(spec, tables.get(spec.name, {"columns": [], "rows": []}))
    _check_links(found)
    document["tables"] = found
    document["imported"] = _imported(document.get("imported", {}), found)
    return document


def _no_constant(name: str) -> None:
    raise BackupError(f"the file holds {name}, which is not a value a backup has")


def _moment(value: Any, where: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) and len(value) <= 40 else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise BackupError(f"{where}: {str(value)[:40]!r} is not a time with its offset")
    return moment


def _rows(spec: Spec, table: Any) -> list[dict[str, Any]]:
    name = spec.name
    if (
        not isinstance(table, dict)
        or not isinstance(table.get("columns"), list)
        or not isinstance(table.get("rows"), list)
    ):
        raise BackupError(f"table {name}: not a list of columns and a list of rows")
    columns = table["columns"]
    known = spec.table.c
    strange = [str(c)[:40] for c in columns if not isinstance(c, str) or c not in known]
    if strange:
        raise BackupError(f"table {name}: unknown columns {', '.join(strange)}")
    if len(set(columns)) != len(columns):
        raise BackupError(f"table {name}: a column is named twice")
    missing = [c.name for c in known if c.name not in columns and _required(c)]
    if table["rows"] and missing:
        raise BackupError(f"table {name}: the columns {', '.join(missing)} are missing")
    if len(table["rows"]) > MAX_ROWS:
        raise BackupError(f"table {name}: more than {MAX_ROWS} rows")
    rows = []
    seen: set[Any] = set()
    for number, raw in enumerate(table["rows"], 1):
        if not isinstance(raw, list) or len(raw) != len(columns):
            raise BackupError(f"table {name}, row {number}: not {len(columns)} values")
        row = {}
        for column_name, value in zip(columns, raw, strict=True):
            row[column_name] = _value(known[column_name], value, f"table {name}, row {number}, {column_name}")
        if row[spec.pk] in seen:
            raise BackupError(f"table {name}, row {number}: {spec.pk} {row[spec.pk]!r} appears twice")
        seen.add(row[spec.pk])
        rows.append(row)
    return rows


def _required(column: Column[Any]) -> bool:
    return not column.nullable and column.default is None and column.server_default is None


def _value(column: Column[Any], value: Any, where: str) -> Any:
    kind = column.type
    if value is None:
        if column.nullable:
            return None
        raise BackupError(f"{where}: empty, and it cannot be")
    if isinstance(kind, Boolean):
        if not isinstance(value, bool):
            raise BackupError(f"{where}: {str(value)[:40]!r} is not true or false")
        return value
    if isinstance(kind, Integer):
        if isinstance(value, bool) or not isinstance(value, int) or not -MAX_ID <= value <= MAX_ID:
            raise BackupError(f"{where}: {str(value)[:40]!r} is not a whole number")
        if column.primary_key and value <= 0:
            raise BackupError(f"{where}: an id must be a positive number")
        return value
    if isinstance(kind, UTCDateTime):
        return _moment(value, where)
    if isinstance(kind, (String, Text)):
        if not isinstance(value, str):
            raise BackupError(f"{where}: {str(value)[:40]!r} is not text")
        limit = kind.length or MAX_TEXT
        if len(value) > limit:
            raise BackupError(f"{where}: longer than {limit} characters")
        _text(value, where)
        return value
    if isinstance(kind, JSON):
        _json_text(value, where)
        return value
    raise BackupError(f"{where}: a column of a type a backup cannot hold")  # pragma: no cover


def _text(value: str, where: str) -> None:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise BackupError(f"{where}: text that is not Unicode (a lone surrogate)") from None
    if "\x00" in value:
        raise BackupError(f"{where}: text with a NUL character")


def _json_text(value: Any, where: str) -> None:
    if isinstance(value, str):
        _text(value, where)
    elif isinstance(value, list):
        for item in value:
            _json_text(item, where)
    elif isinstance(value, dict):
        for key, item in value.items():
            _text(key, where)
            _json_text(item, where)


def _check_links(found: dict[str, list[dict[str, Any]]]) -> None:
    """Every row a row points at is in the file: a backup stands on its own."""
    ids = {name: {row[BY_NAME[name].pk] for row in rows} for name, rows in found.items()}
    for spec in SPECS:
        for number, row in enumerate(found[spec.name], 1):
            for column, target in {**spec.links, **spec.later}.items():
                value = row.get(column)
                if value is not None and value not in ids[target]:
                    raise BackupError(
                        f"table {spec.name}, row {number}: {column} {value} names a row of {target} "
                        "that is not in the file"
                    )
            if spec.name == "response" and not _owner(row["owner"], ids):
                raise BackupError(
                    f"table response, row {number}: owner {row['owner'][:24]!r} is not in the file"
                )
            if spec.name == "workspace_field" and row.get("scope", ""):
                scope = row["scope"]
                if not (
                    scope.startswith("i") and scope[1:].isdigit() and int(scope[1:]) in ids["workspace_item"]
                ):
                    raise BackupError(
                        f"table workspace_field, row {number}: scope {scope[:16]!r} is not in the file"
                    )


def _owner(owner: str, ids: dict[str, set[Any]]) -> bool:
    table = {"p": "participant", "t": "team"}.get(owner[:1])
    return table is not None and owner[1:].isdigit() and int(owner[1:]) in ids[table]


def _imported(
    raw: Any, found: dict[str, list[dict[str, Any]]]
) -> dict[str, dict[Any, list[tuple[str, str]]]]:
    """Where the file's rows came from, where its database had imported them: table -> the
    file's id -> [(origin, id there)]."""
    if not isinstance(raw, dict):
        raise BackupError("imported: not a table of rows")
    result: dict[str, dict[Any, list[tuple[str, str]]]] = {}
    for name, entries in raw.items():
        if name not in BY_NAME or not isinstance(entries, list):
            raise BackupError(f"imported: {str(name)[:40]!r} is not a table of this backup")
        spec, ids = BY_NAME[name], {row[BY_NAME[name].pk] for row in found[name]}
        for entry in entries:
            if (
                not isinstance(entry, list)
                or len(entry) != 3
                or not all(isinstance(e, str) and 0 < len(e) <= 64 for e in entry)
            ):
                raise BackupError(f"imported, {name}: an entry is not [id here, origin, id there]")
            try:
                local = _as_id(spec, entry[0])
            except ValueError:
                raise BackupError(f"imported, {name}: {entry[0][:20]!r} is not an id") from None
            if local in ids:
                result.setdefault(name, {}).setdefault(local, []).append((entry[1], entry[2]))
    return result


# --- import ---------------------------------------------------------------------------------


@dataclass
class Counts:
    """What an import did to one table."""

    added: int = 0
    changed: int = 0
    same: int = 0


@dataclass
class _Import:
    db: Session
    document: dict[str, Any]
    origin: str  # the importing database's
    ids: dict[str, dict[Any, Any]] = field(default_factory=dict)  # table -> the file's id -> ours
    done: dict[str, dict[Any, str]] = field(default_factory=dict)  # table -> our id -> added, changed, same
    kinds: dict[Any, str] = field(default_factory=dict)  # the file's workspace items: id -> kind
    adopted: dict[str, set[Any]] = field(default_factory=dict)  # table -> our rows that stay ours


def import_backup(db: Session, data: bytes) -> dict[str, Counts]:
    """Import a backup into `db` in its caller's transaction (commit after, or roll back):
    what was added, changed or already there, by table. Raises BackupError, having written
    nothing the caller should keep."""
    document = loads(data)
    origin = _origin(db)
    if document["origin"] == origin:
        raise BackupError("this backup was made from this very database; there is nothing to import")
    last = db.scalar(
        select(func.max(BackupImport.exported_at)).where(BackupImport.origin == document["origin"])
    )
    if last is not None and document["exported_at"] < last:
        raise BackupError(
            f"this backup was written {document['exported_at']:%Y-%m-%d %H:%M} UTC, before the one from the "
            f"same room imported here ({last:%Y-%m-%d %H:%M} UTC); importing it would take the room back"
        )
    work = _Import(db, document, origin)
    work.kinds = {row["id"]: row["kind"] for row in document["tables"]["workspace_item"]}
    try:
        for spec in SPECS:
            _import_table(work, spec)
        for spec in SPECS:
            if spec.later:
                _later(work, spec)
        db.add(BackupImport(origin=document["origin"], exported_at=document["exported_at"]))
        db.flush()
        _sequences(db)
    except IntegrityError as error:
        db.rollback()
        raise BackupError(
            f"the backup's rows clash with this database's ({str(error.orig).splitlines()[0][:200]})"
        ) from None
    counts = {}
    for spec in SPECS:
        done = list(work.done.get(spec.name, {}).values())
        counts[spec.name] = Counts(done.count("added"), done.count("changed"), done.count("same"))
    return counts


def _known(work: _Import, spec: Spec) -> dict[Any, tuple[Any, bool]]:
    """The file's ids already imported here, from this file's database or from one it
    imported: our id, and whether the row was ours before it was imported (adopted)."""
    db, name, document = work.db, spec.name, work.document
    known: dict[Any, tuple[Any, bool]] = {}
    mine = {
        source: (local, adopted)
        for source, local, adopted in db.execute(
            select(ImportedRow.source_id, ImportedRow.local_id, ImportedRow.adopted).where(
                ImportedRow.origin == document["origin"], ImportedRow.tablename == name
            )
        )
    }
    for row in document["tables"][name]:
        found = mine.get(str(row[spec.pk]))
        if found is not None:
            known[row[spec.pk]] = (_as_id(spec, found[0]), found[1])
    came_from = document["imported"].get(name, {})
    if came_from:
        theirs = {
            (o, s): local
            for o, s, local in db.execute(
                select(ImportedRow.origin, ImportedRow.source_id, ImportedRow.local_id).where(
                    ImportedRow.tablename == name
                )
            )
        }
        for file_id, sources in came_from.items():
            for source_origin, source_id in sources:
                if file_id in known:
                    break
                if source_origin == work.origin:  # ours, back from a trip
                    known[file_id] = (_as_id(spec, source_id), False)
                elif (source_origin, source_id) in theirs:
                    known[file_id] = (_as_id(spec, theirs[(source_origin, source_id)]), False)
    return known


def _import_table(work: _Import, spec: Spec) -> None:
    db, table, pk = work.db, spec.table, spec.pk
    rows = [_translate(work, spec, row) for row in work.document["tables"][spec.name]]
    done = work.done.setdefault(spec.name, {})
    mapping = work.ids.setdefault(spec.name, {})
    if not rows:
        return
    known = _known(work, spec)
    existing = {row[pk]: row for row in (r._asdict() for r in db.execute(select(table)))}
    by_key = {tuple(r[c] for c in spec.key): r[pk] for r in existing.values()} if spec.key else {}
    # Which of ours each row is, or its new id: the file's own where it is free here.
    taken = set(existing)
    new: list[dict[str, Any]] = []
    adopted = work.adopted.setdefault(spec.name, set())
    for row in rows:
        ours, was_ours = known.get(row[pk], (None, False))
        if ours is None or ours not in existing:
            ours = by_key.get(tuple(row[c] for c in spec.key)) if spec.key else None
            was_ours = ours is not None  # met here before: the same team, the same person
        if ours is None:
            new.append(row)
        else:
            mapping[row[pk]] = ours
            if was_ours:
                adopted.add(ours)
    spare = _spare_ids(spec, taken, [row[pk] for row in new])
    for row in new:
        mapping[row[pk]] = spare(row[pk])
    # The links of a table to itself (a device's link) are known only now.
    self_links = [c for c, target in spec.links.items() if target == spec.name]
    inserts, record = [], []
    for row in rows:
        file_id = row[pk]
        row = {**row, pk: mapping[file_id]}
        for column in self_links:
            if row.get(column) is not None:
                row[column] = mapping[row[column]]
        record.append(
            {
                "origin": work.document["origin"],
                "tablename": spec.name,
                "source_id": str(file_id),
                "local_id": str(row[pk]),
                "adopted": row[pk] in adopted,
            }
        )
        current = existing.get(row[pk])
        if current is None:
            inserts.append({c: v for c, v in row.items() if c not in spec.later})
            done[row[pk]] = "added"
            continue
        changes = _merge(spec, current, row, row[pk] in adopted)
        if changes:
            db.execute(update(table).where(table.c[pk] == row[pk]).values(**changes))
        done[row[pk]] = "changed" if changes else "same"
    for column in self_links:  # rows pointing at rows of the same import go in after them
        inserts.sort(key=lambda r, c=column: r.get(c) is not None)  # type: ignore[misc]
    if inserts:  # every row of a file's table names the same columns: one executemany
        db.execute(insert(table), inserts)
    _remember(db, record)


def _spare_ids(spec: Spec, taken: set[Any], wanted: list[Any]) -> Callable[[Any], Any]:
    """New ids: a row keeps its own where it is free here, else gets one above all others."""
    if not isinstance(spec.table.c[spec.pk].type, Integer):
        return lambda wanted_id: wanted_id  # a client-made id, the same everywhere
    used = set(taken)
    clashing = {w for w in wanted if w in used}
    used.update(w for w in wanted if w not in clashing)
    top = max(used, default=0)

    def spare(wanted_id: Any) -> Any:
        nonlocal top
        if wanted_id not in clashing:
            return wanted_id
        top += 1
        return top

    return spare


def _remember(db: Session, record: list[dict[str, Any]]) -> None:
    if not record:
        return
    origin, tablename = record[0]["origin"], record[0]["tablename"]
    have = {
        (source, local)
        for source, local in db.execute(
            select(ImportedRow.source_id, ImportedRow.local_id).where(
                ImportedRow.origin == origin, ImportedRow.tablename == tablename
            )
        )
    }
    sources = {source for source, _ in have}
    fresh = [r for r in record if r["source_id"] not in sources]
    moved = [r for r in record if r["source_id"] in sources and (r["source_id"], r["local_id"]) not in have]
    if fresh:
        db.execute(insert(ImportedRow), fresh)
    for r in moved:
        db.execute(
            update(ImportedRow)
            .where(
                ImportedRow.origin == r["origin"],
                ImportedRow.tablename == r["tablename"],
                ImportedRow.source_id == r["source_id"],
            )
            .values(local_id=r["local_id"], adopted=r["adopted"])
        )


def _translate(work: _Import, spec: Spec, row: dict[str, Any]) -> dict[str, Any]:
    """A row of the file with its links to other tables' rows made ours."""
    row = dict(row)
    for column, target in spec.links.items():
        if target != spec.name and row.get(column) is not None:
            row[column] = work.ids[target][row[column]]
    if spec.name == "response":
        prefix, number = row["owner"][0], int(row["owner"][1:])
        row["owner"] = prefix + str(work.ids["participant" if prefix == "p" else "team"][number])
    if spec.name == "workspace_field" and row.get("scope"):
        item = int(row["scope"][1:])
        row["value"] = _field_value(work, work.kinds[item], row["name"], row.get("value", ""))
        row["scope"] = f"i{work.ids['workspace_item'][item]}"
    return row


def _field_value(work: _Import, kind: str, name: str, value: str) -> str:
    """A worksheet field that names rows (a cycle's measures, the cycle a data point's note
    names) naming them by their ids here; a row the file does not have is dropped."""
    try:
        where = row_field(kind, name).input
    except KeyError:
        return value
    items = work.ids["workspace_item"]
    try:
        parsed = json.loads(value) if value.strip() else None
    except ValueError:
        return value
    if where == "measures" and isinstance(parsed, list):
        return json.dumps([items[i] for i in parsed if isinstance(i, int) and i in items])
    if where == "notes" and isinstance(parsed, dict):
        for note in parsed.values():
            if isinstance(note, dict) and isinstance(note.get("cycle"), int):
                note["cycle"] = items.get(note["cycle"])
        return json.dumps(parsed, ensure_ascii=False)
    return value


def _merge(spec: Spec, current: dict[str, Any], row: dict[str, Any], adopted: bool) -> dict[str, Any]:
    """The columns of our copy of a row that the file's copy changes: the newer copy's, where
    the table says which is newer; else the file's, unless the row was ours before."""
    if spec.newer:
        if tuple(row.get(c) for c in spec.newer) <= tuple(current[c] for c in spec.newer):
            return {}
    elif adopted:
        return {}
    changes = {}
    for column, value in row.items():
        if column in spec.later or column == spec.pk:
            continue
        if column in spec.sticky and current[column]:
            continue
        if current[column] != value:
            changes[column] = value
    if changes and "version" in current:  # a field's edits name the version they saw: a new one
        changes["version"] = max(current["version"] + 1, row.get("version", 0))
    return changes


def _later(work: _Import, spec: Spec) -> None:
    """Links written once the rows they name are in (the room's current agenda item and poll)."""
    db, table, pk = work.db, spec.table, spec.pk
    done = work.done[spec.name]
    for row in work.document["tables"][spec.name]:
        ours = work.ids[spec.name][row[pk]]
        if ours in work.adopted[spec.name]:
            continue
        values = {
            column: (work.ids[target][row[column]] if row.get(column) is not None else None)
            for column, target in spec.later.items()
        }
        current = db.execute(select(*(table.c[c] for c in values)).where(table.c[pk] == ours)).one()._asdict()
        if current != values:
            db.execute(update(table).where(table.c[pk] == ours).values(**values))
            if done[ours] == "same":
                done[ours] = "changed"


def _sequences(db: Session) -> None:
    """PostgreSQL hands out ids from sequences: move each past the ids written here."""
    if db.get_bind().dialect.name != "postgresql":
        return
    for spec in SPECS:
        if isinstance(spec.table.c[spec.pk].type, Integer):
            column = spec.table.c[spec.pk]
            highest = select(func.coalesce(func.max(column), 0)).scalar_subquery()
            sequence = func.pg_get_serial_sequence(spec.name, spec.pk)
            db.execute(select(func.setval(sequence, func.greatest(highest, 1))))
