import pytest
from django.test import Client


@pytest.fixture
def person(db):
    """A signed-up person (made through the sign-up page) and their signed-in client."""

    def make(username="quiet-river", passphrase="lantern harbour pebble", timezone="America/Chicago"):
        client = Client()
        response = client.post(
            "/me/signup",
            {"username": username, "passphrase": passphrase, "passphrase2": passphrase, "timezone": timezone},
        )
        assert response.status_code == 200, response.content.decode()[:2000]
        codes = [c.strip() for c in response.content.decode().split("<code>")[1:]]
        client.codes = [c.split("</code>")[0] for c in codes]
        client.username, client.passphrase = username, passphrase
        return client

    return make
