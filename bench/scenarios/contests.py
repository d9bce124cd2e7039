"""The quiz's load (issue 16), five figures on a province's contest:

- **answer save**: 200 participants (wrk connections) saving answers through the JSON API, each request one
  (participant, question, option) of a file of 4,000, against the ceiling's ``POST /insert`` at 200 connections;
- **question page**: the no-JS question screen mid-attempt, a participant and position per request, against
  ``GET /select``;
- **results page**: the public results of a closed round of 100,000 attempts, against ``GET /select``;
- **opening crowd** (a check): 2,000 new participants arrive over 10 s, each loading the sign-up form, signing up,
  starting the round and reaching its first question; participants per second against the ceiling's
  ``POST /insert`` (≥ 50%), 0 errors;
- **closing** (a check): the round of 100,000 attempts (2,000,000 saved answers, one in twenty never handed in)
  closed again from open: grading the unsubmitted, the ranking with every tie-break and the prizes, timed.

``load`` writes the contest, a bank of 126 questions, an open round with the 200 participants' attempts under way,
and the closed round's 100,000 participants, attempts and answers (the answers by ``INSERT … SELECT``)."""

from __future__ import annotations

import http.client
import json
import os
import re
import secrets
import statistics
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, cast, func, insert, literal, or_, select, text, update
from sqlalchemy.types import JSON

from . import Check, Context, Feature, Scenario, page_csrf, register, session_cookie

TITLE = "Cuộc thi trực tuyến tìm hiểu về an toàn thông tin (bench)"
OPEN_ROUND, CLOSED_ROUND = "Tuần 1 (bench, đang mở)", "Tuần 0 (bench, đã đóng)"
TOPICS = ("Tin nhắn lừa đảo", "Đường link ngân hàng giả", "Mật khẩu và xác thực 2 lớp", "Dữ liệu cá nhân",
          "Ứng dụng nTrust", "Lừa đảo qua điện thoại", "Mua sắm trực tuyến an toàn")  # fmt: skip
DIFFICULTIES = ("easy", "medium", "hard")
PER_STRATUM = 6  # 7 topics × 3 difficulties × 6 = 126 questions
QUESTIONS = 20
TAKERS = 200
RESULTS_ATTEMPTS = 100_000
SPIKE_PARTICIPANTS, SPIKE_SECONDS, SPIKE_THREADS = 2_000, 10, 200


def _work() -> str:
    from ..runner import WORK

    return WORK


def answers_file() -> str:
    return os.path.join(_work(), "quiz-answers.txt")


def pages_file() -> str:
    return os.path.join(_work(), "quiz-pages.txt")


