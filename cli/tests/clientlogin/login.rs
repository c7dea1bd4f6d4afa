//! Logins through the command line against the loopback [`Responder`]: the request on the
//! wire, the token or JSON printed, each `Error=` answer as one `error:` line with exit
//! status 1, and a CAPTCHA shown on stderr and answered once from stdin. The password is
//! fed on stdin and appears in no output.

use crate::responder::{Reply, Responder};
use crate::support::{gdauth_with_stdin, readme_example};

const PASSWORD: &str = "CANARY-north23AZ";
const SUCCESS: &str = "SID=DQAAAGgA7Zg8CTN\r\nLSID=DQAAAGsAlk8BBbG\r\nAuth=DQAAAGgAdk3fA5N";
const CAPTCHA: &str = "Url=http://www.google.com/login/captcha\nError=CaptchaRequired\n\
                       CaptchaToken=DQAAAGgA...dkI1LK9\nCaptchaUrl=Captcha?ctoken=HiteT4bVoP6\n";

/// `gdauth clientlogin login --endpoint <responder> <args>` with `stdin`: (exit status,
/// stdout, stderr). Checks that the password reached no output.
fn login(responder: &Responder, args: &[&str], stdin: &str) -> (Option<i32>, String, String) {
    let all = [
        &["clientlogin", "login", "--endpoint", responder.base_url()],
        args,
    ]
    .concat();
    let (code, stdout, stderr) = gdauth_with_stdin(&all, stdin);
    assert!(
        !stdout.contains(PASSWORD) && !stderr.contains(PASSWORD),
        "password echoed"
    );
    (code, stdout, stderr)
}

const JO: [&str; 4] = ["--email", "jo@gmail.com", "--service", "cl"];

#[test]
fn success_prints_the_auth_token() {
    let google = Responder::start(vec![Reply::new(200, SUCCESS)]);
    let args = [&JO[..], &["--source", "Gulp-CalGulp-1.05"]].concat();
    let (code, stdout, stderr) = login(&google, &args, &format!("{PASSWORD}\n"));
    assert_eq!(
        (code, stdout.as_str(), stderr.as_str()),
        (Some(0), "DQAAAGgAdk3fA5N\n", "")
    );
    let seen = google.requests();
    assert_eq!(seen.len(), 1);
    let req = &seen[0];
    assert_eq!(
        (req.method.as_str(), req.path.as_str()),
        ("POST", "/accounts/ClientLogin")
    );
    assert_eq!(
        req.header("Content-Type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(
        req.body,
        "accountType=HOSTED_OR_GOOGLE&Email=jo%40gmail.com&Passwd=CANARY-north23AZ&service=cl\
         &source=Gulp-CalGulp-1.05"
    );
}

#[test]
fn json_account_type_and_any_service() {
    let google = Responder::start(vec![
        Reply::new(200, SUCCESS),
        Reply::new(200, "Auth=abc\n"),
    ]);
    let (code, stdout, _) = login(
        &google,
        &[&JO[..], &["--json"]].concat(),
        &format!("{PASSWORD}\r\n"),
    );
    assert_eq!(code, Some(0));
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        v,
        serde_json::json!({"auth": "DQAAAGgAdk3fA5N", "sid": "DQAAAGgA7Zg8CTN", "lsid": "DQAAAGsAlk8BBbG"})
    );
    let args = [
        "--email",
        "a@example.com",
        "--service",
        "my service",
        "--account-type",
        "HOSTED",
        "--json",
    ];
    // A password with inner spaces and no last line ending is read whole.
    let (code, stdout, _) = login(&google, &args, "CANARY-north23AZ with spaces ");
    assert_eq!(code, Some(0));
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        v,
        serde_json::json!({"auth": "abc", "sid": null, "lsid": null})
    );
    let seen = google.requests();
    let req = &seen[1];
    assert_eq!(
        req.field("Passwd").as_deref(),
        Some("CANARY-north23AZ with spaces ")
    );
    assert_eq!(req.field("service").as_deref(), Some("my service"));
    assert_eq!(req.field("accountType").as_deref(), Some("HOSTED"));
    assert!(req.field("source").unwrap().starts_with("gdata-auth-"));
}

