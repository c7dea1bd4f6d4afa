//! The Google accounts users sign in with, shared by every protocol's consent page: the
//! configured users (or the one default user), the email and password check, the Google
//! Apps domain rule (`hd`, PROTOCOLS.md §3.3), and the guard against password guessing:
//! after [`MAX_WRONG_PASSWORDS`] wrong passwords in a row, an account's sign-ins are refused
//! for [`SIGN_IN_LOCKOUT`] seconds (issue 15 §1).

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use hmac::{Hmac, Mac};
use rand_core::{OsRng, RngCore};
use sha2::Sha256;

use crate::secret::{ct_eq, SecretString};

use super::EmulatorError;

/// The user registered when none is configured.
pub const DEFAULT_USER_EMAIL: &str = "user@example.com";
/// The default user's password.
pub const DEFAULT_USER_PASSWORD: &str = "password";

/// Wrong passwords in a row after which a consent page refuses an account's sign-ins for
/// [`SIGN_IN_LOCKOUT`] seconds (the right password included). ClientLogin has its own rule
/// (a CAPTCHA).
pub const MAX_WRONG_PASSWORDS: u32 = 5;
/// Longest configured user email accepted, in bytes (RFC 5321's path limit).
const MAX_EMAIL_LEN: usize = 254;
/// Seconds an account's consent-page sign-ins stay refused after [`MAX_WRONG_PASSWORDS`]
/// wrong passwords in a row, by the emulator's clock. A success resets the count.
pub const SIGN_IN_LOCKOUT: u64 = 60;

/// A registered user.
pub struct User {
    /// The email address the user signs in with.
    pub email: String,
    password: SecretString,
}

/// Why a sign-in was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInRefused {
    /// No such account, or a wrong password (the page does not say which).
    WrongEmailOrPassword,
    /// The account exists but is outside the Google Apps domain the page is restricted to.
    OutsideDomain,
    /// Too many wrong passwords in a row: sign-ins are refused for this many more seconds.
    Locked(u64),
}

/// An account's wrong passwords in a row, and until when it is locked.
#[derive(Debug, Default, Clone, Copy)]
struct Failures {
    in_a_row: u32,
    locked_until: u64,
}

/// The registered users, fixed at start, and their sign-in failures (one entry per
/// configured account at most: an unknown email is never counted, so the state is
/// bounded by the configuration).
pub struct Accounts {
    users: Vec<User>,
    defaults_in_use: bool,
    failures: Mutex<HashMap<usize, Failures>>,
    /// The consent forms' CSRF key, drawn at start.
    csrf: CsrfKey,
}

impl Accounts {
    /// The configured users, or the default user when none is; each must look like an email
    /// address.
    pub fn new(users: Vec<(String, SecretString)>) -> Result<Self, EmulatorError> {
        let defaults_in_use = users.is_empty();
        let users: Vec<User> = if users.is_empty() {
            vec![User {
                email: DEFAULT_USER_EMAIL.to_owned(),
                password: SecretString::new(DEFAULT_USER_PASSWORD),
            }]
        } else {
            users
                .into_iter()
                .map(|(email, password)| User { email, password })
                .collect()
        };
        for u in &users {
            let ok = u.email.len() <= MAX_EMAIL_LEN
                && u.email.bytes().all(|b| b.is_ascii_graphic())
                && u.email
                    .split_once('@')
                    .is_some_and(|(l, d)| !l.is_empty() && !d.is_empty());
            if !ok {
                return Err(EmulatorError::InvalidConfig(format!(
                    "user {:?} is not an email address",
                    u.email
                )));
            }
        }
        Ok(Self {
            users,
            defaults_in_use,
            failures: Mutex::new(HashMap::new()),
            csrf: CsrfKey::random(),
        })
    }

    /// The consent forms' CSRF key.
    pub fn csrf(&self) -> &CsrfKey {
        &self.csrf
    }

    /// Whether the only user is the default one (the consent page then shows its password).
    pub fn defaults_in_use(&self) -> bool {
        self.defaults_in_use
    }

    /// Every user, in the order configured.
    pub fn all(&self) -> &[User] {
        &self.users
    }

    /// The user with this email, compared case-insensitively.
    pub fn find(&self, email: &str) -> Option<&User> {
        self.users
            .iter()
            .find(|u| u.email.eq_ignore_ascii_case(email))
    }