def load(session, ctx: Context) -> None:
    from app.models import Unit
    from contests.models import (
        AttemptAnswer,
        Contest,
        Participant,
        Question,
        QuestionOption,
        QuizAttempt,
        QuizRound,
        QuizTopic,
        RoundState,
    )
    from contests.services import attempts as quiz
    from contests.services.attempts import handles
    from contests.services.rounds import ranking

    from ..runner import SECRET_KEY

    now = datetime.now(UTC).replace(microsecond=0)
    wards = list(session.scalars(select(Unit.id).where(Unit.kind == "ward").order_by(Unit.id)))
    contest = Contest(plan_id=ctx.data.main_plan_id, title=TITLE, kind="online_quiz", is_published=True,
                      opens_at=now - timedelta(days=8), closes_at=now + timedelta(days=20))  # fmt: skip
    session.add(contest)
    session.flush()
    bank = []
    for t, name in enumerate(TOPICS):
        topic = QuizTopic(name=f"{name} (bench)", position=t)
        session.add(topic)
        session.flush()
        for difficulty in DIFFICULTIES:
            for n in range(PER_STRATUM):
                multiple = n == 0
                bank.append(Question(
                    contest_id=contest.id, topic_id=topic.id, difficulty=difficulty, multiple=multiple,
                    text=f"{name}: tình huống {difficulty} số {n + 1}. Bạn nên làm gì khi nhận được tin nhắn yêu "
                         "cầu cung cấp mã OTP để nhận quà tri ân khách hàng?",
                    explanation="Không bao giờ cung cấp mã OTP cho bất kỳ ai.", source="Cục An toàn thông tin",
                    version=1, is_active=True, created_at=now,
                    options=[QuestionOption(position=p, text=f"Phương án {p}: " + "trả lời " * 6,
                                            is_correct=(p in (1, 3)) if multiple else p == 2)
                             for p in range(1, 5)],
                ))  # fmt: skip
    session.add_all(bank)
    session.flush()

    def new_round(title, position, state, opens, closes, limit):
        quiz_round = QuizRound(contest_id=contest.id, title=title, position=position, opens_at=opens,
                               closes_at=closes, question_count=QUESTIONS, time_limit_seconds=limit, grace_seconds=15,
                               attempts_allowed=1, asks_prediction=True, state=state, opened_at=opens)  # fmt: skip
        session.add(quiz_round)
        session.flush()
        return quiz_round

    closed = new_round(CLOSED_ROUND, 1, RoundState.OPEN, now - timedelta(days=8), now - timedelta(days=1), 1200)
    live = new_round(OPEN_ROUND, 2, RoundState.OPEN, now - timedelta(hours=1), now + timedelta(days=1), 12 * 3600)

    # The open round: 200 participants with attempts under way (drawn by the service), 5 answers saved each.
    takers = []
    for n in range(TAKERS):
        person = Participant(contest_id=contest.id, full_name=f"Thí sinh {n}", phone=f"03{n:08d}",
                             phone_hash=f"bench-taker-{n}", phone_last4=f"{n:04d}"[-4:],
                             ward_unit_id=wards[n % len(wards)], birth_year=1980 + n % 30, consent_at=now,
                             return_token=secrets.token_urlsafe(24))  # fmt: skip
        session.add(person)
        takers.append(person)
    session.flush()
    answer_lines, page_lines = [], []
    key = handles.handle_key(SECRET_KEY)
    for n, person in enumerate(takers):
        attempt = quiz.start_attempt(session, live, person, now=now - timedelta(minutes=30), seed=n)
        for question in attempt.questions:
            # The option as the page names it: its handle for this attempt, under the bench server's secret.
            first = handles.option_handle(key, attempt, question.option_order[0])
            answer_lines.append(f"{person.return_token}\t{question.position}\t{first}")
            page_lines.append(f"{person.return_token}\t{question.position}")
            if question.position <= 5:
                quiz.save_answer(session, attempt, question.question_id, [question.option_order[1]],
                                 now=now - timedelta(minutes=25), quiz_round=live)  # fmt: skip
    # Position first: requests in flight at once are different participants, as in a round (one phone saves one
    # answer at a time).
    answer_lines.sort(key=lambda line: (int(line.split("\t")[1]), line))
    page_lines.sort(key=lambda line: (int(line.split("\t")[1]), line))
    for path, lines in ((answers_file(), answer_lines), (pages_file(), page_lines)):
        with open(path, "w") as handle:
            handle.write("\n".join(lines) + "\n")

    # The closed round: 100,000 participants, their attempts, 20 answers each (80% right), 1 in 20 never handed in.
    session.execute(insert(Participant), [
        {"contest_id": contest.id, "full_name": f"Người dự thi {n}", "phone": f"05{n:08d}",
         "phone_hash": f"bench-result-{n}", "phone_last4": f"{n % 10000:04d}", "ward_unit_id": wards[n % len(wards)],
         "birth_year": 1960 + n % 50, "locale": "vi", "consent_at": now - timedelta(days=8),
         "created_at": now - timedelta(days=8), "return_token": f"bench-result-token-{n:09d}"}
        for n in range(RESULTS_ATTEMPTS)
    ])  # fmt: skip
    people = session.scalars(
        select(Participant.id).where(Participant.phone_hash.like("bench-result-%")).order_by(Participant.id)
    ).all()
    opened = now - timedelta(days=8)
    attempts = []
    for n, pid in enumerate(people):
        started = opened + timedelta(seconds=n * 5)
        taken = 240_000 + (n * 7919) % 900_000
        attempts.append({
            "round_id": closed.id, "participant_id": pid, "number": 1, "seed": n, "question_total": QUESTIONS,
            "started_at": started, "deadline_at": started + timedelta(seconds=1200),
            "submitted_at": None if n % 20 == 0 else started + timedelta(milliseconds=taken + 5_000),
            "last_answer_at": started + timedelta(milliseconds=taken), "time_taken_ms": taken,
            "prediction": (n * 104_729) % 3_000, "prize_tied": False, "disqualification_reason": "",
        })  # fmt: skip
    session.execute(insert(QuizAttempt), attempts)
    if session.get_bind().dialect.name == "postgresql":
        # A load, not a request: no 30 s statement timeout, and the 2,000,000 answers consistent by construction
        # skip their foreign-key triggers (the bench connects as the superuser).
        session.execute(text("SET LOCAL statement_timeout = 0"))
        session.execute(text("SET LOCAL session_replication_role = replica"))
    question_ids = [q.id for q in bank[:QUESTIONS]]
    A, Q = QuizAttempt.__table__, Question.__table__
    # 1 in 40 answers everything right (the prediction's tie-break has work); the others about 4 in 5.
    right = or_(A.c.id % 40 == 0, (A.c.id * 31 + Q.c.id * 17) % 10 < 8)
    session.execute(
        insert(AttemptAnswer).from_select(
            ["attempt_id", "question_id", "chosen_option_ids", "is_correct", "saved_at"],
            select(A.c.id, Q.c.id, cast(literal("[2]"), JSON), right, A.c.last_answer_at).select_from(
                A.join(Q, and_(A.c.round_id == closed.id, Q.c.id.in_(question_ids)))
            ),
        )
    )
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL session_replication_role = origin"))
    correct = (
        select(func.count())
        .where(AttemptAnswer.attempt_id == QuizAttempt.id, AttemptAnswer.is_correct.is_(True))
        .scalar_subquery()
    )
    session.execute(  # what submission writes (the score, counted under the attempt's lock)
        update(QuizAttempt)
        .where(QuizAttempt.round_id == closed.id, QuizAttempt.submitted_at.is_not(None))
        .values(score=correct)
        .execution_options(synchronize_session=False)
    )
    ranking.close_round(session, closed, now=now - timedelta(days=1))


