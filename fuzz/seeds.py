#!/usr/bin/env python3
"""Writes the seed inputs of every fuzz target into corpus/<target>/seed-*, from the crate's
vectors (fixtures/vectors), the README's examples and SECURITY.md §5.1's hostile rows.
Run from fuzz/: `python3 seeds.py`. Inputs are the bytes each check in
tests/fuzz_props/<target>.rs reads (fields separated by NUL, a selector byte first where
the check has one)."""

import base64, hashlib, hmac, json, os, urllib.parse

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
V1 = json.load(open(os.path.join(ROOT, "fixtures/vectors/oauth1.json")))
VG = json.load(open(os.path.join(ROOT, "fixtures/vectors/gdata.json")))
BLOBS = [l.split("\t")[1].rstrip("\n") for l in open(os.path.join(ROOT, "fixtures/vectors/py2_token_blobs.tsv")) if not l.startswith("#") and "\t" in l]

seeds = {}
def add(target, data):
    if isinstance(data, str):
        data = data.encode()
    seeds.setdefault(target, []).append(data)

def kind(vs, k):
    return [v for v in vs if v["kind"] == k]

def enc(s):
    return urllib.parse.quote(s, safe="-._~")

# oauth1_header
for v in kind(V1, "authorization_header"):
    add("oauth1_header", v["expected"]["header"])
RFC_HEADER = ('OAuth realm="Photos", oauth_consumer_key="dpf43f3p2l4k3l03", oauth_token="nnch734d00sl2jdk", '
              'oauth_signature_method="HMAC-SHA1", oauth_signature="MdpQcU8iPSUjWoN%2FUDMsK2sui9I%3D", '
              'oauth_timestamp="137131202", oauth_nonce="chapoH"')
add("oauth1_header", RFC_HEADER)
for h in ['OAuth %72ealm="X", oauth_nonce="n"', 'oauth  a="1",b="2" ,  c = "3"', 'OAuth', 'OAuth a="x\\"y"',
          'OAuth realm="a", realm="b"', 'OAuth oauth_nonce="%zz"', 'OAuth a="1" b="2"', 'OAuth a="\t"']:
    add("oauth1_header", h)

# authsub_header
README_SECURE = ('AuthSub token="CKF50YzIHxCTKMAg" data="GET https://www.google.com/calendar/feeds/default/private/full?x=1 '
                 '1700000000 123456789" sig="isSUuXTAnXosDQeLgitHyAzsEpXVDLMWH3B/1DTLd04d+2VKQ==" sigalg="rsa-sha1"')
for h in [README_SECURE, 'AuthSub token="CKF50YzIHxCTKMAg"', 'AuthSub token=123abc',
          'AuthSub sigalg="rsa-sha1" data="PUT http://example.com/foo?a=1 1234567890 mynonce" sig="c2ln" token=tok',
          'PUT http://example.com/foo?a=1 1234567890 mynonce', 'GET u +1 n', 'AuthSub token="a" token="b"']:
    add("authsub_header", h)

# clientlogin_response: selector (status index: 0=200, 1=403, 2=503), body
for v in kind(VG, "clientlogin_response"):
    st = {200: 0, 403: 1, 503: 2}.get(v["input"]["status"], 0)
    add("clientlogin_response", bytes([st]) + v["input"]["body"].encode())
add("clientlogin_response", b"\x01Error=BadAuthentication\nInfo=InvalidSecondFactor\n")
add("clientlogin_response", b"\x82120\nError=ServiceUnavailable\n")
add("clientlogin_response", b"\x01Error=CaptchaRequired\nCaptchaToken=t\nCaptchaUrl=../../x\n")
add("clientlogin_response", b"\x00Captcha?ctoken=abc")

# request_base_string: method \0 url \0 form body \0 oauth params (form-encoded)
for v in kind(V1, "base_string") + kind(VG, "base_string"):
    i = v["input"]
    oauth = "&".join(f"oauth_{k}={enc(x)}" for k, x in i.get("oauth", {}).items())
    add("request_base_string", "\0".join([i.get("method", "GET"), i["url"], i.get("body_form", ""), oauth]))
for u in ["HTTPS://Example.COM:443/a", "http://[::1]:8080/x", "http://h:443/", "https://h:80/p?a=1&a=2&flag",
          "http://h/%7e/%2F?x=%zz", "http://h/a b?+*~", "http://0x7f.1/", "http://xn--nxasmq6b.com/", "http://h/./a/../b"]:
    add("request_base_string", f"get\0{u}\0c2&a3=2+q\0oauth_nonce=1")

# form_decode: one string (form body, percent-encoded text, or key=value lines)
for v in kind(V1, "percent_encode"):
    add("form_decode", enc(v["input"]["value"]))
for v in kind(VG, "token_response"):
    add("form_decode", v["input"]["body"])
for s in ["a=1&&b=2&flag&a=%2B+x", "%zz", "%C0%AF", "Token=abc\nExpiration=20061004T123456Z\n", "SID=a\r\nLSID=b\r\nAuth=c",
          "Something\nToken=x", "a=1\nA=2"]:
    add("form_decode", s)