    /// The users who may sign in under `domain` (every user when `None`), in order: the
    /// first is the one auto-approve signs in as.
    pub fn in_domain<'a>(&'a self, domain: Option<&'a str>) -> impl Iterator<Item = &'a User> {
        self.users
            .iter()
            .filter(move |u| in_domain(&u.email, domain))
    }

    /// Checks an email and password (the password in constant time), then the domain rule,
    /// with no failure count: ClientLogin's check, which has its own rule (a CAPTCHA after
    /// failures).
    pub fn check_password(
        &self,
        email: &str,
        password: &str,
        domain: Option<&str>,
    ) -> Result<&User, SignInRefused> {
        let user = self
            .find(email)
            .filter(|u| ct_eq(u.password.secret().as_bytes(), password.as_bytes()))
            .ok_or(SignInRefused::WrongEmailOrPassword)?;
        if !in_domain(&user.email, domain) {
            return Err(SignInRefused::OutsideDomain);
        }
        Ok(user)
    }

    /// The consent pages' sign-in: checks an email and password (the password in constant
    /// time), then the domain rule, at `now` (the emulator's clock): an account locked by [`MAX_WRONG_PASSWORDS`] wrong
    /// passwords in a row is refused for [`SIGN_IN_LOCKOUT`] seconds whatever the password.
    pub fn sign_in(
        &self,
        email: &str,
        password: &str,
        domain: Option<&str>,
        now: u64,
    ) -> Result<&User, SignInRefused> {
        let Some(index) = self
            .users
            .iter()
            .position(|u| u.email.eq_ignore_ascii_case(email))
        else {
            return Err(SignInRefused::WrongEmailOrPassword);
        };
        let mut failures = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        let entry = failures.entry(index).or_default();
        if entry.locked_until > now {
            return Err(SignInRefused::Locked(entry.locked_until - now));
        }
        let user = self
            .users
            .get(index)
            .filter(|u| ct_eq(u.password.secret().as_bytes(), password.as_bytes()));
        let Some(user) = user else {
            entry.in_a_row = entry.in_a_row.saturating_add(1);
            if entry.in_a_row >= MAX_WRONG_PASSWORDS {
                entry.in_a_row = 0;
                entry.locked_until = now.saturating_add(SIGN_IN_LOCKOUT);
            }
            return Err(SignInRefused::WrongEmailOrPassword);
        };
        *entry = Failures::default();
        if !in_domain(&user.email, domain) {
            return Err(SignInRefused::OutsideDomain);
        }
        Ok(user)
    }
}

/// The Google Apps domain a sign-in is restricted to: the `hd` value, unless it is empty or
/// `default` (PROTOCOLS.md §3.3).
pub fn hosted_domain(hd: Option<&str>) -> Option<&str> {
    hd.filter(|d| !d.is_empty() && !d.eq_ignore_ascii_case("default"))
}

/// Whether `email` belongs to `domain` (compared case-insensitively); any email does when
/// there is no domain.
pub fn in_domain(email: &str, domain: Option<&str>) -> bool {
    domain.is_none_or(|d| {
        email
            .rsplit_once('@')
            .is_some_and(|(_, dom)| dom.eq_ignore_ascii_case(d))
    })
}

/// The per-process key of the consent forms' CSRF tokens (256 bits from the OS CSPRNG),
/// kept with the accounts it protects; `consent` writes and checks the tokens.
pub struct CsrfKey(zeroize::Zeroizing<[u8; 32]>);

impl CsrfKey {
    /// A fresh random key.
    pub fn random() -> Self {
        let mut key = zeroize::Zeroizing::new([0u8; 32]);
        OsRng.fill_bytes(key.as_mut());
        Self(key)
    }

