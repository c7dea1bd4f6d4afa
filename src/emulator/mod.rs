//! A local stand-in for Google Accounts: a real HTTP server (axum on tokio) that plays
//! Google's OAuth 1.0a, AuthSub and ClientLogin endpoints and a few protected GData feeds,
//! verifying every signed request with the same [`crate::oauth1::verifier`] code the crate's signer is tested
//! against (DESIGN.md, "The emulator").
//!
//! Start it in-process with [`Emulator::start`] (works from plain sync code and from inside a
//! tokio runtime: the server runs on its own thread with its own runtime, and stops, joined,
//! when the [`Emulator`] is dropped), or run it in the caller's runtime with [`serve`] (what
//! `gdauth serve` uses).
//!
//! # Layout
//! The shared pieces know no protocol: configuration, start and stop, and the router (this
//! module); request reading, limits and the request log (`http`); the accounts users sign
//! in with (`accounts`); the consent page frame (`consent`); the sample feeds and their
//! scope coverage (`feeds`). Each protocol is a module of its own, `oauth1`, `authsub`,
//! `clientlogin` and `oauth2`, with its routes and its state. Its state answers with
//! domain outcomes, which the protocol words in its own wire format. The feeds ask every
//! protocol one question, which user and scopes the request's credential grants, so a new
//! protocol adds no branch to them.
//!
//! # OAuth 1.0a
//! ## Endpoints
//! Every endpoint accepts `GET` and `POST`; protocol parameters may come in the
//! `Authorization: OAuth` header, the query or a form body (RFC 5849 §3.5). Where they may sit
//! follows the verifier's [`Profile`](crate::oauth1::verifier::Profile): under the default
//! Google profile they may be spread over the three, as www.google.com accepted (libgdata put
//! `oauth_callback` and `oauth_verifier` in the body beside a header), each name once; under
//! the strict profile they must all come from one.
//!
//! | path | what it does |
//! |---|---|
//! | `/accounts/OAuthGetRequestToken` | consumer-signed; needs `scope` (space-separated `http(s)` URLs) and `oauth_callback` (`oob` or an `http(s)` URL; other schemes are refused); optional `xoauth_displayname`. Answers `oauth_token=4%2F…&oauth_token_secret=…&oauth_callback_confirmed=true` |
//! | `/accounts/OAuthAuthorizeToken` | the consent page (below) |
//! | `/accounts/OAuthGetAccessToken` | signed with the request token, carrying `oauth_verifier`. Answers `oauth_token=1%2F…&oauth_token_secret=…` |
//! | `/accounts/AuthSubRevokeToken` | signed with an access token; revokes it; `200` with an empty body |
//! | `/{service}/feeds/…`, `/feeds/…` | a sample Atom feed, for a valid OAuth `Authorization` whose scopes cover the path |
//!
//! Token responses are `application/x-www-form-urlencoded` (RFC 5849 §2.1 and §2.3). Request
//! tokens look like Google's (`4/` + 40 hex digits), access tokens likewise (`1/…`); every
//! token, secret and verifier carries 160 bits from the OS CSPRNG.
//!
//! ## The consent page
//! `GET /accounts/OAuthAuthorizeToken?oauth_token=…` shows the application (its
//! `xoauth_displayname`, marked unverified as Google did; else the consumer key; for the
//! `anonymous` consumer without a display name, the callback's host or "anonymous" as Google
//! described), the requested scopes, where the user goes next, and email/password fields
//! with *Approve* and *Deny* buttons. Query parameters:
//! * `hd`: a Google Apps domain. Other than `default`, only accounts of that domain may sign
//!   in, and the page says so.
//! * `hl`: the language asked for. The page states which one was requested and that the
//!   emulator speaks English only.
//! * `btmpl=mobile`: a compact single-column layout, labelled as such; any other value is
//!   named on the page as ignored.
//! * `oauth_callback`: ignored (OAuth 1.0a takes the callback at the request-token step,
//!   which closes the 2009.1 session-fixation hole); the page notes a differing one.
//!
//! The form posts back to the same path. With the right email and password, *Approve* binds
//! a fresh verifier to the request token and either redirects (302) to the callback with
//! `oauth_token` and `oauth_verifier` appended (the callback's own query is kept), or, for
//! `oob`, shows the verifier inside `<code id="verifier">`. A wrong password re-shows the form
//! with status 401; nothing changes.
//!
//! Every answer (*Approve* and *Deny*) must carry the form's hidden `csrf_token`, which
//! proves it was sent from the page this server showed ([`CSRF_FIELD`]; a program driving the
//! form reads it with [`csrf_token_of`]); without it the POST gets a 403 page and nothing
//! changes. After [`MAX_WRONG_PASSWORDS`] wrong passwords in a row, an account's sign-ins on
//! every consent page are refused for [`SIGN_IN_LOCKOUT`] seconds (429 with `Retry-After`).
//!
//! **Deny** needs no password. It marks the request token denied for good, then redirects
//! to the callback with `oauth_token` and `oauth_problem=permission_denied` (the Problem
//! Reporting extension's code, and no `oauth_verifier`), or, for `oob`, shows an "access
//! denied" page without a verifier. A later exchange of that token answers 401
//! `oauth_problem=permission_denied`.
//!
//! With [`EmulatorConfig::auto_approve`], the `GET` approves at once as the first configured
//! user (the first of the `hd` domain, when one is given) and answers as *Approve* does.
//!
//! ## State rules
//! * Request tokens are valid for one hour from issue, by the injected [`Clock`]
//!   (`token_expired` afterwards), can be approved or denied once, and exchanged once
//!   (`token_used`). Only an approved token exchanges (`permission_unknown` before the user
//!   answered).
//! * A verifier is bound to its request token and dies with the exchange; a wrong or foreign
//!   verifier is 400 `parameter_rejected` (Google answered it with 400 "The token is invalid.")
//!   and burns nothing.
//! * **The ten-token limit** (PROTOCOLS.md §9): at most ten access tokens per (user,
//!   consumer) are outstanding. The eleventh exchange **succeeds and revokes the oldest**
//!   outstanding one (as Google did with its live-token limits, and so a long-running
//!   `gdauth serve` never locks a client out). The access-token response then carries the
//!   header `X-Emulator-Revoked-Token: <the revoked token>`, and the log line says so.
//! * A consumer holds at most 1,000 request tokens at once (10,000 in all); beyond that its
//!   own dead tokens (expired, used, denied) make room, and if it still holds 1,000 live
//!   ones the call answers 503 `temporarily_unavailable` with `Retry-After: 60`. A live
//!   token is never evicted, so a client asking in a loop (the `anonymous` secret is public)
//!   is refused instead of taking the token a user is approving (issue 15 §1).
//! * Revoked tokens are refused (`token_revoked`). Tokens are tied to the consumer they were
//!   issued to. A request that fails changes no state.
//!
//! ## Errors
//! Statuses follow RFC 5849 §3.2, as
//! [`VerifyError::http_status`](crate::oauth1::verifier::VerifyError::http_status) maps them: 400 for a
//! malformed or unsupported request (duplicate or missing parameters, bad encoding, unknown
//! signature method), 401 for bad credentials (signature, consumer, token, timestamp, nonce,
//! verifier), with `WWW-Authenticate: OAuth realm="…"`. Also 413 for a body over 64 KiB
//! (408 when a body does not arrive within 10 s), 431
//! for header fields over 32 KiB, 405 for methods other than GET and POST, 503 (with
//! `Retry-After`) when a bounded store is full. The body, `text/plain`, is form-encoded in the
//! OAuth Problem Reporting style: `oauth_problem=signature_invalid&…&oauth_problem_advice=…`,
//! plus `oauth_acceptable_timestamps=LO-HI`, `oauth_parameters_absent=…`,
//! `oauth_parameters_rejected=…` or `oauth_acceptable_versions=1.0-1.0` where they apply.
//! Google itself answered a bad signature with `signature_invalid` and the base string it
//! had computed (`base_string:GET&https%3A…`; seen in google/google-gdata#417 and
//! scribejava#33/#45); the emulator keeps that clue as `oauth_signature_base_string=…`. A
//! scope that does not cover a feed gives 401 `permission_denied` with Google's own words,
//! "Token invalid - AuthSub token has wrong scope", as the advice.
//!
//! ## Serving a legacy client while it is fixed
//! [`EmulatorConfig::accept_quirk`] (`gdauth serve --accept-quirk CONSUMER:PROFILE`) lets one
//! consumer's requests through when their signature fails RFC 5849 but verifies under the
//! named [`QuirkProfile`] (PROTOCOLS.md §0, §3.5). Only the signature gets that second chance
//! (the verifier's [`SignatureFallback`](crate::oauth1::verifier::SignatureFallback), filled
//! with a [`QuirkFallback`](crate::conformance::quirks::QuirkFallback)); the timestamp window,
//! nonce replay, token and every other check apply as usual, and other consumers never
//! benefit. Every request let through that way is logged with the quirk's name:
//! `… consumer KEY accepted under quirk drop-empty-params (its signature fails RFC 5849)`.
//! A profile for a consumer that is not registered is refused at start.
//!
//! # ClientLogin
//! `POST /accounts/ClientLogin` takes the form `accountType`, `Email`, `Passwd`, `service`,
//! `source` (and `logintoken` with `logincaptcha` after a CAPTCHA) of PROTOCOLS.md §1.1 and
//! signs in the configured users (the same accounts as the consent pages). A success is 200
//! `text/plain` with `SID=`, `LSID=` and `Auth=` lines (random hex, `Auth` 256 bits, never
//! logged). Every failure is **403** `text/plain` with `Error=CODE` as the **first** line
//! (Google's Python client looks only there), then `Url=` (this server's index page, for
//! account problems), `Info=`, `CaptchaToken=` and `CaptchaUrl=` as they apply (§1.4):
//!
//! | request | answer |
//! |---|---|
//! | unknown `Email`, wrong `Passwd`, `Email` or `Passwd` missing or empty | `BadAuthentication` |
//! | `service` missing or not a code of §1.6 | `Unknown` |
//! | no form body (a `GET`, another `Content-Type`), a field given twice, `logintoken` without `logincaptcha` or the other way round, an unknown `accountType`, a body that cannot be read | `Unknown` |
//!
//! **Test accounts.** With the right password, a `--user` whose local part starts with
//! `disabled-` answers `AccountDisabled`, `deleted-` `AccountDeleted`, `unverified-`
//! `NotVerified`, `tos-` `TermsNotAgreed`, `2sv-` `BadAuthentication` with
//! `Info=InvalidSecondFactor`, `noservice-` `ServiceDisabled`, `migrated-`
//! `AccountMigrated`, and `unavailable-` `ServiceUnavailable` with `Retry-After: 1` for
//! [`UNAVAILABLE_STREAK`] logins in a row, then succeeds once (and so on): what a client's
//! backoff needs. A wrong password is `BadAuthentication` for every account.
//!
//! **CAPTCHA.** After [`EmulatorConfig::with_captcha_after`] consecutive wrong passwords of
//! an account (default [`DEFAULT_CAPTCHA_AFTER`]), every login of that account answers
//! `Error=CaptchaRequired`, `CaptchaToken=…` and `CaptchaUrl=Captcha?ctoken=…` until one
//! carries a live token of that account as `logintoken` and the right answer as
//! `logincaptcha` (compared case-insensitively;
//! [`EmulatorConfig::with_captcha_answer`], else random letters per challenge). Then the
//! password is checked as usual: a wrong one is `BadAuthentication`, and the account still
//! needs a CAPTCHA next time. Tokens are single use: a wrong answer, a reused, foreign or
//! unknown token each get a fresh challenge. Only a success clears the account's failures
//! and challenges. An unknown email is counted like an account (a CAPTCHA after the same
//! failures, so answers do not tell which accounts exist), in a table of at most 10,000
//! digests, the oldest forgotten first; an account holds at most
//! [`MAX_CHALLENGES_PER_ACCOUNT`] live challenges (10,000 in all), the oldest dropped first.
//! `GET /accounts/Captcha?ctoken=…` serves a live challenge's image (`image/svg+xml`, the
//! answer as distorted text — readable by a program that looks: it is a test double, not a
//! defence); any other `ctoken` is 404.
//!
//! **Tokens.** `Authorization: GoogleLogin auth=…` opens the feeds of the token's service,
//! [`SERVICE_SCOPES`] (PY2's `AUTH_SCOPES`, PROTOCOLS.md §1.6 and §5: `cl`
//! `/calendar/feeds/`, `cp` `/m8/feeds/`, `writely` `/feeds/documents/`, …), for
//! [`AUTH_TOKEN_LIFETIME`]. An unknown token answers 401 `text/plain` `Token invalid`, an
//! old one `Token expired`, one outside its service's scopes 401 too; each with
//! `WWW-Authenticate: GoogleLogin realm="…/accounts/ClientLogin"`. There is no revocation
//! (§1.3). An account keeps at most 100 live tokens (10,000 in all), the oldest dropped.
//!
//! # AuthSub
//! ## Endpoints
//! | path | what it does |
//! |---|---|
//! | `/accounts/AuthSubRequest` | `next`, `scope` (space-separated `http(s)` URLs), `secure`, `session` (`0` or `1`, `0` when absent), `hd`: the consent page, in the OAuth page's frame (sign in, *Approve* / *Deny*; `hd`, `hl`, `btmpl` as there). *Approve* (or [`EmulatorConfig::auto_approve`]) redirects (302) to `next` with `token=` added to `next`'s own query; *Deny* redirects to `next` unchanged |
//! | `/accounts/AuthSubSessionToken` | a single-use token (asked for with `session=1`), once: `Token=…` and `Expiration=YYYYMMDDTHHMMSSZ` lines |
//! | `/accounts/AuthSubTokenInfo` | `Target=` (the `next` host), `Scope=` (the scopes as requested), `Secure=true\|false` lines, for a single-use or a session token |
//! | `/accounts/AuthSubRevokeToken` | with `Authorization: AuthSub`, revokes that token (200, empty body); any other request is OAuth 1.0's revocation above, unchanged |
//!
//! Answers are `text/plain`, `key=value` one per line (PROTOCOLS.md §2.3). Every call carries
//! the token in `Authorization: AuthSub token="…"` (`GET` or `POST`); a secure token's
//! requests also carry `data`, `sig` and `sigalg` (§2.5). Tokens are `CK…` (single-use) and
//! `DQAA…` (session) followed by 160 random bits in hex: URL-safe, so a client that decodes
//! `+` as a space reads them right.
//!
//! ## Which `next` gets a token
//! `next` passes the library's [`NextUrl`](crate::authsub::NextUrl) checks (absolute, no user
//! info, fragment, backslash or `token` parameter), and its host is compared exactly (never as
//! a suffix or prefix) with the registered domains. As at Google, one registration serves
//! OAuth 1.0 and AuthSub: a consumer key is a domain (Google's `anonymous` is none). A
//! secure token needs an `https` `next` on a domain registered with its certificate (an RSA
//! consumer); a non-secure one an `https` `next` on any registered domain. The one exception
//! is a loopback host (`localhost`, `127.0.0.0/8`, `[::1]`): non-secure tokens, over plain
//! `http` too, because tests and `gdauth demo` return to one and nothing is fetched from it.
//! Any other `next` is refused with an HTML page (400), never redirected to (SECURITY.md §3).
//!
//! ## State rules
//! * A single-use token is good for the upgrade only, once (`token_used` after), within an
//!   hour ([`SINGLE_USE_LIFETIME`], `token_expired` after); `session=0` ones cannot be
//!   upgraded (`not_upgradable`). Token info and revocation accept them too.
//! * Session tokens expire after a year (the `Expiration=` line) or when revoked.
//! * **The ten-token limit** (PROTOCOLS.md §9): at most ten session tokens per (user, web
//!   application), the web application being the `next` host. The eleventh upgrade succeeds
//!   and revokes the oldest, as OAuth 1.0's limit does, naming it in the header
//!   `X-Emulator-Revoked-Token`.
//! * A secure request is checked with [`crate::authsub::verifier`] against the domain's
//!   registered key: signed method and URL the request's own (the URL rebuilt as below),
//!   timestamp within the OAuth verifier's window (±600 s by default), then its
//!   (timestamp, nonce) recorded in its web application's replay set (`nonce_used` when
//!   seen with any of that application's tokens: the signed data does not name the token). A
//!   non-secure token is a bearer credential; a signature sent with it is not checked.
//! * Bounds: 1,000 unexpired single-use tokens per `next` host and 1,000 per user (the
//!   oldest makes room), 10,000 in all; 100 session tokens per user over all hosts (the
//!   oldest revoked, as at the ten-per-application limit), 10,000 in all; 10,000 nonces per
//!   web application within the window; 10,000 dead tokens remembered to name a refusal. A
//!   full table answers 503 with `Retry-After`; one user cannot fill one by varying hosts.
//!
//! ## Errors
//! Every refused AuthSub credential (absent, malformed, unknown, revoked, spent, expired,
//! unsigned, signed for another method or URL, stale, badly signed, replayed, a single-use
//! token reading data, a scope that does not cover the feed) answers **401** `text/plain`
//! with `Error=<code>` and `Info=<reason>` lines and `WWW-Authenticate: AuthSub realm="…"`;
//! never 400, never a redirect. A wrong scope's reason is Google's "Token invalid - AuthSub
//! token has wrong scope".
//!
//! # OAuth 2.0
//! ## Endpoints
//! Clients come from [`EmulatorConfig::add_oauth2_client`] (`gdauth serve --oauth2-client
//! ID:SECRET`), service accounts from [`EmulatorConfig::add_service_account`] (`gdauth
//! serve --service-account KEY_FILE`, feature `rsa`).
//!
//! | path | what it does |
//! |---|---|
//! | `/o/oauth2/auth` | the authorization endpoint (RFC 6749 §4.1.1): `response_type=code`, `client_id`, `redirect_uri`, `scope` (space-separated), `state`, `code_challenge` and `code_challenge_method` (`S256` or `plain`, RFC 7636 §4.3), `access_type` (`online`, the default, or `offline`), `include_granted_scopes=true`, `prompt` (`none`, `consent`, `select_account`), `login_hint` (prefills the email), `hd`. The consent page in the OAuth 1.0 page's frame (sign in, *Approve* / *Deny*; `hd`, `hl`, `btmpl` as there); *Approve* (or [`EmulatorConfig::auto_approve`]) redirects (302) to `redirect_uri` with `code` and `state` added to its query, *Deny* with `error=access_denied` and `state` |
//! | `/o/oauth2/token` | `POST`: `grant_type=authorization_code` (`code`, `redirect_uri`, `code_verifier`), `refresh_token`, the OAuth 1.0 migration grant, `urn:ietf:params:oauth:grant-type:device_code` (`device_code`), `urn:ietf:params:oauth:grant-type:jwt-bearer` (`assertion`; no client authentication). The client authenticates by HTTP Basic or in the body |
//! | `/o/oauth2/device/code` | `POST` `client_id` (or HTTP Basic; no secret needed, a wrong one refused) and `scope`: `device_code`, `user_code` (`BCDF-GHJK`: eight consonants), `verification_url` (this server's absolute `/device` URL, from the public base URL), `expires_in` ([`EmulatorConfig::with_device_code_lifetime`], default 1800), `interval` ([`EmulatorConfig::with_device_interval`], default and at most 5) |
//! | `/device` | the verification page: a form for the user code; `?user_code=…` (any case, with or without the dash) the consent page for that device (with auto-approve, the approval at once and "Device approved, you may close this page") |
//! | `/o/oauth2/revoke` | `POST` `token=` (an access token, or a refresh token, which ends its grant) |
//!
//! ## Rules
//! * **Redirects.** A registered client may use any loopback `redirect_uri`:
//!   `http://127.0.0.1:PORT/…` (any of 127/8), `http://localhost:PORT/…`,
//!   `http://[::1]:PORT/…` (RFC 8252 §7.3). An unknown client, a missing or other
//!   `redirect_uri` (https, another host, user info, a fragment, `urn:…:oob`) gets an HTML
//!   page "Error 400: redirect_uri_mismatch" or "Error 401: invalid_client" with status 400
//!   and is never redirected to (RFC 6749 §4.1.2.1). Later errors go back to the
//!   `redirect_uri` as `error=` with `state`: `unsupported_response_type`, `invalid_scope`
//!   (none, over 64, or not visible ASCII), `invalid_request` (a bad `code_challenge`,
//!   method, `access_type` or `prompt`, a parameter twice), `login_required` (`prompt=none`
//!   without auto-approve: the emulator keeps no sign-in session).
//! * **Codes** (`4/0A…`, 256 random bits) live [`OAUTH2_CODE_LIFETIME`] seconds and are
//!   spent by their first exchange, refused or not (a wrong PKCE verifier gets one try).
//!   The exchange needs the client the code was issued to and the identical
//!   `redirect_uri` (RFC 6749 §4.1.3); a PKCE challenge needs its `code_verifier` (RFC 7636
//!   §4.6); a verifier for a code without a challenge is refused (RFC 9700 §2.1.1). A code
//!   exchanged again is `invalid_grant` and ends the grant it issued (RFC 6749 §4.1.2).
//!   `access_type=offline` adds a `refresh_token`. With `include_granted_scopes=true` the
//!   grant also carries the scopes of the user's live grants to that client.
//! * **Device codes** (RFC 8628): polls answer 428 `authorization_pending` until the user
//!   answers, 403 `slow_down` when sooner than `interval` after the previous poll of that
//!   code (the first never is; the interval is not raised), 403 `access_denied` after
//!   *Deny*, 400 `expired_token` after `expires_in`, then the tokens (with a refresh token)
//!   once; the spent code is `invalid_grant`.
//! * **Service accounts** (RFC 7523 §3): the assertion's `iss` picks the key; the RS256
//!   signature, `aud` (`https://oauth2.googleapis.com/token`,
//!   `https://accounts.google.com/o/oauth2/token`, `https://www.googleapis.com/oauth2/v4/token`
//!   or this server's `/o/oauth2/token`), `iat` at most 300 s ahead, `exp` in the future
//!   and at most 3600 s after `iat`, a non-empty `scope`, and a `sub` that is a configured
//!   user are checked; each refusal is 400 `invalid_grant` naming the rule. The token acts
//!   as `sub`, else as the service account's email; no refresh token. An assertion may be
//!   exchanged again until `exp`, as Google allows.
//! * The migration grant (`grant_type=urn:ietf:params:oauth:grant-type:migration:oauth1`,
//!   PROTOCOLS.md §4): the request signed with an OAuth 1.0 access token, checked by the
//!   same verifier; the new grant carries that token's scopes, or fewer with `scope`; the
//!   OAuth 1.0 token keeps working.
//! * Every token answer's `scope` lists exactly the granted scopes.
//!
//! ## Errors and tokens
//! Every answer of the token and device-code endpoints is JSON; errors are `{"error",
//! "error_description"}` with 400 (`invalid_grant`, `invalid_request` — a method other than
//! POST too —, `unsupported_grant_type`, `invalid_scope`, `expired_token`), 401
//! (`invalid_client`), 403 (`slow_down`, `access_denied`), 428 (`authorization_pending`)
//! or 413 (a body over 64 KiB). `Authorization: Bearer …` opens the feeds inside the
//! token's scopes, an OAuth 2.0 scope opening its service's legacy feeds
//! ([`crate::oauth2::scopes`]); an unknown, revoked or expired token is 401
//! `invalid_token`, a token in an `access_token` query parameter 401 too, a feed outside
//! the scopes 403 `insufficient_scope`. Access tokens live [`OAUTH2_ACCESS_TOKEN_LIFETIME`]
//! seconds. Test users: `revoked-…` (refresh answers `invalid_grant`), `rapt-…`
//! (`invalid_grant` with `error_subtype: invalid_rapt`), `admin-…`
//! (`admin_policy_enforced`); test clients: `oversize-…` (tokens one byte over Google's
//! limits). A user keeps at most 50 grants per client (seed 001): the 51st silently ends
//! the oldest. Another client's refresh token is refused exactly as an unknown one.
//!
//! Bounds: 1,000 live codes per client and 10,000 in all, 1,000 device codes per client
//! and 10,000 in all (expired ones kept one more lifetime to answer `expired_token`), the
//! oldest dropped first; the authorization page itself stores nothing.
//!
//! # Gadgets
//! The emulator is also an OpenSocial gadget container running Shindig's OAuth Proxy (the
//! seed's "Authentication for Gadgets"; [`crate::gadgets`]):
//!
//! | path | what it does |
//! |---|---|
//! | `/gadgets/specs/{name}` | a hosted gadget spec (`application/xml`): the samples [`SAMPLE_SPECS`] (`calendar.xml`, `contacts.xml`, both with service `google`) and those of [`EmulatorConfig::add_gadget_spec`] (`gdauth serve --gadget FILE`), each `<OAuth>` section checked at start |
//! | `/gadgets/makeRequest` | `GET` or `POST` (query or form): `url`, `httpMethod` (`GET`, `POST`), `authz` (`none`, `oauth`; `signed` answers 400: backends verify signed fetch with the library), `gadget` (a `/gadgets/specs/{name}` URL), `OAUTH_SERVICE_NAME`, and `viewer` (there is no security token `st`: the viewer is a parameter). Answers 200 `application/json` with `Content-Disposition: attachment;filename=p.txt`: `throw 1; < don't be evil' >{"URL":{"rc":…,"body":…}}` keyed by the raw `url`, plus `oauthApprovalUrl` and `oauthState` when approval is needed, `oauthError` and `oauthErrorText` (with `rc` 403) for an unknown gadget or service; a missing or invalid `url`, `viewer` or `gadget` is a plain 400 |
//! | `/gadgets/oauthcallback` | the container's OAuth callback (`cs` = the `oauthState`): exchanges the request token and stores the access token; a page says approved or denied |
//!
//! The container is the OAuth 1.0 consumer [`CONTAINER_CONSUMER_KEY`] (HMAC-SHA1, a random
//! secret drawn at start, registered beside the configured consumers) and talks to this
//! emulator's own public OAuth 1.0 endpoints over loopback HTTP. Every URL a spec or a
//! `url` names is sent here with its path and query (the emulator stands in for every host).
//! Without a token for (viewer, gadget, service), makeRequest gets a request token (the spec's
//! scopes, `xoauth_displayname` the spec's title, `oauth_callback` the container's callback)
//! and answers `rc` 200, an empty body, `oauthApprovalUrl` (the spec's Authorization URL on
//! this host plus `oauth_token`: the ordinary consent page) and `oauthState`. The token steps
//! are sent as this crate's flow sends them (POST, `Authorization` header); the spec's
//! `param_location` applies to the resource fetch. With a token, the fetch is signed with it
//! and its status and body returned; a 401 naming a token problem (`oauth_problem=token_…`)
//! forgets the token. At most 10,000 tokens and 1,000 pending approvals are kept, the oldest
//! dropped first; tokens live in memory only.
//!
//! # Feeds and scopes
//! A feed answers only a request whose credential grants a user and scopes that cover the
//! path: an AuthSub session token (asked first: it claims the `AuthSub` scheme), a
//! ClientLogin token, or a valid OAuth request: three-legged (an access token) whose scopes
//! cover the path, or two-legged (no token, `xoauth_requestor_id=EMAIL` naming a configured
//! user). A scope covers a request when the scope URL's path is a prefix of the request's
//! path ending at a `/` boundary (`/calendar/feeds/` and `/calendar/feeds` both cover
//! `/calendar/feeds/default/private/full`; `/calendar/feeds` does not cover
//! `/calendar/feedsx`). Hosts and schemes are not compared: the emulator is not
//! www.google.com. **Two-legged** requests may read every feed of every configured user,
//! for any registered consumer **except `anonymous`**, whose secret is public (Google
//! reserved 2LO for registered Google Apps consumers). `POST` is answered like `GET`; the
//! feeds are read-only samples.
//!
//! # Which URL is verified
//! The signed URL is rebuilt as `{public_base_url}{path-and-query}` when
//! [`EmulatorConfig::public_base_url`] is set (behind a proxy or TLS terminator), otherwise
//! as `http://{Host header}{path-and-query}` (`http://{local address}` when there is no
//! `Host`), with the path and query exactly as received. A client must sign that URL.
//!
//! # Connections and request heads
//! Each connection has [`HEADER_READ_TIMEOUT`] (10 s) to send a request's header section,
//! which is also how long a kept-alive connection may sit idle; at most [`MAX_CONNECTIONS`]
//! (1,024) are served at once, one more being answered 503 and closed
//! ([`EmulatorConfig::with_header_read_timeout`], [`EmulatorConfig::with_max_connections`]).
//! A request with two `Host` or two `Authorization` headers, or an HTTP/1.1 request without
//! `Host`, is answered 400 before any handler reads it (RFC 9112 §3.2); a path whose escapes
//! do not decode to UTF-8 is refused like such a query (SECURITY.md §5.1 row 20); every
//! response carries `X-Content-Type-Options: nosniff`.
//!
//! # Durable state
//! By default everything lives in memory and dies with the process. With
//! [`EmulatorConfig::with_state_file`] (feature `durable`; `gdauth serve --state PATH`) or
//! a [`StateStore`] of the caller's own ([`EmulatorConfig::with_state_store`]), what the
//! emulator issues is kept there: the registered consumers (those of earlier runs stay
//! registered beside the configured ones, except Google's public `anonymous`; a new state
//! file forgets them), OAuth 1.0 request and access tokens and revocations, AuthSub tokens
//! and nonces, ClientLogin tokens, failures and CAPTCHA challenges, OAuth 2.0 codes,
//! device codes and grants, and the OAuth 1.0 nonce window ([`DurableNonces`]). Each
//! store operation's changes are written in one batch while its lock is held and
//! **before** the answer is sent, so a client never holds a token the file lacks; a
//! request that changes state writes its nonce first. A write that fails undoes the
//! operation in memory and answers 503 with `Retry-After` (the authorization endpoint,
//! which answers by redirect, sends `error=temporarily_unavailable` instead); where an
//! operation spans two stores (an OAuth 2.0 code spent, then its grant issued), the first
//! is put back by a compensating write. At start every table is read back. The gadget container's tokens and
//! the consent pages' sign-in lockouts stay in memory (a restart forgets them, as a
//! container restart would).
//!
//! # Logging
//! One line per request (method, path without the query, status, time) to the
//! [`LogTarget`], and for every refusal the `oauth_problem` (ClientLogin: the `Error=` code)
//! and the reason. Never a secret (a password, an `Auth` token, a CAPTCHA answer), a query,
//! a body or an `Authorization` header.

