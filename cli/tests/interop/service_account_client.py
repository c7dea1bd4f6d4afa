"""Drives `gdauth serve`'s JWT bearer grant with google-auth's service-account credentials
(`google.oauth2.service_account.Credentials`) and domain-wide delegation: the key file's
`token_uri` pointed at the emulator, scopes and a `subject`, so google-auth signs an RS256
assertion (its `aud` is always https://oauth2.googleapis.com/token) and POSTs it to the
token endpoint instead of using a self-signed JWT. The token reads the subject's calendar
feed; a subject that is not a user here raises RefreshError invalid_grant. Exits non-zero
with a message on the first unexpected answer.

Usage: service_account_client.py BASE_URL KEY_FILE
The server must run with --user alice@example.com:pw and --service-account KEY_FILE.
"""
import json
import os
import sys
import tempfile

import google.auth.jwt
import google.auth.transport.requests
import google.oauth2.service_account
from google.auth.exceptions import RefreshError

BASE, KEY_FILE = sys.argv[1], sys.argv[2]
FEED = BASE + "/calendar/feeds/default/private/full"
SCOPES = ["https://www.googleapis.com/auth/calendar"]
ROBOT = "robot@gdata-auth-test.iam.gserviceaccount.com"


def expect(resp, status, what):
    if resp.status_code != status:
        sys.exit(f"{what}: expected {status}, got {resp.status_code}: {resp.text[:200]}")
    print(f"ok {what}: {status}")


# The key file as Google issues it, with the emulator's token endpoint as its token_uri:
# google-auth takes the token endpoint from the key file (there is no other setting).
with open(KEY_FILE) as f:
    info = json.load(f)
if info["client_email"] != ROBOT:
    sys.exit(f"unexpected test key {info['client_email']}")
info["token_uri"] = BASE + "/o/oauth2/token"
with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
    json.dump(info, f)
try:
    creds = google.oauth2.service_account.Credentials.from_service_account_file(
        f.name, scopes=SCOPES, subject="alice@example.com")
finally:
    os.unlink(f.name)
if creds.service_account_email != ROBOT or creds._token_uri != info["token_uri"]:
    sys.exit(f"google-auth read another account or token URI: {creds._token_uri}")
# What google-auth will sign: Google's token URL as aud, whatever token_uri says; the
# emulator must accept it, as it accepts assertions for its own token URL.
claims = google.auth.jwt.decode(creds._make_authorization_grant_assertion(), verify=False)
if claims.get("aud") != "https://oauth2.googleapis.com/token" or claims.get("iss") != ROBOT \
        or claims.get("sub") != "alice@example.com" or claims.get("scope") != SCOPES[0]:
    sys.exit(f"unexpected assertion claims: {claims}")
if creds._use_self_signed_jwt():
    sys.exit("google-auth would use a self-signed JWT, not the token endpoint")
request = google.auth.transport.requests.Request()
creds.refresh(request)
# The emulator's access tokens look like Google's; a self-signed JWT would start "eyJ".
if not creds.token or not creds.token.startswith("ya29.") or not creds.valid:
    sys.exit(f"no access token from the emulator's token endpoint: {creds.token!r:.40}")
print("ok service-account refresh through the JWT bearer grant")

session = google.auth.transport.requests.AuthorizedSession(creds)
resp = session.get(FEED)
expect(resp, 200, "calendar feed as the subject")
if "alice@example.com" not in resp.text:
    sys.exit(f"the feed is not the subject's: {resp.text[:200]}")
expect(session.get(BASE + "/m8/feeds/contacts/default/full"), 403, "out-of-scope feed")

# Another refresh signs a new assertion and gets another token.
first = creds.token
creds.refresh(request)
if creds.token == first or not creds.token.startswith("ya29."):
    sys.exit("a second refresh did not give a new access token")
print("ok second refresh, new token")

try:
    creds.with_subject("mallory@example.com").refresh(request)
    sys.exit("a subject that is not a user got a token")
except RefreshError as e:
    if "invalid_grant" not in str(e):
        sys.exit(f"unexpected RefreshError: {e}")
    print("ok unknown subject: RefreshError invalid_grant")

print("interop: all passed")