#[test]
fn each_error_is_one_line_and_status_1() {
    let rows: Vec<(Reply, &str)> = vec![
        (
            Reply::new(403, "Error=BadAuthentication\n"),
            "wrong user name or password",
        ),
        (
            Reply::new(403, "Error=BadAuthentication\nInfo=InvalidSecondFactor\n"),
            "application-specific password",
        ),
        (
            Reply::new(403, "Error=NotVerified\nUrl=http://example.com/\n"),
            "Error=NotVerified",
        ),
        (
            Reply::new(
                403,
                "Error=BadAuthentication\nInfo=WebLoginRequired\nUrl=https://accounts.example/unlock\n",
            ),
            "sign in on the web first, at the page in Url= (Error=BadAuthentication, Info=WebLoginRequired); see https://accounts.example/unlock",
        ),
        (
            Reply::new(403, "Error=TermsNotAgreed\n"),
            "Error=TermsNotAgreed",
        ),
        (Reply::new(403, "Error=Unknown\n"), "check the service name"),
        (
            Reply::new(403, "Error=AccountDeleted\n"),
            "Error=AccountDeleted",
        ),
        (
            Reply::new(403, "Error=AccountDisabled\n"),
            "Error=AccountDisabled",
        ),
        (
            Reply::new(403, "Error=AccountMigrated\n"),
            "Error=AccountMigrated",
        ),
        (
            Reply::new(403, "Error=ServiceDisabled\n"),
            "Error=ServiceDisabled",
        ),
        (
            Reply::new(403, "Error=ServiceUnavailable\n"),
            "try again later",
        ),
        (
            Reply::new(503, "Error=ServiceUnavailable\n").header("Retry-After", "30"),
            "Retry-After: 30 s",
        ),
        (Reply::new(500, "Whoops."), "HTTP 500"),
        (
            Reply::new(200, ""),
            "malformed ClientLogin answer: the body is empty",
        ),
        (Reply::new(200, "SID=1\nLSID=2\n"), "no Auth token"),
        (
            Reply::new(403, "Error=Foobar\n"),
            "unknown Error code Foobar",
        ),
        (
            Reply::new(
                403,
                "Error=CaptchaRequired\nCaptchaToken=t\nCaptchaUrl=//evil.example/x\n",
            ),
            "refused CaptchaUrl",
        ),
    ];
    for (reply, want) in rows {
        let what = reply.body.clone();
        let google = Responder::start(vec![reply]);
        let (code, stdout, stderr) = login(&google, &JO, &format!("{PASSWORD}\n"));
        assert_eq!(code, Some(1), "{what:?}: {stderr}");
        assert!(stdout.is_empty(), "{what:?}: {stdout}");
        assert!(
            stderr.starts_with("error: ") && stderr.ends_with('\n'),
            "{what:?}: {stderr}"
        );
        assert_eq!(stderr.lines().count(), 1, "{what:?}: {stderr}");
        assert!(stderr.contains(want), "{what:?}: {stderr}");
        assert_eq!(google.requests().len(), 1, "{what:?}: retried");
    }
}

#[test]
fn captcha_is_shown_and_answered_once() {
    let google = Responder::start(vec![Reply::new(403, CAPTCHA), Reply::new(200, SUCCESS)]);
    let (code, stdout, stderr) = login(&google, &JO, &format!("{PASSWORD}\n  x7Gh2 \n"));
    assert_eq!(
        (code, stdout.as_str()),
        (Some(0), "DQAAAGgAdk3fA5N\n"),
        "{stderr}"
    );
    let image = format!("{}/accounts/Captcha?ctoken=HiteT4bVoP6", google.base_url());
    assert!(
        stderr.contains(&format!("open {image} and type")),
        "{stderr}"
    );
    let seen = google.requests();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].field("logintoken"), None);
    assert_eq!(
        seen[1].field("logintoken").as_deref(),
        Some("DQAAAGgA...dkI1LK9")
    );
    assert_eq!(seen[1].field("logincaptcha").as_deref(), Some("x7Gh2"));
    assert_eq!(seen[1].field("Passwd").as_deref(), Some(PASSWORD));
}

#[test]
fn a_second_captcha_is_not_answered() {
    let google = Responder::start(vec![Reply::new(403, CAPTCHA), Reply::new(403, CAPTCHA)]);
    let (code, stdout, stderr) = login(&google, &JO, &format!("{PASSWORD}\nwrong\nagain\n"));
    assert_eq!(code, Some(1));
    assert!(stdout.is_empty());
    assert!(
        stderr.contains("error: Google asks for a CAPTCHA again; not retrying"),
        "{stderr}"
    );
    assert_eq!(google.requests().len(), 2);
}

#[test]
fn missing_input_on_stdin() {
    // No answer after the password: one request, then a clear error.
    let google = Responder::start(vec![Reply::new(403, CAPTCHA)]);
    let (code, _, stderr) = login(&google, &JO, &format!("{PASSWORD}\n"));
    assert_eq!(code, Some(1));
    assert!(
        stderr.contains("error: no CAPTCHA answer on stdin"),
        "{stderr}"
    );
    assert_eq!(google.requests().len(), 1);
    // No password at all, or an empty one: nothing is sent.
    let google = Responder::start(vec![Reply::new(200, SUCCESS)]);
    for (stdin, want) in [
        ("", "error: no password on stdin"),
        ("\n", "error: the password is empty"),
    ] {
        let (code, stdout, stderr) = login(&google, &JO, stdin);
        assert_eq!(code, Some(1), "{stdin:?}");
        assert!(stdout.is_empty());
        assert!(stderr.contains(want), "{stdin:?}: {stderr}");
    }
    assert!(google.requests().is_empty());
}

#[test]
fn readme_example_runs() {
    // The README's command, its --endpoint pointed at the responder, the password on stdin;
    // stdout is the last line of its transcript (the prompt above it goes to the terminal).
    let (_, mut args, transcript) = readme_example("clientlogin login");
    let google = Responder::start(vec![Reply::new(200, SUCCESS)]);
    let at = args.iter().position(|a| a == "--endpoint").unwrap();
    args.drain(at..=at + 1);
    let args: Vec<&str> = args.iter().skip(2).map(String::as_str).collect();
    let (code, stdout, stderr) = login(&google, &args, &format!("{PASSWORD}\n"));
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(stdout.trim_end(), transcript.lines().last().unwrap());
    assert_eq!(
        google.requests()[0].field("source").as_deref(),
        Some("Gulp-CalGulp-1.05")
    );
}
