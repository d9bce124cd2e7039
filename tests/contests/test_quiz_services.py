"""Taking a round: the stratified draw, option order, start, save, submit and grading, and question versions."""

from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from contests.models import AttemptAnswer, Question, QuizAttempt
from contests.services import attempts as service
from contests.services import questions
from contests.services.attempts import BankEntry, draw, is_correct_choice

from .conftest import NOW
from .shown import shown_questions


def _bank(spread):
    entries, n = [], 0
    for (topic, difficulty), count in spread.items():
        for _ in range(count):
            n += 1
            entries.append(BankEntry(n, topic, difficulty))
    return entries


BANK = _bank({(1, "easy"): 20, (1, "hard"): 10, (2, "easy"): 10, (2, "medium"): 30, (3, "hard"): 30})


def test_the_draw_takes_each_stratum_in_proportion_to_its_size():
    stratum = {e.question_id: (e.topic_id, e.difficulty) for e in BANK}
    for seed in range(50):
        drawn = draw(BANK, 20, seed)
        counts = Counter(stratum[qid] for qid in drawn)
        # exact shares are 4, 2, 2, 6, 6 of 20 (sizes 20, 10, 10, 30, 30 of 100)
        assert counts == {(1, "easy"): 4, (1, "hard"): 2, (2, "easy"): 2, (2, "medium"): 6, (3, "hard"): 6}


def test_shares_that_do_not_divide_evenly_stay_within_one_question_of_the_proportion():
    stratum = {e.question_id: (e.topic_id, e.difficulty) for e in BANK}
    sizes = Counter(stratum.values())
    for seed in range(50):
        counts = Counter(stratum[qid] for qid in draw(BANK, 7, seed))
        assert sum(counts.values()) == 7
        for key, size in sizes.items():
            assert abs(counts[key] - 7 * size / 100) < 1


def test_the_draw_never_repeats_a_question_and_is_reproducible_with_its_seed():
    first = draw(BANK, 30, seed=424242)
    assert len(first) == len(set(first)) == 30
    assert draw(list(reversed(BANK)), 30, seed=424242) == first  # the bank's order does not matter
    assert draw(BANK, 30, seed=424243) != first
    assert sorted(draw(BANK, 100, seed=1)) == list(range(1, 101))


def test_a_bank_smaller_than_the_round_is_refused():
    with pytest.raises(service.BankTooSmall):
        draw(BANK[:3], 4, seed=1)


@pytest.mark.parametrize(
    ("correct", "chosen", "right"),
    [
        ({2}, {2}, True),
        ({2}, {3}, False),
        ({1, 3}, {1, 3}, True),
        ({1, 3}, {1}, False),  # no part marks
        ({1, 3}, {1, 3, 4}, False),  # a wrong option spoils it
        ({1, 3}, set(), False),
        (set(), set(), False),
    ],
)
def test_grading_single_and_multiple_answers(correct, chosen, right):
    assert is_correct_choice(correct, chosen) is right


def test_starting_twice_gives_the_same_attempt_with_its_draw_and_option_order(quiz):
    person = quiz.participant()
    first = service.start_attempt(quiz.session, quiz.round, person, now=NOW, seed=77)
    again = service.start_attempt(quiz.session, quiz.round, person, now=NOW + timedelta(seconds=30), seed=99)
    assert again.id == first.id and again.seed == 77
    assert first.deadline_at == NOW + timedelta(minutes=10)
    shown = shown_questions(quiz.session, first)
    assert len(shown) == 5 and len({q.question_id for q in shown}) == 5
    # the same seed for another person draws the same questions in the same option order
    other = service.start_attempt(quiz.session, quiz.round, quiz.participant(), now=NOW, seed=77)
    assert [(q.question_id, [o.id for o in q.options]) for q in shown_questions(quiz.session, other)] == [
        (q.question_id, [o.id for o in q.options]) for q in shown
    ]
    assert quiz.session.scalar(select(func.count(QuizAttempt.id))) == 2


def test_options_are_shuffled_per_attempt_and_shown_without_the_key(quiz):
    orders = set()
    for seed in range(8):
        attempt = service.start_attempt(quiz.session, quiz.round, quiz.participant(), now=NOW, seed=seed)
        question = shown_questions(quiz.session, attempt, position=1)[0]
        orders.add(tuple(o.id for o in question.options))
        assert not hasattr(question.options[0], "is_correct") and not hasattr(question, "explanation")
    assert len(orders) > 1


