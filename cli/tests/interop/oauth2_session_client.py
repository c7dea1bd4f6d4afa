"""Drives `gdauth serve`'s OAuth 2.0 code and device flows with third-party clients:
requests-oauthlib's `OAuth2Session` (oauthlib) for the web-server flow with PKCE S256,
`access_type=offline` and `prompt=consent` (the code read from the emulator's 302, the
exchange with the client in the body, the session reading a feed, a reused code refused
with invalid_grant); then the device flow (RFC 8628) by hand with requests: a device code,
428 authorization_pending, 403 slow_down for a poll inside the interval, the verification
URL approving the user code, and the tokens after the interval. Exits non-zero with a
message on the first unexpected answer.

Usage: oauth2_session_client.py BASE_URL
The server must run with --user alice@example.com:pw, --oauth2-client
py.apps.googleusercontent.com:py-secret, --device-interval 1 and --auto-approve.
"""
import os
import sys
import time
import urllib.parse

# oauthlib refuses http (the loopback redirect, the emulator) unless told this is a test.
os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"

import requests  # noqa: E402
from oauthlib.oauth2.rfc6749.errors import InvalidGrantError  # noqa: E402
from requests_oauthlib import OAuth2Session  # noqa: E402

BASE = sys.argv[1]
CLIENT_ID, CLIENT_SECRET = "py.apps.googleusercontent.com", "py-secret"
CALENDAR = "https://www.googleapis.com/auth/calendar"
FEED = BASE + "/calendar/feeds/default/private/full"
TOKEN_URI = BASE + "/o/oauth2/token"


def expect(resp, status, what):
    if resp.status_code != status:
        sys.exit(f"{what}: expected {status}, got {resp.status_code}: {resp.text[:200]}")
    print(f"ok {what}: {status}")


def web_server_flow():
    session = OAuth2Session(CLIENT_ID, redirect_uri="http://127.0.0.1:9/oauth2callback",
                            scope=[CALENDAR], pkce="S256")
    url, state = session.authorization_url(BASE + "/o/oauth2/auth", access_type="offline",
                                           prompt="consent")
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    if query.get("code_challenge_method") != ["S256"] or not query.get("code_challenge"):
        sys.exit(f"requests-oauthlib sent no S256 challenge: {url}")
    print("ok OAuth2Session authorization URL with an S256 code_challenge")
    resp = requests.get(url, allow_redirects=False, timeout=10)
    expect(resp, 302, "auto-approved authorization")
    location = resp.headers["Location"]
    back = urllib.parse.parse_qs(urllib.parse.urlsplit(location).query)
    if not location.startswith("http://127.0.0.1:9/oauth2callback?") \
            or back.get("state") != [state] or not back.get("code"):
        sys.exit(f"the redirect does not carry the code and state back: {location}")

    token = session.fetch_token(TOKEN_URI, authorization_response=location,
                                client_secret=CLIENT_SECRET, include_client_id=True)
    if not token.get("access_token", "").startswith("ya29.") or not token.get("refresh_token"):
        sys.exit(f"the exchange lacks an access or refresh token: {sorted(token)}")
    if token.get("token_type") != "Bearer" or token.get("scope") != [CALENDAR]:
        sys.exit(f"unexpected token_type or scope: {token.get('token_type')} {token.get('scope')}")
    print("ok OAuth2Session fetch_token: access and refresh tokens (PKCE verifier sent)")
    expect(session.get(FEED), 200, "OAuth2Session calendar feed")
    expect(session.get(BASE + "/m8/feeds/contacts/default/full"), 403, "out-of-scope feed")

    # The same code again: invalid_grant, and (RFC 6749 §4.1.2) what it issued is revoked.
    try:
        session.fetch_token(TOKEN_URI, authorization_response=location,
                            client_secret=CLIENT_SECRET, include_client_id=True)
        sys.exit("a reused authorization code was exchanged")
    except InvalidGrantError as e:
        print(f"ok reused code: InvalidGrantError ({e.description})")
    expect(requests.get(FEED, headers={"Authorization": "Bearer " + token["access_token"]}),
           401, "the reused code's token is revoked")


def poll(device_code):
    return requests.post(TOKEN_URI, data={
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "device_code": device_code,
        "grant_type": "urn:ietf:params:oauth:grant-type:device_code",
    }, timeout=10)


def expect_error(resp, status, error, what):
    expect(resp, status, what)
    if resp.json().get("error") != error:
        sys.exit(f"{what}: expected error {error}, got {resp.text[:200]}")


def device_flow():
    resp = requests.post(BASE + "/o/oauth2/device/code",
                         data={"client_id": CLIENT_ID, "scope": CALENDAR}, timeout=10)
    expect(resp, 200, "device code")
    codes = resp.json()
    for name in ("device_code", "user_code", "verification_url", "expires_in", "interval"):
        if name not in codes:
            sys.exit(f"device code answer lacks {name}: {sorted(codes)}")
    interval = codes["interval"]
    if interval != 1:
        sys.exit(f"interval {interval}, expected 1 (--device-interval 1)")

    # The server counts whole seconds: start just after a second begins, so that the two
    # polls below fall in the same second.
    time.sleep(1.02 - time.time() % 1)
    expect_error(poll(codes["device_code"]), 428, "authorization_pending", "first poll")
    expect_error(poll(codes["device_code"]), 403, "slow_down", "poll inside the interval")

    page = requests.get(codes["verification_url"], params={"user_code": codes["user_code"]},
                        timeout=10)
    expect(page, 200, "verification URL with the user code (auto-approve)")

    time.sleep(interval + 0.05)
    resp = poll(codes["device_code"])
    expect(resp, 200, "poll after the approval")
    token = resp.json()
    if not token.get("access_token", "").startswith("ya29.") or not token.get("refresh_token"):
        sys.exit(f"the device grant lacks an access or refresh token: {sorted(token)}")
    if token.get("scope") != CALENDAR or token.get("token_type") != "Bearer":
        sys.exit(f"unexpected scope or token_type: {token}")
    expect(requests.get(FEED, headers={"Authorization": "Bearer " + token["access_token"]}),
           200, "calendar feed with the device flow's token")
    expect_error(poll(codes["device_code"]), 400, "invalid_grant", "poll after the tokens")


web_server_flow()
device_flow()
print("interop: all passed")
