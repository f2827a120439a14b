"""Heavy work off the room: every team's plans as a job, in a process of its own on a laptop
or on an RQ queue that `bsc worker` runs where the servers share Redis; the console follows
its progress and offers the file."""

from __future__ import annotations

import io
import os
import re
import socket
import subprocess
import sys
import time
import uuid
import zipfile
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from facilitator import jobs

from .helpers import finish_job

ROOT = Path(__file__).resolve().parent.parent
REDIS = ("127.0.0.1", 6379)


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _check_zip(data: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = sorted(archive.namelist())
        assert names == [
            "hilltop-practice/commitments.ics",
            "hilltop-practice/plan.pdf",
            "riverside-clinic/commitments.ics",
            "riverside-clinic/plan.pdf",
        ]
        assert "Riverside Clinic" in _pdf_text(archive.read("riverside-clinic/plan.pdf"))
        assert "Hilltop Practice" in _pdf_text(archive.read("hilltop-practice/plan.pdf"))


def test_faculty_start_the_plans_and_follow_them_to_the_file(
    faculty_client: Any, client: Any, room: dict[str, Any], csrf: Any
) -> None:
    console = faculty_client.get(f"/console/{room['id']}").get_data(as_text=True)
    assert f'action="/console/{room["id"]}/plans"' in console
    assert client.post(f"/console/{room['id']}/plans").status_code == 302  # faculty only
    assert faculty_client.post(f"/console/{room['id']}/plans").status_code == 400  # no form token
    started = faculty_client.post(f"/console/{room['id']}/plans", data={"csrf": csrf(console)})
    assert started.status_code == 303
    page_url = started.headers["Location"]
    job_id = re.search(r"/console/jobs/([^/?]+)", page_url)
    assert job_id
    page = faculty_client.get(page_url).get_data(as_text=True)
    assert "take-home plan: " in page  # the job's title, naming the session
    assert 'id="job-progress"' in page
    assert client.get(page_url).status_code == 302  # faculty only
    assert faculty_client.get(f"/console/jobs/{job_id[1]}/file").status_code == 404  # not ready yet
    state, data = finish_job(faculty_client, started)
    assert state["state"] == "finished", state
    assert (state["done"], state["total"], state["unit"]) == (2, 2, "teams")
    assert state["filename"] == f"{room['code']}-team-plans.zip"
    assert "settings" not in state  # where the data lives is the server's business
    _check_zip(data)
    reply = faculty_client.get(f"/console/jobs/{job_id[1]}/file")
    assert reply.mimetype == "application/zip"
    assert f'filename="{room["code"]}-team-plans.zip"' in reply.headers["Content-Disposition"]
    assert "Download" in faculty_client.get(page_url).get_data(as_text=True)
    assert client.get(f"/console/jobs/{job_id[1]}/file").status_code == 302
    assert faculty_client.get("/console/jobs/..%2F..%2Fsecret_key.json").status_code == 404
    assert faculty_client.get("/console/jobs/nosuchjob123.json").status_code == 404


def test_a_failed_job_says_why(faculty_client: Any, app: Any) -> None:
    job = jobs.start(
        "plans",
        "Every team's take-home plan: gone",
        jobs.job_settings(app.config),
        {"session_id": 999, "public_url": "http://10.0.0.5:5000", "paper": "letter"},
    )
    state: dict[str, Any] = {}
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        state = faculty_client.get(f"/console/jobs/{job.id}.json").get_json()
        if state["state"] == "failed":
            break
        time.sleep(0.3)
    assert state["state"] == "failed"
    assert "the session is no longer there" in state["error"]
    assert "It failed: LookupError" in faculty_client.get(f"/console/jobs/{job.id}").get_data(as_text=True)


@pytest.fixture
def redis_url() -> str:
    try:
        with socket.create_connection(REDIS, timeout=2):
            pass
    except OSError as error:
        pytest.skip(f"no Redis answers at {REDIS[0]}:{REDIS[1]} ({error})")
    return f"redis://{REDIS[0]}:{REDIS[1]}/0"


def test_with_redis_a_bsc_worker_runs_the_job_and_any_server_hands_over_the_file(
    app: Any, room: dict[str, Any], redis_url: str
) -> None:
    queue = f"bsc-test-{uuid.uuid4().hex[:8]}"
    settings = jobs.job_settings({**app.config, "REDIS_URL": redis_url, "JOB_QUEUE": queue})
    assert settings == {"REDIS_URL": redis_url, "JOB_QUEUE": queue}  # no database address in Redis
    job = jobs.start(
        "plans",
        "Every team's take-home plan",
        settings,
        {"session_id": room["id"], "public_url": "http://10.0.0.5:5000", "paper": "a4", "workers": 1},
    )
    store = jobs.RedisStore(redis_url)
    waiting = store.load(job.id)
    assert waiting is not None
    assert waiting.state == "queued"  # nothing runs it until a worker takes it
    env = {
        **os.environ,
        "REDIS_URL": redis_url,
        "BSC_JOB_QUEUE": queue,
        "BSC_DATA_DIR": app.config["DATA_DIR"],
        "BSC_CURRICULUM": app.config["CURRICULUM"],
    }
    done = subprocess.run(
        [sys.executable, "-m", "facilitator", "worker", "--burst"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    finished = store.load(job.id)
    assert finished is not None
    assert finished.state == "finished", finished.error
    assert (finished.done, finished.total) == (2, 2)
    data = store.get_file(job.id)
    assert data is not None
    _check_zip(data)
    # A4 paper, as asked.
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        box = PdfReader(io.BytesIO(archive.read("riverside-clinic/plan.pdf"))).pages[0].mediabox
    assert round(float(box.width)) == 595


def test_bsc_worker_without_redis_says_so(runner: Any, tmp_path: Path, monkeypatch: Any) -> None:
    from facilitator.cli import cli

    monkeypatch.delenv("REDIS_URL", raising=False)
    result = runner.invoke(cli, ["worker", "--burst", "--data-dir", str(tmp_path)])
    assert result.exit_code != 0
    assert "no REDIS_URL" in result.output