mod accounts;
mod authsub;
mod bounds;
mod clientlogin;
mod consent;
mod durable;
mod feeds;
mod gadgets;
mod http;
mod oauth1;
mod oauth2;
#[cfg(feature = "durable")]
mod sqlite;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use axum::Router;
use thiserror::Error;

use crate::clock::{Clock, SystemClock};
use crate::conformance::quirks::QuirkProfile;
use crate::oauth1::verifier::{ConsumerCredential, VerifierConfig};
use crate::secret::{ConsumerSecret, SecretString};

#[cfg(feature = "rsa")]
use crate::rsa_sha1::RsaVerifyingKey;

pub use accounts::{
    DEFAULT_USER_EMAIL, DEFAULT_USER_PASSWORD, MAX_WRONG_PASSWORDS, SIGN_IN_LOCKOUT,
};
pub use authsub::{MAX_SESSION_TOKENS_PER_GRANT, SINGLE_USE_LIFETIME};
pub use clientlogin::{
    AUTH_TOKEN_LIFETIME, DEFAULT_CAPTCHA_AFTER, MAX_CHALLENGES_PER_ACCOUNT, SERVICE_SCOPES,
    UNAVAILABLE_STREAK,
};
pub use consent::{csrf_token_of, CSRF_FIELD};
pub use durable::{Change, DurableNonces, Expiring, StateError, StateStore, STATE_VERSION};
pub use gadgets::{CALLBACK_PATH as GADGET_CALLBACK_PATH, CONTAINER_CONSUMER_KEY, SAMPLE_SPECS};
pub use http::{MAX_BODY_BYTES, MAX_HEADER_BYTES};
pub use oauth1::{ANONYMOUS_CONSUMER, MAX_ACCESS_TOKENS_PER_GRANT, REQUEST_TOKEN_LIFETIME};
#[cfg(feature = "durable")]
pub use sqlite::SqliteStore;