def _round_ids(ctx: Context) -> tuple[int, int, int]:
    from sqlalchemy import create_engine

    from app import normalise_database_url
    from contests.models import Contest, QuizRound

    engine = create_engine(normalise_database_url(ctx.database_url))
    try:
        with engine.connect() as conn:
            contest_id = conn.scalar(select(Contest.id).where(Contest.title == TITLE))
            rounds = dict(
                conn.execute(select(QuizRound.title, QuizRound.id).where(QuizRound.contest_id == contest_id)).all()
            )
    finally:
        engine.dispose()
    return contest_id, rounds[OPEN_ROUND], rounds[CLOSED_ROUND]


def _cookies(response) -> str:
    """Every cookie a response set (the session's and the device's), as a ``Cookie:`` value."""
    return "; ".join(session_cookie({"Set-Cookie": header}) for header in response.headers.get_all("Set-Cookie") or [])


def scenarios(ctx: Context) -> list[Scenario]:
    contest_id, live_id, closed_id = _round_ids(ctx)
    with open(pages_file()) as handle:
        token = handle.readline().split("\t")[0]
    status, headers, body = ctx.get(f"/contests/api/me/{token}/rounds/{live_id}/attempt")
    if status != 200:
        raise RuntimeError(f"the quiz attempt API answered {status}: {body[:300]!r}")
    csrf, cookie = json.loads(body)["csrf_token"], session_cookie(headers)
    ctx.facts.update(contest_id=contest_id, live_id=live_id, closed_id=closed_id)
    ctx.notes.append(
        f"Quiz: a bank of {len(TOPICS) * len(DIFFICULTIES) * PER_STRATUM} questions; an open round of {QUESTIONS} "
        f"questions with {TAKERS} attempts under way (the answer save's wrk connections: one participant each); a "
        f"closed round of {RESULTS_ATTEMPTS:,} attempts and {RESULTS_ATTEMPTS * QUESTIONS:,} answers. The quiz's "
        "rate limits are lifted for the bench, as the registration's are (one address sends everything)."
    )
    return [
        Scenario(
            f"quiz answer save API ({TAKERS} participants)",
            "write",
            "POST",
            f"/contests/api/me/{{1}}/rounds/{live_id}/answers",
            "200",
            headers=f"Cookie: {cookie}\nX-CSRFToken: {csrf}\nContent-Type: application/json",
            body='{"position": {2}, "options": ["{3}"]}',
            tokens_file=answers_file(),
            connections=TAKERS,
        ),
        Scenario(
            "quiz question page mid-attempt",
            "page",
            "GET",
            f"/contests/me/{{1}}/rounds/{live_id}/questions/{{2}}",
            "200",
            tokens_file=pages_file(),
        ),  # fmt: skip
        Scenario(
            f"quiz results page ({RESULTS_ATTEMPTS:,} attempts)",
            "page",
            "GET",
            f"/contests/rounds/{closed_id}/results",
            "200",
        ),  # fmt: skip
    ]