    /// The token of the page whose form posts to `action` carrying `hidden`: hex
    /// HMAC-SHA256 over the action and each hidden name and value, NUL-separated.
    pub fn token(&self, action: &str, hidden: &[(&str, &str)]) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(self.0.as_ref())
            .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length (RFC 2104 §2)"));
        mac.update(b"gdauth-consent\0");
        mac.update(action.as_bytes());
        for (name, value) in hidden {
            mac.update(b"\0");
            mac.update(name.as_bytes());
            mac.update(b"=");
            mac.update(value.as_bytes());
        }
        crate::clock::hex_lower(&mac.finalize().into_bytes())
    }

    /// Whether `token` is the one of that page (compared in constant time).
    pub fn check(&self, action: &str, hidden: &[(&str, &str)], token: Option<&str>) -> bool {
        token.is_some_and(|t| ct_eq(t.as_bytes(), self.token(action, hidden).as_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_in_checks_password_then_domain() {
        let a = Accounts::new(vec![
            ("a@example.org".into(), SecretString::new("pw")),
            ("b@example.com".into(), SecretString::new("pw2")),
        ])
        .unwrap();
        assert!(!a.defaults_in_use());
        assert_eq!(
            a.sign_in("A@Example.org", "pw", None, 0).unwrap().email,
            "a@example.org"
        );
        assert_eq!(
            a.sign_in("a@example.org", "nope", None, 0).err(),
            Some(SignInRefused::WrongEmailOrPassword)
        );
        assert_eq!(
            a.sign_in("nobody@example.org", "pw", None, 0).err(),
            Some(SignInRefused::WrongEmailOrPassword)
        );
        assert_eq!(
            a.sign_in("b@example.com", "pw2", Some("example.org"), 0)
                .err(),
            Some(SignInRefused::OutsideDomain)
        );
        let first: Vec<&str> = a
            .in_domain(Some("EXAMPLE.COM"))
            .map(|u| u.email.as_str())
            .collect();
        assert_eq!(first, ["b@example.com"]);
    }

    #[test]
    fn the_default_user_and_bad_emails() {
        let d = Accounts::new(Vec::new()).unwrap();
        assert!(d.defaults_in_use());
        assert!(d
            .sign_in(DEFAULT_USER_EMAIL, DEFAULT_USER_PASSWORD, None, 0)
            .is_ok());
        for bad in ["", "no-at", "@example.com", "a@", "a b@example.com"] {
            assert!(
                Accounts::new(vec![(bad.into(), SecretString::new("x"))]).is_err(),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn password_guesses_on_the_consent_page_are_rate_limited() {
        let a = Accounts::new(vec![
            ("a@example.org".into(), SecretString::new("pw")),
            ("b@example.org".into(), SecretString::new("pw")),
        ])
        .unwrap();
        for _ in 0..MAX_WRONG_PASSWORDS {
            assert_eq!(
                a.sign_in("a@example.org", "guess", None, 100).err(),
                Some(SignInRefused::WrongEmailOrPassword)
            );
        }
        // Locked: the right password too, for SIGN_IN_LOCKOUT seconds; others unaffected.
        assert_eq!(
            a.sign_in("a@example.org", "pw", None, 100).err(),
            Some(SignInRefused::Locked(SIGN_IN_LOCKOUT))
        );
        assert!(a.sign_in("b@example.org", "pw", None, 100).is_ok());
        assert_eq!(
            a.sign_in("a@example.org", "pw", None, 100 + SIGN_IN_LOCKOUT - 1)
                .err(),
            Some(SignInRefused::Locked(1))
        );
        assert!(a
            .sign_in("a@example.org", "pw", None, 100 + SIGN_IN_LOCKOUT)
            .is_ok());
        // A success resets the count: four wrong ones then the right one never lock.
        for round in 0..3 {
            for _ in 1..MAX_WRONG_PASSWORDS {
                assert!(a.sign_in("a@example.org", "x", None, 500 + round).is_err());
            }
            assert!(a.sign_in("a@example.org", "pw", None, 500 + round).is_ok());
        }
        // Unknown emails keep no state.
        for _ in 0..100 {
            let _ = a.sign_in("nobody@example.org", "x", None, 0);
        }
        assert!(a.failures.lock().unwrap().len() <= 2);
    }

    #[test]
    fn hd_default_and_empty_mean_no_domain() {
        assert_eq!(hosted_domain(Some("default")), None);
        assert_eq!(hosted_domain(Some("DEFAULT")), None);
        assert_eq!(hosted_domain(Some("")), None);
        assert_eq!(hosted_domain(None), None);
        assert_eq!(hosted_domain(Some("example.org")), Some("example.org"));
        assert!(in_domain("a@anything", None));
    }
}