use accounts::Accounts;
use authsub::AuthSub;
use clientlogin::ClientLogin;
use feeds::CredentialGrant;
use oauth1::{OAuth1, Store};
use oauth2::OAuth2;
pub use oauth2::{
    ACCESS_TOKEN_LIFETIME as OAUTH2_ACCESS_TOKEN_LIFETIME, CODE_LIFETIME as OAUTH2_CODE_LIFETIME,
    DEFAULT_DEVICE_CODE_LIFETIME, MAX_DEVICE_INTERVAL,
};

/// How long a stopping server waits for open connections before closing them.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);
/// Time a client has to send a request's whole header section (hyper's
/// `header_read_timeout`), counted from the connection's opening or, on a kept-alive
/// connection, from the end of the previous answer: so it is the idle timeout too. A
/// connection that sends nothing, or half a header, is closed when it runs out (issue 15
/// §1); the body then has its own 10 s (`http::BODY_TIMEOUT`).
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Connections served at once. One more is **closed** at once, after a best-effort
/// `503 Service Unavailable` with `Retry-After: 1` (not queued: a queue would hold the
/// file descriptors the cap is there to save), and logged; the listener keeps accepting.
pub const MAX_CONNECTIONS: usize = 1024;

/// Where the emulator writes its one-line-per-request log.
#[derive(Clone, Default)]
#[non_exhaustive]
pub enum LogTarget {
    /// Standard error (what `gdauth serve` uses).
    Stderr,
    /// Nowhere: the default, so an emulator a library's tests start stays quiet unless
    /// asked.
    #[default]
    Off,
    /// A callback receiving each line (without a trailing newline).
    Custom(Arc<dyn Fn(&str) + Send + Sync>),
}

