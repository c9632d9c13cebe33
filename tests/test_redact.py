"""Secrets never survive into what is matched, stored, logged or echoed."""

from __future__ import annotations

import pytest

from bot.engine.redact import MASK, redact

SECRETS = [
    ('curl -H "Authorization: Bearer abcdefghijklmnop123456"', "abcdefghijklmnop123456"),
    ("token: eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjM0NSJ9.c2lnbmF0dXJl", "eyJhbGciOiJSUzI1NiJ9"),
    ("https://acct.blob.core.windows.net/c/m.pkl?sv=2022-11-02&sig=AbC%2Fdef123%3D&se=2024", "AbC%2Fdef123"),
    ("DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=Zm9vYmFyYmF6cXV4==;EndpointSuffix=x",
     "Zm9vYmFyYmF6cXV4"),
    ('{"primaryKey": "a1b2c3d4e5f6a7b8c9d0a1b2c3d4e5f6", "secondaryKey": "ffffeeeeddddccccbbbbaaaa99998888"}',
     "a1b2c3d4e5f6a7b8c9d0a1b2c3d4e5f6"),
    ("postgresql://admin:hunter2secret@db.example:5432/app", "hunter2secret"),
    ("Endpoint=sb://x.servicebus.windows.net/;SharedAccessKeyName=r;SharedAccessKey=c2VjcmV0a2V5==", "c2VjcmV0a2V5"),
    ("api-key: 0123456789abcdef0123456789abcdef", "0123456789abcdef0123456789abcdef"),
    ("password=Sommer2024!", "Sommer2024!"),
]


@pytest.mark.parametrize("text, secret", SECRETS)
def test_secret_is_masked(text, secret):
    cleaned = redact(text)
    assert secret not in cleaned
    assert MASK in cleaned


def test_ordinary_text_is_left_alone():
    text = "ERROR: (OutOfQuota) Not enough quota for Standard_DS3_v2 in westeurope; key_auth_access_denied"
    assert redact(text) == text


def test_diagnosis_never_carries_a_secret(shipped_index):
    from bot.engine.diagnose import diagnose

    text = "401 Unauthorized calling https://ep.westeurope.inference.ml.azure.com/score " \
           "with Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjM0NSJ9.c2lnbmF0dXJl"
    diagnosis = diagnose(text, shipped_index)
    assert "eyJhbGci" not in diagnosis.extraction.text
    assert all("eyJhbGci" not in ev.text for m in diagnosis.matches for ev in m.evidence)
