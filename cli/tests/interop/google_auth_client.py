"""Drives `gdauth serve`'s OAuth 2.0 endpoints with Google's own Python auth library
(google-auth) and requests-oauthlib: an OAuth 1.0 access token from the dance, the
migration grant signed by requests-oauthlib (the form fields in the base string), then
google-auth's `Credentials` refreshing against /o/oauth2/token and its `AuthorizedSession`
reading a feed with `Authorization: Bearer`; a refresh of a revoked grant raises
google-auth's RefreshError. Exits non-zero with a message on the first unexpected answer.

Usage: google_auth_client.py BASE_URL
The server must run with --consumer app.example.com:app-secret, --user alice@example.com:pw,
--oauth2-client py.apps.googleusercontent.com:py-secret and --auto-approve.
"""
import re
import sys

import google.auth.transport.requests
import google.oauth2.credentials
import requests
from google.auth.exceptions import RefreshError
from requests_oauthlib import OAuth1Session

BASE = sys.argv[1]
CALENDAR = "https://www.google.com/calendar/feeds/"
FEED = BASE + "/calendar/feeds/default/private/full"
TOKEN_URI = BASE + "/o/oauth2/token"
CLIENT_ID, CLIENT_SECRET = "py.apps.googleusercontent.com", "py-secret"


def expect(resp, status, what):
    if resp.status_code != status:
        sys.exit(f"{what}: expected {status}, got {resp.status_code}: {resp.text[:200]}")
    print(f"ok {what}: {status}")


# An OAuth 1.0 access token (oob, approved at once by --auto-approve).
s = OAuth1Session("app.example.com", client_secret="app-secret", callback_uri="oob")
s.fetch_request_token(BASE + "/accounts/OAuthGetRequestToken?scope="
                      + requests.utils.quote(CALENDAR, safe=""))
page = requests.get(s.authorization_url(BASE + "/accounts/OAuthAuthorizeToken"))
s._client.client.verifier = re.search(r'id="verifier"[^>]*>([^<]+)<', page.text).group(1).strip()
s.fetch_access_token(BASE + "/accounts/OAuthGetAccessToken")

# The migration grant: a form POST signed as OAuth 1.0 (oauthlib signs the form body).
resp = s.post(TOKEN_URI, data={
    "grant_type": "urn:ietf:params:oauth:grant-type:migration:oauth1",
    "client_id": CLIENT_ID,
    "client_secret": CLIENT_SECRET,
})
expect(resp, 200, "migration grant")
grant = resp.json()
if not grant.get("refresh_token") or grant.get("scope") != CALENDAR:
    sys.exit(f"migration answer lacks a refresh token or the scopes: {sorted(grant)}")
expect(s.get(FEED), 200, "the OAuth 1.0 token still reads the feed")

# google-auth refreshes and reads the feed with a bearer header.
creds = google.oauth2.credentials.Credentials(
    token=None, refresh_token=grant["refresh_token"], token_uri=TOKEN_URI,
    client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
creds.refresh(google.auth.transport.requests.Request())
if not creds.token or not creds.valid:
    sys.exit("google-auth did not get a valid access token")
print("ok google-auth refresh")
session = google.auth.transport.requests.AuthorizedSession(creds)
expect(session.get(FEED), 200, "google-auth AuthorizedSession feed")
expect(session.get(BASE + "/m8/feeds/contacts/default/full"), 403, "out-of-scope feed")
expect(requests.get(FEED, params={"access_token": creds.token}), 401, "token in the URL")

# Revoking the refresh token ends the grant: google-auth's refresh fails.
expect(requests.post(BASE + "/o/oauth2/revoke", data={"token": grant["refresh_token"]}), 200,
       "revoke the refresh token")
try:
    creds.refresh(google.auth.transport.requests.Request())
    sys.exit("refresh of a revoked grant succeeded")
except RefreshError as e:
    if "invalid_grant" not in str(e):
        sys.exit(f"unexpected RefreshError: {e}")
    print("ok revoked grant: RefreshError invalid_grant")
expect(s.get(FEED), 200, "the OAuth 1.0 token lives until revoked on its own")
print("interop: all passed")