impl LogTarget {
    /// Writes one line. Control characters (which could forge extra log lines from a
    /// parameter name echoed in a reason) are replaced by `?`.
    fn line(&self, line: &str) {
        let line: String = line
            .chars()
            .map(|c| if c.is_control() { '?' } else { c })
            .collect();
        let line = line.as_str();
        match self {
            Self::Stderr => eprintln!("gdauth-emulator: {line}"),
            Self::Off => {}
            Self::Custom(f) => f(line),
        }
    }
}

impl core::fmt::Debug for LogTarget {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Self::Stderr => "Stderr",
            Self::Off => "Off",
            Self::Custom(_) => "Custom(..)",
        })
    }
}

/// How to run the emulator. Start from [`EmulatorConfig::default`] (or `new`), then set
/// fields and call the `add_*` / `with_*` methods.
#[derive(Clone)]
#[non_exhaustive]
pub struct EmulatorConfig {
    /// The address to listen on (default `127.0.0.1:0`: a free loopback port).
    pub addr: SocketAddr,
    /// Approve every authorization at once as the first user, without a form.
    pub auto_approve: bool,
    /// The verifier's strictness (timestamp window, replay store size, profile).
    pub verifier: VerifierConfig,
    /// The externally visible base URL (`https://host[:port]`, no trailing slash needed),
    /// when the emulator sits behind a proxy; signatures are checked against it.
    pub public_base_url: Option<String>,
    /// Where the request log goes.
    pub log: LogTarget,
    clock: Arc<dyn Clock>,
    consumers: Vec<(String, ConsumerCredential)>,
    quirks: Vec<(String, QuirkProfile)>,
    users: Vec<(String, SecretString)>,
    captcha_after: u32,
    captcha_answer: Option<SecretString>,
    oauth2_clients: Vec<(String, SecretString)>,
    device_interval: u64,
    device_code_lifetime: u64,
    header_read_timeout: Duration,
    max_connections: usize,
    #[cfg(feature = "rsa")]
    service_accounts: Vec<crate::oauth2::ServiceAccountKey>,
    gadget_specs: Vec<(String, String)>,
    state: Option<StateSpec>,
}

