"""Route-guard rows of contests (tests/guards.py explains the table; tests/app/test_route_guards.py runs it)."""

from __future__ import annotations

import io
from datetime import timedelta

from tests.guards import ORGANIZER, PUBLIC, Request, Row, local


def quiz_join_body(r) -> dict:
    return {
        "full_name": "Đặng Thu Trang",
        "phone": "0933 123 456",
        "ward_id": str(r.ward_id),
        "birth_year": "2007",
        "cccd": "079207001234",
        "consent": "y",
    }


def quiz_round_body(r, title: str) -> dict:
    return {
        "title": title,
        "opens_at": local(r.now + timedelta(days=3)),
        "closes_at": local(r.now + timedelta(days=10)),
        "question_count": "4",
        "time_limit_minutes": "15",
        "attempts_allowed": "1",
        "prize_first": "1",
        "prize_second": "2",
        "prize_third": "3",
        "prize_consolation": "5",
        "asks_prediction": "y",
    }


def quiz_question_body(r, text: str) -> dict:
    from contests.models import QuizTopic  # noqa: F401 (the topic ids come from the records)

    body = {
        "topic_id": str(r.quiz.topic_id),
        "difficulty": "medium",
        "text": text,
        "explanation": "Mã OTP là chìa khóa tài khoản: không ai có quyền hỏi.",
        "source": "Cục An toàn thông tin",
        "options-0-text": "Không cung cấp cho bất kỳ ai",
        "options-0-is_correct": "y",
        "options-1-text": "Đọc cho nhân viên ngân hàng qua điện thoại",
    }
    return body


def quiz_import_body(r) -> dict:
    from tests.contests.records import question_import_csv

    return {"file": (io.BytesIO(question_import_csv()), "cau-hoi.csv")}