# oauth2_response: selector (bits 4-5: 0 token, 1 error, 2 device, 3 redirect; low bits: status), body
add("oauth2_response", b"\x00" + json.dumps({"access_token": "ya29.a0Af", "token_type": "Bearer", "expires_in": 3599,
                                             "refresh_token": "1//0g", "scope": "https://www.googleapis.com/auth/calendar openid"}).encode())
add("oauth2_response", b"\x00{\"access_token\":\"x\",\"token_type\":\"bearer\",\"expires_in\":\"3600\"}")
add("oauth2_response", b"\x00{\"access_token\":\"x\",\"token_type\":\"Bearer\",\"expires_in\":1e30}")
add("oauth2_response", b"\x11{\"error\":\"invalid_grant\",\"error_subtype\":\"invalid_rapt\",\"error_description\":\"Bad\\u001b[2J\"}")
add("oauth2_response", b"\x93{\"error\":\"admin_policy_enforced\"}")
add("oauth2_response", b"\x20" + json.dumps({"device_code": "4/4-GMMhmHCXhWEzkobqIHGG_EnNYYsAkukHspeYUk9E8", "user_code": "GQVQ-JKEC",
                                             "verification_url": "https://www.google.com/device", "expires_in": 1800, "interval": 5}).encode())
add("oauth2_response", b"\x30http://127.0.0.1:8080/cb?state=fuzz-state-0123456789&code=4/P7q7W91a-oMsCeLvIaQm6bTrgtp7")
add("oauth2_response", b"\x30?state=fuzz-state-0123456789&error=access_denied&error_description=no")

# legacy_blob
for b in BLOBS:
    add("legacy_blob", b)
add("legacy_blob", "1c|DQAAAGgAdk3fA5N")
add("legacy_blob", "1a|tok|http%3A%2F%2Fwww.google.com%2Fcalendar%2Ffeeds%2F")
add("legacy_blob", "1htl|key|sec%2Bret|jo%40example.com")

# authsub_next
for u in ["https://www.example.com/next?x=1", "http://localhost:8080/cb", "https://good.com@evil.com/", "https://evil.com/good.com",
          "https://good.com.evil.com/", "javascript:alert(1)", "https://h/?token=x", "https://h/#f", "https://h\\evil/",
          "HTTPS://EXAMPLE.com:443/a/../b", "https://[::1]/"]:
    add("authsub_next", u)

# oauth1_verify: raw (selector bit 0 clear): method \0 url \0 authorization \0 form \0 body;
# signed (bit 0 set): method \0 url \0 form \0 nonce \0 mutation.
NOW = 1_300_000_000
def raw_signed(method, url, params, cs, ts, token=None):
    u = urllib.parse.urlsplit(url)
    q = urllib.parse.parse_qsl(u.query, keep_blank_values=True)
    base_uri = f"{u.scheme}://{u.netloc.lower()}{u.path or '/'}"
    oauth = dict(oauth_consumer_key="fuzz-consumer", oauth_nonce="abc123", oauth_signature_method="HMAC-SHA1",
                 oauth_timestamp=str(NOW), oauth_version="1.0", **params)
    if token:
        oauth["oauth_token"] = token
    pairs = sorted((enc(k), enc(v)) for k, v in list(q) + list(oauth.items()))
    base = "&".join([method, enc(base_uri), enc("&".join(f"{k}={v}" for k, v in pairs))])
    key = f"{enc(cs)}&{enc(ts)}"
    sig = base64.b64encode(hmac.new(key.encode(), base.encode(), hashlib.sha1).digest()).decode()
    oauth["oauth_signature"] = sig
    return "OAuth realm=\"fuzz\", " + ", ".join(f'{enc(k)}="{enc(v)}"' for k, v in oauth.items())
h = raw_signed("GET", "http://example.com/feeds?alt=json&q=a%20b", {}, "fuzz consumer&secret", "")
add("oauth1_verify", b"\x00" + "\0".join(["GET", "http://example.com/feeds?alt=json&q=a%20b", h, "", ""]).encode())
h = raw_signed("GET", "https://example.com/x", {}, "fuzz consumer&secret", "fuzz/token secret", token="fuzz-token")
add("oauth1_verify", b"\x00" + "\0".join(["GET", "https://example.com/x", h, "", ""]).encode())
add("oauth1_verify", b"\x00" + "\0".join(["GET", "http://photos.example.net/photos?file=vacation.jpg", RFC_HEADER, "", ""]).encode())
add("oauth1_verify", b"\x02" + "\0".join(["POST", "https://example.com/r?oauth_version=1.0", "", "oauth_consumer_key=fuzz-consumer&oauth_signature_method=PLAINTEXT&oauth_signature=x", ""]).encode())
for sel in [0x01, 0x05, 0x09, 0x0d, 0x11, 0x1d, 0xe1]:
    add("oauth1_verify", bytes([sel]) + "\0".join(["get", "https://www.google.com/calendar/feeds/default/private/full?alt=json&q=a+b",
                                                    "title=x%20y&flag", "4572616e48616d", "\x40Z"]).encode())

for target, inputs in seeds.items():
    d = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", target)
    os.makedirs(d, exist_ok=True)
    for i, data in enumerate(inputs):
        with open(os.path.join(d, f"seed-{i:02}"), "wb") as f:
            f.write(data)
    print(target, len(inputs))