/// Where the emulator keeps what it issues, when not in memory.
#[derive(Clone, Debug)]
enum StateSpec {
    /// A store the caller made.
    Store(Arc<dyn StateStore>),
    /// A SQLite file, opened at start.
    #[cfg(feature = "durable")]
    File(std::path::PathBuf),
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            auto_approve: false,
            verifier: VerifierConfig::default(),
            public_base_url: None,
            log: LogTarget::default(),
            clock: Arc::new(SystemClock),
            consumers: Vec::new(),
            quirks: Vec::new(),
            users: Vec::new(),
            captcha_after: DEFAULT_CAPTCHA_AFTER,
            captcha_answer: None,
            oauth2_clients: Vec::new(),
            device_interval: MAX_DEVICE_INTERVAL,
            device_code_lifetime: DEFAULT_DEVICE_CODE_LIFETIME,
            header_read_timeout: HEADER_READ_TIMEOUT,
            max_connections: MAX_CONNECTIONS,
            #[cfg(feature = "rsa")]
            service_accounts: Vec::new(),
            gadget_specs: Vec::new(),
            state: None,
        }
    }
}

impl core::fmt::Debug for EmulatorConfig {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("EmulatorConfig")
            .field("addr", &self.addr)
            .field("auto_approve", &self.auto_approve)
            .field("verifier", &self.verifier)
            .field("public_base_url", &self.public_base_url)
            .field("log", &self.log)
            .field(
                "consumers",
                &self.consumers.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            )
            .field("quirks", &self.quirks)
            .field(
                "users",
                &self.users.iter().map(|(e, _)| e).collect::<Vec<_>>(),
            )
            .field("captcha_after", &self.captcha_after)
            .field("captcha_answer_set", &self.captcha_answer.is_some())
            .field("device_interval", &self.device_interval)
            .field("device_code_lifetime", &self.device_code_lifetime)
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

impl EmulatorConfig {
    /// The defaults: `127.0.0.1:0`, the `anonymous` consumer and `user@example.com` unless
    /// others are added, the system clock, the default verifier, no log ([`LogTarget::Off`]).
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the listening address.
    pub fn with_addr(mut self, addr: SocketAddr) -> Self {
        self.addr = addr;
        self
    }