# --- the opening crowd -----------------------------------------------------------------------------------------


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def _ceiling_insert_rate(ctx: Context) -> float:
    """The ceiling's ``POST /insert`` requests per second, measured now (same run, same settings as its scenarios):
    what the crowd's rate is compared with."""
    from ..runner import Settings, ceiling_env, run_wrk

    if not ctx.ceiling:
        return 0.0
    settings = Settings.from_environment()
    runs = [run_wrk(ctx.ceiling, ceiling_env("write"), settings, settings.seconds) for _ in range(settings.rounds)]
    return statistics.mean(run.rps for run in runs)


def _follow(conn, location: str, cookie: str, stop: str) -> int:
    """Follow the redirects from ``location`` (GETs on the same connection) until a page answers: how many GETs it
    took; raises when the page is not a 200 whose path holds ``stop``."""
    for sent in range(1, 5):
        path = urllib.parse.urlsplit(location).path
        conn.request("GET", path, headers={"Cookie": cookie})
        response = conn.getresponse()
        response.read()
        if response.status in (301, 302, 303):
            location = response.headers.get("Location", "")
            continue
        if response.status != 200 or stop not in path:
            raise RuntimeError(f"{path} answered {response.status}")
        return sent
    raise RuntimeError("too many redirects after the start")