def test_a_round_that_is_not_open_cannot_be_started(quiz):
    quiz.round.state = "scheduled"
    with pytest.raises(service.RoundNotOpen):
        service.start_attempt(quiz.session, quiz.round, quiz.participant(), now=NOW, seed=1)


def test_saving_is_an_idempotent_upsert_and_the_time_taken_runs_to_the_last_change(quiz):
    attempt = service.start_attempt(quiz.session, quiz.round, quiz.participant(), now=NOW, seed=5)
    question = shown_questions(quiz.session, attempt, position=1)[0]
    full = quiz.session.get(Question, question.question_id)
    right = full.correct_option_ids if full.multiple else full.correct_option_ids[:1]
    wrong = [o.id for o in full.options if not o.is_correct][:1]
    service.save_answer(quiz.session, attempt, question.question_id, wrong, now=NOW + timedelta(seconds=20))
    answer = service.save_answer(quiz.session, attempt, question.question_id, right, now=NOW + timedelta(seconds=40))
    assert answer.is_correct and answer.chosen_option_ids == sorted(right)
    # the same choice sent again (a retry, a second tab) changes nothing, not even the time taken
    service.save_answer(quiz.session, attempt, question.question_id, right, now=NOW + timedelta(seconds=90))
    assert quiz.session.scalar(select(func.count()).select_from(AttemptAnswer)) == 1
    assert attempt.time_taken_ms == 40_000 and attempt.last_answer_at == NOW + timedelta(seconds=40)
    assert shown_questions(quiz.session, attempt, position=1)[0].chosen == tuple(sorted(right))


def test_an_answer_after_the_deadline_and_its_grace_is_refused_and_the_saved_one_stays(quiz):
    attempt = service.start_attempt(quiz.session, quiz.round, quiz.participant(), now=NOW, seed=5)
    question = shown_questions(quiz.session, attempt, position=1)[0]
    first, second = question.options[0].id, question.options[1].id
    service.save_answer(quiz.session, attempt, question.question_id, [first], now=NOW + timedelta(minutes=9))
    # inside the grace (deadline + 15 s): still saved
    service.save_answer(
        quiz.session, attempt, question.question_id, [second], now=attempt.deadline_at + timedelta(seconds=15)
    )
    with pytest.raises(service.DeadlinePassed):
        service.save_answer(
            quiz.session, attempt, question.question_id, [first], now=attempt.deadline_at + timedelta(seconds=16)
        )
    assert quiz.session.get(AttemptAnswer, (attempt.id, question.question_id)).chosen_option_ids == [second]


def test_answers_must_belong_to_the_attempt_and_a_single_answer_question_takes_one_option(quiz):
    attempt = service.start_attempt(quiz.session, quiz.round, quiz.participant(), now=NOW, seed=5)
    drawn = {q.question_id for q in shown_questions(quiz.session, attempt)}
    outside = next(q for q in quiz.questions if q.id not in drawn)
    with pytest.raises(service.InvalidAnswer):
        service.save_answer(quiz.session, attempt, outside.id, [outside.options[0].id], now=NOW)
    single = next(q for q in quiz.questions if q.id in drawn and not q.multiple)
    with pytest.raises(service.InvalidAnswer):
        service.save_answer(quiz.session, attempt, single.id, [o.id for o in single.options[:2]], now=NOW)
    with pytest.raises(service.InvalidAnswer):
        service.save_answer(quiz.session, attempt, single.id, [outside.options[0].id], now=NOW)


def test_submit_grades_the_saved_answers_once_and_refuses_after_the_deadline(quiz):
    attempt = service.start_attempt(quiz.session, quiz.round, quiz.participant(), now=NOW, seed=3)
    for shown in shown_questions(quiz.session, attempt)[:3]:
        key = quiz.session.get(Question, shown.question_id).correct_option_ids
        service.save_answer(quiz.session, attempt, shown.question_id, key, now=NOW + timedelta(seconds=shown.position))
    service.submit(quiz.session, attempt, now=NOW + timedelta(minutes=2), prediction=12)
    assert (attempt.score, attempt.prediction, attempt.submitted_at) == (3, 12, NOW + timedelta(minutes=2))
    service.submit(quiz.session, attempt, now=NOW + timedelta(minutes=3))  # double submit: the first stands
    assert attempt.submitted_at == NOW + timedelta(minutes=2)
    with pytest.raises(service.AttemptSubmitted):
        service.save_answer(quiz.session, attempt, shown.question_id, key, now=NOW + timedelta(minutes=4))
    late = service.start_attempt(quiz.session, quiz.round, quiz.participant(), now=NOW, seed=4)
    with pytest.raises(service.DeadlinePassed):
        service.submit(quiz.session, late, now=late.deadline_at + timedelta(seconds=16))
    assert late.submitted_at is None