    /// Registers an HMAC-SHA1 consumer (HMAC-SHA256 and, over https or with the verifier's
    /// dangerous opt-in, PLAINTEXT are accepted too). Replaces a consumer of the same key.
    pub fn add_hmac_consumer(
        self,
        key: impl Into<String>,
        secret: impl Into<ConsumerSecret>,
    ) -> Self {
        self.add_consumer(key, ConsumerCredential::hmac(secret.into()))
    }

    /// Registers an RSA-SHA1 consumer by its public key (or certificate's key). Replaces a
    /// consumer of the same key.
    #[cfg(feature = "rsa")]
    pub fn add_rsa_consumer(self, key: impl Into<String>, public_key: RsaVerifyingKey) -> Self {
        self.add_consumer(key, ConsumerCredential::rsa(public_key))
    }

    /// Registers a consumer with an explicit credential. Replaces one of the same key.
    pub fn add_consumer(mut self, key: impl Into<String>, credential: ConsumerCredential) -> Self {
        let key = key.into();
        self.consumers.retain(|(k, _)| *k != key);
        self.consumers.push((key, credential));
        self
    }

    /// Accepts, for `consumer` only, requests whose signature fails RFC 5849 but verifies
    /// under `profile` (see the module documentation); each is logged naming the quirk.
    /// Repeatable; the consumer must be registered when the emulator starts.
    pub fn accept_quirk(mut self, consumer: impl Into<String>, profile: QuirkProfile) -> Self {
        let consumer = consumer.into();
        if !self
            .quirks
            .iter()
            .any(|(c, p)| *c == consumer && *p == profile)
        {
            self.quirks.push((consumer, profile));
        }
        self
    }

    /// Adds a user who can sign in on the consent page. Replaces one of the same email
    /// (compared case-insensitively). The first user added is the one `auto_approve` uses.
    pub fn add_user(mut self, email: impl Into<String>, password: impl Into<SecretString>) -> Self {
        let email = email.into();
        self.users.retain(|(e, _)| !e.eq_ignore_ascii_case(&email));
        self.users.push((email, password.into()));
        self
    }

    /// Sets the clock for timestamps, token expiry and feed dates (a `FixedClock` in tests).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// ClientLogin: how many consecutive failed logins of an account bring the CAPTCHA
    /// (default [`DEFAULT_CAPTCHA_AFTER`]; 0 asks for one on every login).
    pub fn with_captcha_after(mut self, failures: u32) -> Self {
        self.captcha_after = failures;
        self
    }

    /// ClientLogin: the answer every CAPTCHA shows (1 to 16 ASCII letters or digits,
    /// compared case-insensitively); without it each challenge draws a random one.
    pub fn with_captcha_answer(mut self, answer: impl Into<SecretString>) -> Self {
        self.captcha_answer = Some(answer.into());
        self
    }

    /// Registers an OAuth 2.0 client (ID and secret): for `/o/oauth2/auth` (any loopback
    /// `redirect_uri`), `/o/oauth2/device/code`, and `/o/oauth2/token`, authenticated by HTTP
    /// Basic or in the body. Replaces one of the same ID.
    pub fn add_oauth2_client(
        mut self,
        id: impl Into<String>,
        secret: impl Into<SecretString>,
    ) -> Self {
        let id = id.into();
        self.oauth2_clients.retain(|(i, _)| *i != id);
        self.oauth2_clients.push((id, secret.into()));
        self
    }

    /// Registers a service account for the JWT bearer grant: its assertions are checked with
    /// the public half of `key`. Replaces one of the same `client_email`.
    #[cfg(feature = "rsa")]
    pub fn add_service_account(mut self, key: crate::oauth2::ServiceAccountKey) -> Self {
        self.service_accounts
            .retain(|k| k.client_email() != key.client_email());
        self.service_accounts.push(key);
        self
    }

    /// The device flow's polling `interval`, in seconds: 1 to [`MAX_DEVICE_INTERVAL`]
    /// (the default; another value is refused at start: RFC 8628 §3.2 gives no meaning to
    /// 0, and clients refuse it).
    pub fn with_device_interval(mut self, secs: u64) -> Self {
        self.device_interval = secs;
        self
    }

    /// How long a device code lives (`expires_in`), in seconds: at least 1; default
    /// [`DEFAULT_DEVICE_CODE_LIFETIME`].
    pub fn with_device_code_lifetime(mut self, secs: u64) -> Self {
        self.device_code_lifetime = secs;
        self
    }

    /// How long a client may take to send a request's header section, which is also how
    /// long a kept-alive connection may sit idle (default [`HEADER_READ_TIMEOUT`]; at least
    /// 1 ms, else refused at start).
    pub fn with_header_read_timeout(mut self, timeout: Duration) -> Self {
        self.header_read_timeout = timeout;
        self
    }

    /// How many connections are served at once (default [`MAX_CONNECTIONS`]; at least 1,
    /// else refused at start); one more is answered 503 and closed.
    pub fn with_max_connections(mut self, max: usize) -> Self {
        self.max_connections = max;
        self
    }

    /// Hosts a gadget spec at `/gadgets/specs/{name}` beside the samples ([`SAMPLE_SPECS`]);
    /// its `<OAuth>` section is checked at start (`gdauth serve --gadget FILE`). `name` is
    /// letters, digits, `.`, `-` and `_`; a later spec of the same name replaces it.
    pub fn add_gadget_spec(mut self, name: impl Into<String>, xml: impl Into<String>) -> Self {
        let name = name.into();
        self.gadget_specs.retain(|(n, _)| *n != name);
        self.gadget_specs.push((name, xml.into()));
        self
    }

    /// Keeps what the emulator issues (tokens of every protocol, CAPTCHA state, OAuth 2.0
    /// codes and grants, the nonce window) in `store`, read back at start and written
    /// before each answer, instead of in memory only (see [`durable`](StateStore)).
    pub fn with_state_store(mut self, store: Arc<dyn StateStore>) -> Self {
        self.state = Some(StateSpec::Store(store));
        self
    }

    /// Keeps what the emulator issues in the SQLite file at `path` (created if absent; WAL
    /// mode), opened at start: `gdauth serve --state PATH`. A restart on the same file
    /// carries on where the last run stopped, a `kill -9` included.
    #[cfg(feature = "durable")]
    pub fn with_state_file(mut self, path: impl Into<std::path::PathBuf>) -> Self {
        self.state = Some(StateSpec::File(path.into()));
        self
    }

    /// Sets `auto_approve`.
    pub fn with_auto_approve(mut self, on: bool) -> Self {
        self.auto_approve = on;
        self
    }

