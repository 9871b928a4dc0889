"""Errors speak the request's language: the account's choice, else Accept-Language, else English. The code, the
shape and each detail's type stay the same in every language; only the words a person reads change."""

import uuid

from sqlalchemy import select

from fusioncell.access.models import User

HTML = {"accept": "text/html"}
MISSING = f"/api/v1/incidents/{uuid.uuid4()}"
NO_RECORD = {"en": "No such record.", "ar": "لا يوجد سجل كهذا.", "he": "אין רשומה כזו."}


def error_of(response, status: int) -> dict:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert set(error) == {"code", "message", "details"}
    return error


def test_a_404_speaks_the_accept_language(client, as_):
    for language in ("ar", "he"):
        error = error_of(client.get(MISSING, headers=as_("ISR") | {"accept-language": language}), 404)
        assert error == {"code": "not_found", "message": NO_RECORD[language], "details": None}
    assert error_of(client.get(MISSING, headers=as_("ISR")), 404)["message"] == NO_RECORD["en"]
    assert (
        error_of(client.get(MISSING, headers=as_("ISR") | {"accept-language": "fr"}), 404)["message"]
        == (NO_RECORD["en"])
    )


def test_a_refused_body_speaks_the_accept_language_and_keeps_its_types(client, as_):
    def refused(language: str | None) -> dict:
        headers = as_("ISR") | ({"accept-language": language} if language else {})
        return error_of(client.post("/api/v1/messages", json={"body": "x" * 3}, headers=headers), 422)

    english, arabic, hebrew = refused(None), refused("ar"), refused("he")
    assert english["message"] == "The request is not valid: body.channel: Field required"
    assert english["details"] == [{"field": "body.channel", "problem": "Field required", "type": "missing"}]
    assert arabic["code"] == hebrew["code"] == "invalid"
    assert arabic["message"] == "الطلب غير صالح: body.channel: الحقل مطلوب"
    assert arabic["details"] == [{"field": "body.channel", "problem": "الحقل مطلوب", "type": "missing"}]
    assert hebrew["message"] == "הבקשה אינה תקינה: body.channel: שדה חובה"
    assert hebrew["details"] == [{"field": "body.channel", "problem": "שדה חובה", "type": "missing"}]


def test_a_service_s_own_refusal_speaks_the_accept_language(client, as_):
    def refused(language: str | None) -> dict:
        headers = as_("ISR") | ({"accept-language": language} if language else {})
        return error_of(client.post("/api/v1/messages", json={"channel": "nowhere", "body": "x"}, headers=headers), 422)

    english, arabic, hebrew = refused(None), refused("ar"), refused("he")
    assert english["message"] == "unknown channel 'nowhere'"
    assert arabic["message"] == "قناة غير معروفة 'nowhere'"
    assert hebrew["message"] == "ערוץ לא מוכר 'nowhere'"
    assert arabic["details"] == hebrew["details"] == english["details"] == {"channel": "nowhere"}


def test_an_account_that_chose_hebrew_gets_hebrew_errors_with_its_token(client, db, as_):
    db.execute(select(User).where(User.username == "isr.liaison")).scalar_one().language = "he"
    db.commit()
    headers = as_("ISR", "liaison")
    assert error_of(client.get(MISSING, headers=headers), 404)["message"] == NO_RECORD["he"]
    # the account's choice wins over the client's header
    assert (
        error_of(client.get(MISSING, headers=headers | {"accept-language": "ar"}), 404)["message"] == (NO_RECORD["he"])
    )
    refused = error_of(client.post("/api/v1/messages", json={"body": "x"}, headers=headers), 422)
    assert refused["details"] == [{"field": "body.channel", "problem": "שדה חובה", "type": "missing"}]


def test_a_login_refusal_speaks_the_accept_language(client):
    response = client.post(
        "/api/v1/auth/login", json={"username": "nobody", "password": "wrong"}, headers={"accept-language": "ar"}
    )
    assert error_of(response, 401) == {
        "code": "unauthenticated",
        "message": "اسم المستخدم أو كلمة المرور غير صحيحة.",
        "details": None,
    }


def test_a_page_s_404_speaks_arabic(browser):
    page = browser("isr.liaison")
    response = page.get(f"/incidents/{uuid.uuid4()}", headers=HTML | {"accept-language": "ar"})
    assert response.status_code == 404
    assert 'dir="rtl"' in response.text and NO_RECORD["ar"] in response.text and "No such record" not in response.text
