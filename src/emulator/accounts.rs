//! The Google accounts users sign in with, shared by every protocol's consent page: the
//! configured users (or the one default user), the email and password check, and the
//! Google Apps domain rule (`hd`, PROTOCOLS.md §3.3).

use crate::secret::{ct_eq, SecretString};

use super::EmulatorError;

/// The user registered when none is configured.
pub const DEFAULT_USER_EMAIL: &str = "user@example.com";
/// The default user's password.
pub const DEFAULT_USER_PASSWORD: &str = "password";

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
}

/// The registered users, fixed at start.
pub struct Accounts {
    users: Vec<User>,
    defaults_in_use: bool,
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
            let ok = u.email.len() <= 254
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
        })
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

    /// Checks an email and password (the password in constant time), then the domain rule.
    pub fn sign_in(
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
            a.sign_in("A@Example.org", "pw", None).unwrap().email,
            "a@example.org"
        );
        assert_eq!(
            a.sign_in("a@example.org", "nope", None).err(),
            Some(SignInRefused::WrongEmailOrPassword)
        );
        assert_eq!(
            a.sign_in("nobody@example.org", "pw", None).err(),
            Some(SignInRefused::WrongEmailOrPassword)
        );
        assert_eq!(
            a.sign_in("b@example.com", "pw2", Some("example.org")).err(),
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
            .sign_in(DEFAULT_USER_EMAIL, DEFAULT_USER_PASSWORD, None)
            .is_ok());
        for bad in ["", "no-at", "@example.com", "a@", "a b@example.com"] {
            assert!(
                Accounts::new(vec![(bad.into(), SecretString::new("x"))]).is_err(),
                "{bad:?}"
            );
        }
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