    /// Sets the verifier configuration.
    pub fn with_verifier_config(mut self, verifier: VerifierConfig) -> Self {
        self.verifier = verifier;
        self
    }

    /// Sets the public base URL (see the module documentation on URL reconstruction).
    pub fn with_public_base_url(mut self, url: impl Into<String>) -> Self {
        self.public_base_url = Some(url.into());
        self
    }

    /// Sets where the log goes.
    pub fn with_log(mut self, log: LogTarget) -> Self {
        self.log = log;
        self
    }

    /// The consumer keys that will be registered (`anonymous` when none was added).
    pub fn consumer_keys(&self) -> Vec<&str> {
        if self.consumers.is_empty() {
            vec![ANONYMOUS_CONSUMER]
        } else {
            self.consumers.iter().map(|(k, _)| k.as_str()).collect()
        }
    }

    /// The user emails that will be registered (`user@example.com` when none was added).
    pub fn user_emails(&self) -> Vec<&str> {
        if self.users.is_empty() {
            vec![DEFAULT_USER_EMAIL]
        } else {
            self.users.iter().map(|(e, _)| e.as_str()).collect()
        }
    }
}

/// Why the emulator could not start or stopped with an error.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum EmulatorError {
    /// The listening socket could not be bound.
    #[error("could not listen on {addr}: {reason}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// The operating system's reason.
        reason: String,
    },
    /// The configuration is unusable.
    #[error("invalid emulator configuration: {0}")]
    InvalidConfig(String),
    /// The server thread or its runtime could not start.
    #[error("could not start the emulator runtime: {0}")]
    Runtime(String),
    /// The server failed while running.
    #[error("the emulator server failed: {0}")]
    Serve(String),
    /// The state store could not be opened or read back.
    #[error(transparent)]
    State(#[from] StateError),
}

/// Everything the handlers share: the shared pieces, and one field per protocol's state.
pub(crate) struct App {
    clock: Arc<dyn Clock>,
    accounts: Accounts,
    auto_approve: bool,
    public_base_url: Option<String>,
    local_addr: SocketAddr,
    log: LogTarget,
    /// OAuth 1.0a: consumers, verifier, tokens.
    oauth1: OAuth1,
    /// ClientLogin: failures, CAPTCHA challenges, Auth tokens.
    clientlogin: ClientLogin,
    /// AuthSub: tokens; its registered domains are OAuth 1.0's consumers.
    authsub: AuthSub,
    /// OAuth 2.0: clients, service accounts, codes, device codes and grants.
    oauth2: OAuth2,
    /// See [`HEADER_READ_TIMEOUT`].
    header_read_timeout: Duration,
    /// See [`MAX_CONNECTIONS`].
    max_connections: usize,
    /// The gadget container: hosted specs, its consumer, the OAuth Proxy's tokens.
    gadgets: gadgets::Gadgets,
}

impl App {
    fn new(config: EmulatorConfig, local_addr: SocketAddr) -> Result<Self, EmulatorError> {
        let EmulatorConfig {
            auto_approve,
            verifier,
            public_base_url,
            log,
            clock,
            mut consumers,
            quirks,
            users,
            captcha_after,
            captcha_answer,
            oauth2_clients,
            device_interval,
            device_code_lifetime,
            header_read_timeout,
            max_connections,
            #[cfg(feature = "rsa")]
            service_accounts,
            gadget_specs,
            state,
            ..
        } = config;
        let journal: durable::Journal = match state {
            None => None,
            Some(StateSpec::Store(store)) => Some(store),
            #[cfg(feature = "durable")]
            Some(StateSpec::File(path)) => Some(Arc::new(SqliteStore::open(path)?)),
        };
        if header_read_timeout.is_zero() {
            return Err(EmulatorError::InvalidConfig(
                "the header read timeout must be positive".into(),
            ));
        }
        if max_connections == 0 || u32::try_from(max_connections).is_err() {
            return Err(EmulatorError::InvalidConfig(
                "the connection cap must be 1 to 4294967295".into(),
            ));
        }
        let gadgets = gadgets::Gadgets::new(gadget_specs, &mut consumers)?;
        let window = verifier.timestamp_window;
        for (id, _) in &oauth2_clients {
            if id.is_empty() || !id.bytes().all(|b| b.is_ascii_graphic()) || id.contains(':') {
                return Err(EmulatorError::InvalidConfig(format!(
                    "OAuth 2.0 client ID {id:?} must be non-empty visible ASCII without ':'"
                )));
            }
        }
        if !(1..=MAX_DEVICE_INTERVAL).contains(&device_interval) {
            return Err(EmulatorError::InvalidConfig(format!(
                "the device interval must be 1 to {MAX_DEVICE_INTERVAL} seconds"
            )));
        }
        if device_code_lifetime == 0 {
            return Err(EmulatorError::InvalidConfig(
                "the device code lifetime must be at least 1 second".into(),
            ));
        }
        let oauth2 = OAuth2::new(
            oauth2::Settings {
                clients: oauth2_clients,
                device_interval,
                device_lifetime: device_code_lifetime,
                #[cfg(feature = "rsa")]
                service_accounts,
            },
            &journal,
        )?;
        let oauth1 = OAuth1::new(consumers, clock.clone(), verifier, &journal)?
            .with_quirks(&quirks, log.clone())?;
        let clientlogin = ClientLogin::new(captcha_after, captcha_answer, &journal)?;
        let authsub = AuthSub::new(oauth1.consumers().clone(), clock.clone(), window, &journal)?;
        let accounts = Accounts::new(users)?;
        let public_base_url = match public_base_url {
            Some(u) => Some(check_public_base_url(&u)?),
            None => None,
        };
        Ok(Self {
            clock,
            accounts,
            auto_approve,
            public_base_url,
            local_addr,
            log,
            oauth1,
            clientlogin,
            authsub,
            oauth2,
            header_read_timeout,
            max_connections,
            gadgets,
        })
    }

    fn now(&self) -> u64 {
        self.clock.now_unix()
    }

    /// The realm for `WWW-Authenticate`.
    fn realm(&self) -> String {
        self.public_base_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.local_addr))
    }

    /// The protocols whose credentials open the feeds, in the order the feeds ask them (see
    /// [`CredentialGrant::grant`]). OAuth 1.0 claims any `Authorization` header, so a
    /// protocol with its own scheme goes before it.
    fn credential_grants(&self) -> [&dyn CredentialGrant; 4] {
        [&self.authsub, &self.clientlogin, &self.oauth2, &self.oauth1]
    }

    /// The protocol that answers a feed request no protocol claims, or one that cannot be
    /// read: OAuth 1.0, whose Problem Reporting answer names the missing consumer key.
    fn unclaimed_feeds(&self) -> &dyn CredentialGrant {
        &self.oauth1
    }
}

fn check_public_base_url(u: &str) -> Result<String, EmulatorError> {
    let trimmed = u.trim_end_matches('/');
    let parsed = url::Url::parse(trimmed)
        .map_err(|e| EmulatorError::InvalidConfig(format!("public_base_url: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https")
        || parsed.query().is_some()
        || parsed.fragment().is_some()
        || !parsed.username().is_empty()
        || parsed.password().is_some()
    {
        return Err(EmulatorError::InvalidConfig(
            "public_base_url must be an http(s) URL without query, fragment or user info".into(),
        ));
    }
    Ok(trimmed.to_owned())
}

/// The router: every protocol's routes, the feeds (fallback), and the logging middleware.
fn router(app: Arc<App>) -> Router {
    Router::new()
        .merge(oauth1::routes())
        .merge(clientlogin::routes())
        .merge(authsub::routes())
        .merge(oauth2::routes())
        .merge(gadgets::routes())
        .fallback(feeds::fallback)
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            http::log_requests,
        ))
        .with_state(app)
}

