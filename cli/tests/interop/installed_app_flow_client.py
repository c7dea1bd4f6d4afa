"""Drives `gdauth serve`'s authorization endpoint with google-auth-oauthlib's
`InstalledAppFlow.run_local_server`, the way a desktop application signs a user in: the
flow opens the authorization URL in "the browser" (here a `webbrowser` stand-in that GETs
it with requests and follows the emulator's 302 to the flow's loopback server), then
exchanges the code with its PKCE verifier. The credentials read a feed inside their scope
through google-auth's `AuthorizedSession`, are refused one outside it, and refresh. A
second authorization exchanged with a wrong `code_verifier` is refused, so the emulator
did check the S256 challenge the flow sent. Exits non-zero with a message on the first
unexpected answer.

Usage: installed_app_flow_client.py BASE_URL
The server must run with --user alice@example.com:pw, --oauth2-client
py.apps.googleusercontent.com:py-secret and --auto-approve.
"""
import os
import sys
import threading
import urllib.parse
import webbrowser

# oauthlib refuses plain http token endpoints unless told this is a test.
os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"

import google.auth.transport.requests  # noqa: E402
import requests  # noqa: E402
from google_auth_oauthlib.flow import Flow, InstalledAppFlow  # noqa: E402
from oauthlib.oauth2.rfc6749.errors import InvalidGrantError  # noqa: E402

BASE = sys.argv[1]
CLIENT_ID, CLIENT_SECRET = "py.apps.googleusercontent.com", "py-secret"
SCOPES = ["https://www.googleapis.com/auth/calendar"]
FEED = BASE + "/calendar/feeds/default/private/full"
CLIENT_CONFIG = {
    "installed": {
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "auth_uri": BASE + "/o/oauth2/auth",
        "token_uri": BASE + "/o/oauth2/token",
        "redirect_uris": ["http://localhost"],
    }
}


def expect(resp, status, what):
    if resp.status_code != status:
        sys.exit(f"{what}: expected {status}, got {resp.status_code}: {resp.text[:200]}")
    print(f"ok {what}: {status}")


class StandInBrowser(webbrowser.BaseBrowser):
    """What the user's browser does with --auto-approve: loads the authorization URL, gets
    the emulator's 302 to the loopback redirect URI, and loads that (the flow's server)."""

    def __init__(self):
        super().__init__("gdauth-stand-in")
        self.opened = []
        self.redirect = None
        self.landed = None
        self.error = None
        self.thread = None

    def open(self, url, new=0, autoraise=True):
        self.opened.append(url)
        self.thread = threading.Thread(target=self._visit, args=(url,), daemon=True)
        self.thread.start()
        return True

    def _visit(self, url):
        try:
            self.redirect = requests.get(url, allow_redirects=False, timeout=10)
            location = self.redirect.headers.get("Location")
            if self.redirect.status_code == 302 and location:
                self.landed = requests.get(location, timeout=10)
        except Exception as e:  # reported by the main thread
            self.error = e


browser = StandInBrowser()
webbrowser.register("gdauth-stand-in", None, browser, preferred=True)

flow = InstalledAppFlow.from_client_config(CLIENT_CONFIG, scopes=SCOPES)
creds = flow.run_local_server(port=0, open_browser=True, browser="gdauth-stand-in",
                              authorization_prompt_message=None, timeout_seconds=10)
browser.thread.join(10)
if browser.error:
    sys.exit(f"the stand-in browser failed: {browser.error!r}")
if len(browser.opened) != 1:
    sys.exit(f"the flow opened {len(browser.opened)} URLs, expected 1")

# What the flow asked for: offline access and an S256 PKCE challenge, by default.
query = urllib.parse.parse_qs(urllib.parse.urlsplit(browser.opened[0]).query)
for name, want in [("response_type", "code"), ("client_id", CLIENT_ID),
                   ("access_type", "offline"), ("code_challenge_method", "S256"),
                   ("scope", SCOPES[0])]:
    if query.get(name) != [want]:
        sys.exit(f"authorization URL: {name} is {query.get(name)}, expected {want!r}")
if not query.get("code_challenge") or not query.get("state"):
    sys.exit("authorization URL lacks code_challenge or state")
redirect_uri = query["redirect_uri"][0]
if not redirect_uri.startswith("http://localhost:"):
    sys.exit(f"unexpected redirect_uri {redirect_uri}")
print(f"ok the flow asked with PKCE S256 and access_type=offline, redirect_uri {redirect_uri}")

expect(browser.redirect, 302, "auto-approved authorization")
location = browser.redirect.headers["Location"]
back = urllib.parse.parse_qs(urllib.parse.urlsplit(location).query)
if not location.startswith(redirect_uri) or back.get("state") != query["state"] \
        or not back.get("code"):
    sys.exit(f"the redirect does not carry the code and state back: {location}")
expect(browser.landed, 200, "the flow's loopback server got the code")

if not creds.token or not creds.token.startswith("ya29."):
    sys.exit(f"no access token from the emulator: {creds.token!r}")
if not creds.refresh_token:
    sys.exit("access_type=offline gave no refresh token")
if creds.token_uri != CLIENT_CONFIG["installed"]["token_uri"] or creds.client_id != CLIENT_ID:
    sys.exit(f"credentials lost the token URI or client: {creds.token_uri} {creds.client_id}")
if list(creds.granted_scopes or []) != SCOPES:
    sys.exit(f"granted scopes {creds.granted_scopes}, expected {SCOPES}")
print("ok InstalledAppFlow credentials: access token, refresh token, granted scopes")

session = google.auth.transport.requests.AuthorizedSession(creds)
expect(session.get(FEED), 200, "calendar feed with the flow's token")
expect(session.get(BASE + "/m8/feeds/contacts/default/full"), 403, "out-of-scope feed")

first = creds.token
creds.refresh(google.auth.transport.requests.Request())
if not creds.token or creds.token == first or not creds.valid:
    sys.exit("refresh did not give a new valid access token")
print("ok google-auth refresh with the flow's refresh token")
expect(session.get(FEED), 200, "calendar feed with the refreshed token")

# PKCE: the emulator checks the verifier. A second authorization by hand (the same
# client config, a loopback redirect nobody listens on), exchanged with a wrong verifier.
other = Flow.from_client_config(CLIENT_CONFIG, scopes=SCOPES,
                                redirect_uri="http://127.0.0.1:9/")
url, _ = other.authorization_url()
resp = requests.get(url, allow_redirects=False, timeout=10)
expect(resp, 302, "second authorization")
code = urllib.parse.parse_qs(urllib.parse.urlsplit(resp.headers["Location"]).query)["code"][0]
wrong = other.code_verifier[::-1] if other.code_verifier[::-1] != other.code_verifier \
    else "x" * 64
try:
    other.fetch_token(code=code, code_verifier=wrong)
    sys.exit("an exchange with a wrong code_verifier succeeded")
except InvalidGrantError as e:
    print(f"ok wrong code_verifier: InvalidGrantError ({e.description})")

print("interop: all passed")
