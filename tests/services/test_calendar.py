"""Working days and months for review periods, publicity and re-verification."""
from datetime import date

from housing_security.services.calendar import WorkingCalendar, add_months, end_of_month, review_due


def test_weekends_are_skipped():
    calendar = WorkingCalendar()
    assert calendar.add_working_days(date(2025, 3, 7), 1) == date(2025, 3, 10)  # Friday → Monday
    assert calendar.add_working_days(date(2025, 3, 3), 5) == date(2025, 3, 10)
    assert calendar.working_days_between(date(2025, 3, 3), date(2025, 3, 10)) == 5
    assert calendar.working_days_between(date(2025, 3, 10), date(2025, 3, 3)) == -5


def test_holidays_and_makeup_days():
    calendar = WorkingCalendar(holidays=["2026-10-01", "2026-10-02", "2026-10-05"], makeup_days=["2026-10-10"])
    assert not calendar.is_working_day(date(2026, 10, 1))
    assert calendar.is_working_day(date(2026, 10, 10))  # a Saturday worked in exchange
    assert calendar.add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 6)


def test_city_calendar_uses_the_parameter_pack():
    # 2026 National Day: 1–7 October off, Saturday 10 October worked.
    assert review_due("taiyuan", "street_review", date(2026, 9, 30)) == date(2026, 10, 13)
    assert review_due("taiyuan", "district_review", date(2026, 11, 2)) == date(2026, 11, 11)
    assert review_due("taiyuan", "publicity", date(2026, 11, 2)) is None


def test_months_clip_to_the_month_end():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert add_months(date(2026, 11, 26), -6) == date(2026, 5, 26)
    assert end_of_month(date(2026, 2, 3)) == date(2026, 2, 28)