def opening_crowd(ctx: Context) -> tuple[str, bool]:
    """The opening of a round (issue 25): 2,000 new participants arrive evenly over 10 s; each loads the sign-up
    form, signs up (a new phone), starts the open round and follows the answer to its first question, on its own
    connection, as a phone's browser does. The figure is participants signed up and started per second (from the
    first arrival to the last first question) against the ceiling's ``POST /insert`` requests per second measured
    right after; every answer that is not the expected one is an error. The arrivals cap the rate at 200 a second."""
    from app.models import Unit  # noqa: F401 (the app's models, for the ward below)

    contest_id, live_id = ctx.facts["contest_id"], ctx.facts["live_id"]
    status, _headers, body = ctx.get(f"/contests/{contest_id}/join")
    ward = re.search(rb'<option value="(\d+)"', body)
    if status != 200 or not ward:
        return f"Opening crowd: the sign-up form answered {status} without a ward to choose.", False
    ward_id = ward.group(1).decode()
    starts, joins, requests, errors, lock = [], [], [], [], threading.Lock()
    began = time.monotonic()

    def one(n: int) -> None:
        time.sleep(max(0.0, began + n * SPIKE_SECONDS / SPIKE_PARTICIPANTS - time.monotonic()))
        conn = http.client.HTTPConnection("127.0.0.1", ctx.port, timeout=60)
        sent_requests = 0
        try:
            conn.request("GET", f"/contests/{contest_id}/join")
            response = conn.getresponse()
            page, cookie = response.read(), _cookies(response)
            token = page_csrf(page)
            form = urllib.parse.urlencode({"csrf_token": token, "full_name": f"Người dự thi mở vòng {n}",
                                           "phone": f"09{50_000_000 + n:08d}", "ward_id": ward_id, "birth_year": 1990,
                                           "consent": "y"})  # fmt: skip
            sent = time.monotonic()
            conn.request("POST", f"/contests/{contest_id}/join", body=form,
                         headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
            response = conn.getresponse()
            response.read()
            joined = time.monotonic() - sent
            home = response.headers.get("Location", "")
            if response.status != 303 or "/contests/me/" not in home:
                raise RuntimeError(f"sign-up answered {response.status}")
            participant = home.rstrip("/").split("/me/")[1].split("/")[0]
            cookie = "; ".join(c for c in (cookie, _cookies(response)) if c)
            sent = time.monotonic()
            conn.request("POST", f"/contests/me/{participant}/rounds/{live_id}/start",
                         body=urllib.parse.urlencode({"csrf_token": token}),
                         headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
            response = conn.getresponse()
            response.read()
            location = response.headers.get("Location", "")
            if response.status != 303 or f"/rounds/{live_id}" not in location:
                raise RuntimeError(f"start answered {response.status}")
            sent_requests = 3 + _follow(conn, location, cookie, "/questions/1")
            started = time.monotonic() - sent
            with lock:
                joins.append(joined)
                starts.append(started)
        except Exception as error:  # noqa: BLE001 (every failure is counted and the first shown)
            with lock:
                errors.append(f"{type(error).__name__}: {error}")
        finally:
            conn.close()
        with lock:
            requests.append(sent_requests)

    with ThreadPoolExecutor(SPIKE_THREADS) as pool:
        list(pool.map(one, range(SPIKE_PARTICIPANTS)))
    seconds = time.monotonic() - began
    rate = len(starts) / seconds
    ceiling = _ceiling_insert_rate(ctx)
    ratio = rate / ceiling if ceiling else 0.0
    p99_start, p99_join = _percentile(starts, 0.99), _percentile(joins, 0.99)
    ok = not errors and len(starts) == SPIKE_PARTICIPANTS and ratio >= 0.5
    line = (
        f"Opening crowd: {SPIKE_PARTICIPANTS} participants arriving over {SPIKE_SECONDS} s signed up and started "
        f"(sign-up form, sign-up, start, first question) in {seconds:.1f} s: {rate:.0f} a second, "
        f"{ratio:.0%} of the ceiling's /insert ({ceiling:.0f} req/s, measured right after; target ≥ 50%; the "
        f"arrivals cap it at {SPIKE_PARTICIPANTS / SPIKE_SECONDS:.0f} a second); {len(errors)} errors; start to first "
        f"question p50 {statistics.median(starts or [0]) * 1000:.0f} ms, p99 {p99_start * 1000:.0f} ms; sign-up p99 "
        f"{p99_join * 1000:.0f} ms; {statistics.mean(requests or [0]):.1f} requests per participant"
        + (f"; first error: {errors[0]}" if errors else "")
        + (" — met." if ok else " — MISSED.")
    )
    return line, ok


# --- closing 100,000 attempts ----------------------------------------------------------------------------------

CLOSE_RUNS = 3


def _vacuum(engine) -> None:
    """Leave the attempts as autovacuum keeps them over the week a round runs (no dead rows of the reset, fresh
    statistics), so that each run closes the same table."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE quiz_attempts" if engine.dialect.name == "postgresql" else "ANALYZE"))


def closing(ctx: Context) -> tuple[str, bool]:
    """The closed round opened again and closed by the service the scheduler runs (``ranking.close_round``), three
    times, each timed from the first statement to the commit; then, once, the 100,000 "results are out" messages
    queued (``rounds.tell_results``, a batch insert), timed apart: not part of the 5 s."""
    from app import create_app
    from app.extensions import db
    from contests.models import QuizAttempt, QuizRound, RoundState
    from contests.services import rounds
    from contests.services.rounds import ranking

    from ..runner import SECRET_KEY

    app = create_app({"SQLALCHEMY_DATABASE_URI": ctx.database_url, "SECRET_KEY": SECRET_KEY})
    timings, tell_seconds, results = [], 0.0, None
    with app.app_context():
        session = db.session
        quiz_round = session.get(QuizRound, ctx.facts["closed_id"])
        closed_at = quiz_round.closed_at
        before = session.execute(
            select(QuizAttempt.id, QuizAttempt.rank, QuizAttempt.prize).where(QuizAttempt.round_id == quiz_round.id)
            .order_by(QuizAttempt.id)
        ).all()  # fmt: skip
        for _ in range(CLOSE_RUNS):
            session.execute(
                update(QuizAttempt).where(QuizAttempt.round_id == quiz_round.id)
                .values(rank=None, prize=None, prize_tied=False).execution_options(synchronize_session=False)
            )  # fmt: skip
            quiz_round.state, quiz_round.closed_at = RoundState.OPEN, None
            quiz_round.ranked_count = quiz_round.all_correct_count = None
            session.commit()
            _vacuum(db.engine)
            started = time.perf_counter()
            results = ranking.close_round(session, quiz_round, now=closed_at)
            session.commit()
            timings.append(time.perf_counter() - started)
            quiz_round = session.get(QuizRound, ctx.facts["closed_id"])
        after = session.execute(
            select(QuizAttempt.id, QuizAttempt.rank, QuizAttempt.prize).where(QuizAttempt.round_id == quiz_round.id)
            .order_by(QuizAttempt.id)
        ).all()  # fmt: skip
        started = time.perf_counter()
        told = rounds.tell_results(session, quiz_round, now=closed_at)
        session.commit()
        tell_seconds = time.perf_counter() - started
        db.engine.dispose()
    same = [tuple(row) for row in before] == [tuple(row) for row in after]
    best, worst = min(timings), max(timings)
    ok = worst <= 5.0 and same and results is not None and results.ranked == RESULTS_ATTEMPTS
    line = (
        f"Closing {RESULTS_ATTEMPTS:,} attempts ({RESULTS_ATTEMPTS * QUESTIONS:,} answers; 1 in 20 never handed in, "
        f"graded at the close): {', '.join(f'{t:.2f}' for t in timings)} s in {CLOSE_RUNS} runs (target ≤ 5 s); "
        f"{results.ranked if results else 0:,} ranked, {results.all_correct if results else 0:,} all correct, "
        f"{results.prize_winners if results else 0} prizes, {len(results.ties) if results else 0} ties at a prize "
        f"boundary; ranks and prizes {'the same as at load' if same else 'DIFFERENT from the load'}; "
        f'best {best:.2f} s. Then {told:,} "results are out" messages queued in {tell_seconds:.2f} s (apart).'
        + (" — met." if ok else " — MISSED.")
    )
    return line, ok


register(Feature("contests", scenarios, load=load, checks=(Check("quiz opening crowd", opening_crowd),
                                                           Check("quiz closing", closing)), order=20))  # fmt: skip
