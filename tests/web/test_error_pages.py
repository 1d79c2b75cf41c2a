"""Error pages are friendly, in the user's language, and a crash never shows a traceback."""
from housing_security.web.access import public


def test_unexpected_exception_gives_friendly_500_and_rolls_back(make_app):
    app = make_app()
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.route("/__boom")
    @public
    def boom():
        raise RuntimeError("secret internals")

    response = app.test_client().get("/__boom")
    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "系统出错" in html and "secret internals" not in html and "Traceback" not in html


def test_403_page_for_wrong_role(login_as):
    response = login_as("lixiulan").get("/bureau/")
    assert response.status_code == 403 and "无权访问" in response.get_data(as_text=True)


def test_error_page_in_english_when_chosen(client):
    client.post("/language", data={"language": "en"})
    response = client.get("/missing-page")
    assert response.status_code == 404
    assert '<html lang="en">' in response.get_data(as_text=True)
