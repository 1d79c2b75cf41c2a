"""CSRF protection stays on for these tests (the other suites switch it off for brevity)."""
from tests.conftest import DEMO_PASSWORD, csrf_token_from


def test_post_without_token_is_refused_with_a_friendly_page(csrf_app):
    client = csrf_app.test_client()
    response = client.post("/login", data={"username": "liuchu", "password": DEMO_PASSWORD})
    assert response.status_code == 400
    assert "页面已过期或表单校验失败" in response.get_data(as_text=True)


def test_post_with_token_from_the_form_works_and_logout_needs_it_too(csrf_app):
    client = csrf_app.test_client()
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"username": "liuchu", "password": DEMO_PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    assert client.post("/logout").status_code == 400  # a forged logout link cannot end the session
    assert client.get("/bureau/").status_code == 200
    token = csrf_token_from(client.get("/bureau/").get_data(as_text=True))
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/bureau/").status_code == 302


def test_token_from_another_session_is_refused(csrf_app):
    first, second = csrf_app.test_client(), csrf_app.test_client()
    token = csrf_token_from(first.get("/login").get_data(as_text=True))
    second.get("/login")
    response = second.post("/login", data={"username": "liuchu", "password": DEMO_PASSWORD, "csrf_token": token})
    assert response.status_code == 400
