

def test_dashboard_shows_the_allocation_rate_against_the_plan_target(login_as, page_get):
    html = page_get(login_as("liuchu"), "/bureau/")
    assert "规划目标" in html and "目标 ≥ 90%" in html and "规划 §4(1)" in html