def test_one_attempt_per_person_unless_the_round_allows_more(quiz):
    person = quiz.participant()
    attempt = service.start_attempt(quiz.session, quiz.round, person, now=NOW, seed=3)
    service.submit(quiz.session, attempt, now=NOW + timedelta(minutes=1))
    with pytest.raises(service.NoAttemptsLeft):
        service.start_attempt(quiz.session, quiz.round, person, now=NOW + timedelta(minutes=2), seed=4)
    quiz.round.attempts_allowed = 2
    second = service.start_attempt(quiz.session, quiz.round, person, now=NOW + timedelta(minutes=2), seed=4)
    assert second.number == 2 and second.id != attempt.id


def test_a_question_drawn_by_an_attempt_is_versioned_not_edited_in_place(quiz):
    attempt = service.start_attempt(quiz.session, quiz.round, quiz.participant(), now=NOW, seed=3)
    used = quiz.session.get(Question, shown_questions(quiz.session, attempt, position=1)[0].question_id)
    old_text = used.text
    newer = questions.edit_question(quiz.session, used, now=NOW, text="Câu hỏi đã sửa", explanation="Giải thích mới")
    assert newer.id != used.id and newer.version == 2 and newer.is_active
    assert (used.text, used.is_active, used.replaced_by_id) == (old_text, False, newer.id)
    assert [o.text for o in newer.options] == [o.text for o in used.options]
    assert shown_questions(quiz.session, attempt, position=1)[0].text == old_text
    assert questions.is_in_open_round(quiz.session, used)
    unused = next(q for q in quiz.questions if not questions.is_in_use(quiz.session, q))
    same = questions.edit_question(quiz.session, unused, now=NOW, text="Sửa tại chỗ")
    assert same.id == unused.id and same.version == 1 and same.text == "Sửa tại chỗ"
    with pytest.raises(service.InvalidAnswer):
        questions.edit_question(quiz.session, same, now=NOW, options=[("Chỉ một", True)])


def test_a_start_after_a_question_is_versioned_draws_from_the_bank_as_it_is_now(quiz):
    """Starts draw from a bank kept per version (the opening's crowd): a new version must show at the next start."""
    first = service.start_attempt(quiz.session, quiz.round, quiz.participant(), now=NOW, seed=3)
    drawn = {q.question_id for q in shown_questions(quiz.session, first)}
    used = quiz.session.get(Question, min(drawn))
    newer = questions.edit_question(quiz.session, used, now=NOW, text="Câu hỏi đã sửa", options=[("Đúng", True),
                                  ("Sai", False), ("Sai nữa", False)])  # fmt: skip
    for seed in range(20):
        later = service.start_attempt(quiz.session, quiz.round, quiz.participant(), now=NOW, seed=seed)
        shown = {q.question_id: q for q in shown_questions(quiz.session, later)}
        assert used.id not in shown
        if newer.id in shown:
            assert len(shown[newer.id].options) == 3  # the new version's own options, not the old ones
            break
    else:
        raise AssertionError("the new version was never drawn")


def test_answers_arriving_out_of_order_never_move_the_last_change_backwards(quiz):
    attempt = service.start_attempt(quiz.session, quiz.round, quiz.participant(), now=NOW, seed=8)
    first, second = shown_questions(quiz.session, attempt)[:2]
    service.save_answer(
        quiz.session, attempt, first.question_id, [first.options[0].id], now=NOW + timedelta(seconds=40)
    )
    service.save_answer(
        quiz.session, attempt, second.question_id, [second.options[0].id], now=NOW + timedelta(seconds=30)
    )
    assert attempt.time_taken_ms == 40_000 and attempt.last_answer_at == NOW + timedelta(seconds=40)
    assert quiz.session.scalar(select(func.count()).select_from(AttemptAnswer)) == 2


def test_saving_an_answer_is_a_handful_of_statements(quiz, count_queries):
    attempt = service.start_attempt(quiz.session, quiz.round, quiz.participant(), now=NOW, seed=8)
    shown = shown_questions(quiz.session, attempt)
    quiz.session.commit()
    with count_queries() as statements:
        for n, question in enumerate(shown):
            service.save_answer(
                quiz.session,
                attempt,
                question.question_id,
                [question.options[0].id],
                now=NOW + timedelta(seconds=10 + n),
                quiz_round=quiz.round,
            )
    # per save: the question's options, the saved answer, the attempt (claimed), the upsert; nothing per option
    assert len(statements) <= 4 * len(shown) + 2, statements