/// The answer to a connection over [`MAX_CONNECTIONS`], written without waiting before the
/// socket is closed.
const TOO_MANY_CONNECTIONS: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\n\
Content-Type: text/plain\r\nContent-Length: 32\r\nRetry-After: 1\r\n\
X-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n\
too many connections; try again\n";

/// Serves until `shutdown` completes, then stops gracefully: no new connections, open ones
/// get [`SHUTDOWN_GRACE`] to finish, then are dropped.
///
/// Each connection is served by hyper's HTTP/1 server with a timer, so the header-read
/// timeout ([`HEADER_READ_TIMEOUT`], also the keep-alive idle timeout) applies, which
/// `axum::serve` does not set; at most [`MAX_CONNECTIONS`] are served at once.
async fn run(
    listener: tokio::net::TcpListener,
    app: Arc<App>,
    shutdown: impl Future<Output = ()> + Send,
) -> Result<(), EmulatorError> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use hyper_util::service::TowerToHyperService;

    let max = app.max_connections;
    let header_read_timeout = app.header_read_timeout;
    let permits = Arc::new(tokio::sync::Semaphore::new(max));
    let service = router(app.clone());
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let mut connections = tokio::task::JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            () = &mut shutdown => break,
            r = listener.accept() => r,
        };
        while connections.try_join_next().is_some() {}
        let stream = match accepted {
            Ok((stream, _)) => stream,
            Err(e) => {
                // Out of file descriptors and the like: the listener itself is fine, so
                // wait a little instead of spinning, and keep serving.
                app.log.line(&format!("accept failed: {e}"));
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let Ok(permit) = permits.clone().try_acquire_owned() else {
            let _ = stream.try_write(TOO_MANY_CONNECTIONS);
            app.log
                .line(&format!("refused a connection: {max} connections are open"));
            continue;
        };
        let service = TowerToHyperService::new(service.clone());
        let mut stop = stop_rx.clone();
        connections.spawn(async move {
            let _permit = permit;
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(header_read_timeout)
                .keep_alive(true);
            let conn = builder.serve_connection(TokioIo::new(stream), service);
            tokio::pin!(conn);
            tokio::select! {
                _ = conn.as_mut() => return,
                _ = stop.wait_for(|stop| *stop) => conn.as_mut().graceful_shutdown(),
            }
            let _ = conn.await;
        });
    }
    drop(listener);
    let _ = stop_tx.send(true);
    let drained = async { while connections.join_next().await.is_some() {} };
    // Connections still open after the grace period are aborted with the set.
    let _ = tokio::time::timeout(SHUTDOWN_GRACE, drained).await;
    connections.abort_all();
    Ok(())
}

/// Runs the emulator in the current tokio runtime until `shutdown` completes.
///
/// Binds `config.addr`, then calls `ready` with the bound address before serving the first
/// request. `gdauth serve` must print exactly one line `listening on http://{addr}` there
/// (`SocketAddr`'s `Display` gives `HOST:PORT`, IPv6 in brackets) and flush stdout; the
/// request log goes to `config.log` (off by default; `gdauth serve` sends it to stderr), one
/// line per request.
///
/// ```no_run
/// # async fn f(stop: tokio::sync::oneshot::Receiver<()>) -> Result<(), gdata_auth::emulator::EmulatorError> {
/// use std::io::Write;
/// use gdata_auth::emulator::{serve, EmulatorConfig};
/// let config = EmulatorConfig::new().add_user("alice@example.com", "s3cret");
/// // Stops when `stop` fires (`gdauth serve` waits for Ctrl-C or SIGTERM instead).
/// serve(config, async { let _ = stop.await; }, |addr| {
///     println!("listening on http://{addr}");
///     let _ = std::io::stdout().flush();
/// })
/// .await
/// # }
/// ```
pub async fn serve<S, R>(config: EmulatorConfig, shutdown: S, ready: R) -> Result<(), EmulatorError>
where
    S: Future<Output = ()> + Send,
    R: FnOnce(SocketAddr),
{
    let addr = config.addr;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| EmulatorError::Bind {
            addr,
            reason: e.to_string(),
        })?;
    let local = listener.local_addr().map_err(|e| EmulatorError::Bind {
        addr,
        reason: e.to_string(),
    })?;
    let app = Arc::new(App::new(config, local)?);
    ready(local);
    run(listener, app, shutdown).await
}

/// An emulator running on its own thread; stops (gracefully, joined) when dropped.
pub struct Emulator {
    base_url: String,
    local_addr: SocketAddr,
    store: Arc<Store>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl core::fmt::Debug for Emulator {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Emulator")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl Emulator {
    /// Binds `config.addr` and starts serving on a dedicated thread with its own
    /// single-threaded tokio runtime. Callable from sync code and from inside a runtime.
    pub fn start(config: EmulatorConfig) -> Result<Self, EmulatorError> {
        let addr = config.addr;
        let bind_err = |e: std::io::Error| EmulatorError::Bind {
            addr,
            reason: e.to_string(),
        };
        let listener = std::net::TcpListener::bind(addr).map_err(bind_err)?;
        listener.set_nonblocking(true).map_err(bind_err)?;
        let local_addr = listener.local_addr().map_err(bind_err)?;
        let app = Arc::new(App::new(config, local_addr)?);
        let base_url = app.realm();
        let store = app.oauth1.store().clone();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let (ready_tx, ready_rx) = std::sync::mpsc::channel::<Result<(), EmulatorError>>();
        let thread = std::thread::Builder::new()
            .name("gdauth-emulator".into())
            .spawn(move || {
                let rt = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(rt) => rt,
                    Err(e) => {
                        let _ = ready_tx.send(Err(EmulatorError::Runtime(e.to_string())));
                        return;
                    }
                };
                rt.block_on(async move {
                    let listener = match tokio::net::TcpListener::from_std(listener) {
                        Ok(l) => l,
                        Err(e) => {
                            let _ = ready_tx.send(Err(EmulatorError::Runtime(e.to_string())));
                            return;
                        }
                    };
                    let _ = ready_tx.send(Ok(()));
                    let shutdown = async move {
                        let _ = stop_rx.await;
                    };
                    if let Err(e) = run(listener, app.clone(), shutdown).await {
                        app.log.line(&format!("server stopped: {e}"));
                    }
                });
            })
            .map_err(|e| EmulatorError::Runtime(e.to_string()))?;
        match ready_rx.recv() {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                let _ = thread.join();
                return Err(e);
            }
            Err(_) => {
                let _ = thread.join();
                return Err(EmulatorError::Runtime(
                    "the server thread exited before it was ready".into(),
                ));
            }
        }
        Ok(Self {
            base_url,
            local_addr,
            store,
            stop: Some(stop_tx),
            thread: Some(thread),
        })
    }

    /// The base URL clients use: `http://127.0.0.1:PORT` (or the configured public base URL).
    /// Endpoints are below it: `{base_url}/accounts/OAuthGetRequestToken`, …
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The address the server is bound to.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The live access tokens of (`user`, `consumer_key`), oldest first: for tests and demos
    /// that check what is outstanding.
    pub fn access_tokens(&self, user: &str, consumer_key: &str) -> Vec<String> {
        self.store.access_tokens(user, consumer_key)
    }

    /// Stops the server and waits for its thread (what dropping does).
    pub fn shutdown(mut self) {
        self.stop_and_join();
    }

    fn stop_and_join(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.stop_and_join();
    }
}