WRITES: dict[str, Row] = {
    # contests: the online quiz, citizens (the participant's token in the URL is their key)
    "contests.join": Row(
        PUBLIC,
        {
            "/contests/<int:contest_id>/join": lambda r: Request(
                f"/contests/{r.quiz.contest_id}/join", quiz_join_body(r)
            )
        },
        ok=303,
    ),
    "contests.return_by_phone": Row(
        PUBLIC,
        {
            "/contests/<int:contest_id>/return": lambda r: Request(
                f"/contests/{r.quiz.contest_id}/return", {"phone": r.quiz.phone}
            )
        },
        ok=303,  # a code is written and its SMS queued
    ),
    "contests.return_code": Row(
        PUBLIC,
        {
            "/contests/<int:contest_id>/return/code": lambda r: Request(
                f"/contests/{r.quiz.contest_id}/return/code", {"code": "123456"}
            )
        },
        ok=303,
        changes_db=False,  # no code was asked in this session: back to step 1 (tests/contests/test_return_views.py)
    ),
    "contests.return_resend": Row(
        PUBLIC,
        {"/contests/<int:contest_id>/return/resend": lambda r: Request(f"/contests/{r.quiz.contest_id}/return/resend")},
        ok=303,
        changes_db=False,  # likewise
    ),
    "contests.return_fallback": Row(
        PUBLIC,
        {
            "/contests/<int:contest_id>/return/other": lambda r: Request(
                f"/contests/{r.quiz.contest_id}/return/other",
                {"phone": r.quiz.phone, "birth_year": str(r.quiz.birth_year), "cccd_last4": "4321"},
            )
        },
        ok=303,  # the return token rotates
    ),
    "contests.forget_device": Row(
        PUBLIC,
        {"/contests/me/<token>/forget": lambda r: Request(f"/contests/me/{r.quiz.token}/forget")},
        ok=303,
        changes_db=False,  # the cookie goes; the participant and their answers stay
    ),
    "contests.start_round": Row(
        PUBLIC,
        {
            "/contests/me/<token>/rounds/<int:round_id>/start": lambda r: Request(
                f"/contests/me/{r.quiz.fresh_token}/rounds/{r.quiz.open_round_id}/start"
            )
        },
        ok=303,
    ),
    "contests.question": Row(
        PUBLIC,
        {
            "/contests/me/<token>/rounds/<int:round_id>/questions/<int:position>": lambda r: Request(
                f"/contests/me/{r.quiz.token}/rounds/{r.quiz.open_round_id}/questions/1",
                {"single": r.quiz.correct_first_handle, "go": "next"},
            )
        },
        ok=303,
    ),
    "contests.submit": Row(
        PUBLIC,
        {
            "/contests/me/<token>/rounds/<int:round_id>/submit": lambda r: Request(
                f"/contests/me/{r.quiz.token}/rounds/{r.quiz.open_round_id}/submit", {"prediction": "2"}
            )
        },
        ok=303,
    ),
    "contests.api_save_answer": Row(
        PUBLIC,
        {
            "/contests/api/me/<token>/rounds/<int:round_id>/answers": lambda r: Request(
                f"/contests/api/me/{r.quiz.token}/rounds/{r.quiz.open_round_id}/answers",
                json={"position": 1, "options": [r.quiz.correct_first_handle]},
            )
        },
        ok=200,
    ),
    # contests: the organizers' quiz pages
    "contests.edit_round": Row(
        ORGANIZER,
        {
            "/contests/<int:contest_id>/rounds/new": lambda r: Request(
                f"/contests/{r.quiz.contest_id}/rounds/new", quiz_round_body(r, "Tuần 3")
            ),
            "/contests/rounds/<int:round_id>/edit": lambda r: Request(
                f"/contests/rounds/{r.quiz.open_round_id}/edit",
                # An open round: only its title and a later close may change (the rest as it is).
                quiz_round_body(r, "Tuần 2 (sửa)")
                | {
                    "opens_at": local(r.now - timedelta(hours=1)),
                    "prize_second": "1",
                    "prize_third": "1",
                    "prize_consolation": "1",
                    "pool_topic_ids": str(r.quiz.open_pool_topic_id),
                },
            ),
        },
    ),
    "contests.close_round": Row(
        ORGANIZER,
        {
            "/contests/rounds/<int:round_id>/close": lambda r: Request(
                f"/contests/rounds/{r.quiz.open_round_id}/close", {"confirm": "1"}
            )
        },
    ),
    "contests.open_round": Row(
        ORGANIZER,
        {
            "/contests/rounds/<int:round_id>/open": lambda r: Request(
                f"/contests/rounds/{r.quiz.later_round_id}/open", {"confirm": "1"}
            )
        },
    ),
    "contests.recompute_round": Row(
        ORGANIZER,
        {
            "/contests/rounds/<int:round_id>/recompute": lambda r: Request(
                f"/contests/rounds/{r.quiz.closed_round_id}/recompute", {"confirm": "1"}
            )
        },
        changes_db=False,  # the same answers give the same results
    ),
    "contests.populations": Row(
        ORGANIZER,
        {
            "/contests/<int:contest_id>/populations": lambda r: Request(
                f"/contests/{r.quiz.contest_id}/populations",
                {"units-0-unit_id": str(r.other_ward_id), "units-0-population": "18000"},
            )
        },
    ),
    "contests.edit_question": Row(
        ORGANIZER,
        {
            "/contests/<int:contest_id>/questions/new": lambda r: Request(
                f"/contests/{r.quiz.contest_id}/questions/new", quiz_question_body(r, "Ai được hỏi mã OTP của bạn?")
            ),
            "/contests/questions/<int:question_id>/edit": lambda r: Request(
                f"/contests/questions/{r.quiz.question_id}/edit", quiz_question_body(r, "Câu hỏi đã sửa về mã OTP")
            ),
        },
    ),
    "contests.import_questions": Row(
        ORGANIZER,
        {
            "/contests/<int:contest_id>/questions/import": lambda r: Request(
                f"/contests/{r.quiz.contest_id}/questions/import",
                quiz_import_body(r),
                content_type="multipart/form-data",
            )
        },
    ),
    "contests.disqualify": Row(
        ORGANIZER,
        {
            "/contests/attempts/<int:attempt_id>/disqualify": lambda r: Request(
                f"/contests/attempts/{r.quiz.closed_attempt_id}/disqualify", {"reason": "Trả lời 4 câu trong 5 giây"}
            )
        },
        ok=303,
    ),
    "contests.reinstate": Row(
        ORGANIZER,
        {
            "/contests/attempts/<int:attempt_id>/reinstate": lambda r: Request(
                f"/contests/attempts/{r.quiz.disqualified_attempt_id}/reinstate",
                {"reason": "Đã gọi điện xác minh: người thật tự làm bài", "back": "ranking"},
            )
        },
        ok=303,
    ),
    "contests.detect_flags_now": Row(
        ORGANIZER,
        {
            "/contests/rounds/<int:round_id>/flags/detect": lambda r: Request(
                f"/contests/rounds/{r.quiz.closed_round_id}/flags/detect"
            )
        },
        ok=303,  # the round's flags_checked_at is written (and any new flag)
    ),
    "contests.retire_question": Row(
        ORGANIZER,
        {
            "/contests/questions/<int:question_id>/retire": lambda r: Request(
                f"/contests/questions/{r.quiz.question_id}/retire", {"retire": "1"}
            )
        },
        ok=303,
    ),
    "contests.topics_page": Row(
        ORGANIZER,
        {
            "/contests/<int:contest_id>/topics": lambda r: Request(
                f"/contests/{r.quiz.contest_id}/topics", {"name": "Thanh toán không dùng tiền mặt"}
            )
        },
        ok=303,
    ),
    "contests.flag_reviewed": Row(
        ORGANIZER,
        {"/contests/flags/<int:flag_id>/reviewed": lambda r: Request(f"/contests/flags/{r.quiz.flag_id}/reviewed")},
        ok=303,
    ),
}
