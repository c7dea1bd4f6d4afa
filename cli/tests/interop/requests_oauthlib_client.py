"""Drives `gdauth serve` with Python's requests-oauthlib (oauthlib), a third-party OAuth 1.0a
client: the three-legged dance with the protocol parameters in the Authorization header, in
the query and in a form body; RSA-SHA1 with an oob verifier; two-legged; feeds in and out of
scope; revocation. Exits non-zero with a message on the first unexpected answer.

Usage: requests_oauthlib_client.py BASE_URL RSA_PRIVATE_KEY_PEM
The server must run with --consumer app.example.com:app-secret, --rsa-consumer
rsa.example.com:<the matching certificate>, --user alice@example.com:pw and --auto-approve.
"""
import re
import sys

import requests
from oauthlib.oauth1 import SIGNATURE_RSA
from requests_oauthlib import OAuth1, OAuth1Session

BASE, RSA_KEY = sys.argv[1], open(sys.argv[2]).read()
CALENDAR = "https://www.google.com/calendar/feeds/"
FEED = BASE + "/calendar/feeds/default/private/full"


def expect(resp, status, what):
    if resp.status_code != status:
        sys.exit(f"{what}: expected {status}, got {resp.status_code}: {resp.text[:200]}")
    print(f"ok {what}: {status}")


def oob_verifier(session):
    page = requests.get(session.authorization_url(BASE + "/accounts/OAuthAuthorizeToken"))
    match = re.search(r'id="verifier"[^>]*>([^<]+)<', page.text)
    if not match:
        sys.exit("no verifier on the oob page")
    session._client.client.verifier = match.group(1).strip()


def hmac_dance(signature_type):
    callback = "oob" if signature_type == "BODY" else "https://app.example.com/cb?x=1"
    s = OAuth1Session("app.example.com", client_secret="app-secret",
                      callback_uri=callback, signature_type=signature_type)
    url = BASE + "/accounts/OAuthGetRequestToken"
    if signature_type == "BODY":
        token = s.fetch_request_token(url, data={"scope": CALENDAR})
    else:
        token = s.fetch_request_token(url + "?scope=" + requests.utils.quote(CALENDAR, safe=""))
    if token.get("oauth_callback_confirmed") != "true":
        sys.exit("oauth_callback_confirmed missing")
    if callback == "oob":
        oob_verifier(s)
    else:
        redirect = requests.get(s.authorization_url(BASE + "/accounts/OAuthAuthorizeToken"),
                                allow_redirects=False)
        expect(redirect, 302, f"{signature_type} approval redirect")
        s.parse_authorization_response(redirect.headers["Location"])
    s.fetch_access_token(BASE + "/accounts/OAuthGetAccessToken")
    print(f"ok {signature_type} access token")
    if signature_type != "BODY":  # oauthlib refuses a GET with a signed body
        expect(s.get(FEED + "?max-results=3&q=a+b&empty="), 200, f"{signature_type} GET feed")
        expect(s.get(BASE + "/feeds/documents/private/full"), 401,
               f"{signature_type} out-of-scope feed")
    expect(s.post(FEED, data={"q": "meeting notes", "e": "", "t": "~*+/"}), 200,
           f"{signature_type} POST feed with a form body")
    expect(s.post(BASE + "/accounts/AuthSubRevokeToken", data={"a": "b"}), 200,
           f"{signature_type} revoke")
    expect(s.post(FEED, data={"a": "b"}), 401, f"{signature_type} revoked token")


def rsa_dance():
    s = OAuth1Session("rsa.example.com", signature_method=SIGNATURE_RSA, rsa_key=RSA_KEY,
                      callback_uri="oob")
    s.fetch_request_token(BASE + "/accounts/OAuthGetRequestToken?scope="
                          + requests.utils.quote("https://www.google.com/m8/feeds/", safe=""))
    oob_verifier(s)
    s.fetch_access_token(BASE + "/accounts/OAuthGetAccessToken")
    expect(s.get(BASE + "/m8/feeds/contacts/default/full"), 200, "RSA-SHA1 feed")


def two_legged():
    auth = OAuth1("app.example.com", client_secret="app-secret")
    expect(requests.get(FEED, params={"xoauth_requestor_id": "alice@example.com"}, auth=auth),
           200, "two-legged feed")
    bad = OAuth1("app.example.com", client_secret="wrong")
    expect(requests.get(FEED, params={"xoauth_requestor_id": "alice@example.com"}, auth=bad),
           401, "two-legged with a wrong secret")


for placement in ("AUTH_HEADER", "QUERY", "BODY"):
    hmac_dance(placement)
rsa_dance()
two_legged()
print("interop: all passed")
