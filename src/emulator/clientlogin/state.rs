//! ClientLogin's state: consecutive failures and live CAPTCHA challenges per account, and
//! the issued `Auth` tokens, in one struct behind one `Mutex`. Every operation locks once
//! and is synchronous (no lock across an `.await`).
//!
//! A refused login is a [`Refused`], a domain outcome; [`super::wire`] words it as
//! ClientLogin's `Error=` answer (PROTOCOLS.md §1.4). Memory is bounded: state exists only
//! for configured accounts, each holds at most [`MAX_CHALLENGES_PER_ACCOUNT`] live
//! challenges and [`MAX_TOKENS_PER_ACCOUNT`] tokens, under global caps.
//!
//! With a state store (`gdauth serve --state`), each login's changes (failure counts,
//! challenges issued or spent, tokens issued or evicted) are written before its lock is
//! released and its answer sent ([`crate::emulator::durable`]); a write that fails undoes
//! them and answers [`Refused::StoreUnavailable`].

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard, PoisonError};

use rand_core::{OsRng, RngCore};
use serde::{Deserialize, Serialize};

use crate::clock::random_hex;
use crate::secret::{ct_eq, SecretString};

use crate::emulator::accounts::{Accounts, User};
use crate::emulator::bounds::oldest_over_cap;
use crate::emulator::durable::{write_locked, Journal, Journaled, StateError, Table, Tables};

/// Consecutive failed logins of an account after which every login needs a CAPTCHA.
pub const DEFAULT_CAPTCHA_AFTER: u32 = 3;
/// Seconds an `Auth` token opens feeds; afterwards a feed answers `Token expired` (Google's
/// ClientLogin tokens lasted about two weeks).
pub const AUTH_TOKEN_LIFETIME: u64 = 14 * 86_400;
/// The `Retry-After` (seconds) of a `ServiceUnavailable` answer.
pub const UNAVAILABLE_RETRY_AFTER: u64 = 1;
/// How many logins in a row an `unavailable-` account answers `ServiceUnavailable` before one
/// succeeds.
pub const UNAVAILABLE_STREAK: u32 = 2;
/// Live CAPTCHA challenges per account; the oldest goes first.
pub const MAX_CHALLENGES_PER_ACCOUNT: usize = 4;
/// Live CAPTCHA challenges in all; the oldest goes first.
const MAX_CHALLENGES: usize = 10_000;
/// Unknown emails whose failures are counted (the oldest forgotten first): they get a
/// CAPTCHA after the same number of failures as a real account, so the answers do not tell
/// which accounts exist, while a flood of made-up addresses stays bounded.
const MAX_UNKNOWN_TRACKED: usize = 10_000;
/// Live `Auth` tokens per account; the oldest goes first.
pub const MAX_TOKENS_PER_ACCOUNT: usize = 100;
/// Live `Auth` tokens in all; the oldest goes first.
const MAX_TOKENS: usize = 10_000;
/// Characters of a random CAPTCHA answer: lower-case letters a person cannot confuse.
const ANSWER_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz";
/// Length of a random CAPTCHA answer.
const ANSWER_LEN: usize = 6;
/// Longest `--captcha-answer`.
pub const MAX_ANSWER_LEN: usize = 16;

/// What a test account's email local part makes a login with the right password answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestAccount {
    /// An ordinary account.
    Normal,
    /// `disabled-…`: `AccountDisabled`.
    Disabled,
    /// `deleted-…`: `AccountDeleted`.
    Deleted,
    /// `unverified-…`: `NotVerified`.
    Unverified,
    /// `tos-…`: `TermsNotAgreed`.
    TermsNotAgreed,
    /// `2sv-…`: `BadAuthentication` with `Info=InvalidSecondFactor`.
    SecondFactor,
    /// `noservice-…`: `ServiceDisabled`.
    NoService,
    /// `unavailable-…`: `ServiceUnavailable` [`UNAVAILABLE_STREAK`] times, then success.
    Unavailable,
    /// `migrated-…`: `AccountMigrated`.
    Migrated,
}

impl TestAccount {
    /// The local-part prefixes and what they make.
    pub const PREFIXES: [(&'static str, Self); 8] = [
        ("disabled-", Self::Disabled),
        ("deleted-", Self::Deleted),
        ("unverified-", Self::Unverified),
        ("tos-", Self::TermsNotAgreed),
        ("2sv-", Self::SecondFactor),
        ("noservice-", Self::NoService),
        ("unavailable-", Self::Unavailable),
        ("migrated-", Self::Migrated),
    ];

    /// The kind of `email`, by its local part's prefix (case-insensitive).
    pub fn of(email: &str) -> Self {
        let lower = email.to_ascii_lowercase();
        Self::PREFIXES
            .iter()
            .find(|(prefix, _)| lower.starts_with(prefix))
            .map_or(Self::Normal, |(_, kind)| *kind)
    }
}

/// One login as the endpoint read it. No `Debug`: it holds the password.
pub struct Attempt<'a> {
    /// `Email`.
    pub email: &'a str,
    /// `Passwd`.
    pub password: &'a str,
    /// `service`, a known code.
    pub service: &'a str,
    /// `source`, for the feeds' and the log's "read by".
    pub source: &'a str,
    /// `logintoken` and `logincaptcha`, when both were sent.
    pub captcha: Option<(&'a str, &'a str)>,
}

/// A fresh CAPTCHA challenge: the token the login sends back, and the image's id.
#[derive(Clone)]
pub struct Challenge {
    /// `CaptchaToken`, single use.
    pub token: String,
    /// The `ctoken` of `Captcha?ctoken=…`.
    pub ctoken: String,
}

impl core::fmt::Debug for Challenge {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Challenge(..)")
    }
}

/// Why a login was refused (PROTOCOLS.md §1.4). Nothing else changed but what the variant
/// says.
#[derive(Debug, Clone)]
pub enum Refused {
    /// Unknown email, wrong or missing password (counts as a failure for a known account).
    BadAuthentication,
    /// A `2sv-` account: needs an application-specific password.
    InvalidSecondFactor,
    /// An `unverified-` account.
    NotVerified,
    /// A `tos-` account.
    TermsNotAgreed,
    /// A `deleted-` account.
    AccountDeleted,
    /// A `disabled-` account.
    AccountDisabled,
    /// A `migrated-` account.
    AccountMigrated,
    /// A `noservice-` account.
    ServiceDisabled,
    /// An `unavailable-` account, for now; retry after [`UNAVAILABLE_RETRY_AFTER`] seconds.
    ServiceUnavailable,
    /// The request is not one ClientLogin understands (`Error=Unknown`).
    Unknown(Malformed),
    /// The account needs a CAPTCHA: none was sent, or a spent, foreign or unknown token, or
    /// a wrong answer. A fresh challenge was issued.
    CaptchaRequired(Challenge),
    /// The state store could not be written: nothing changed (worded as
    /// `ServiceUnavailable`, retry after [`UNAVAILABLE_RETRY_AFTER`] seconds).
    StoreUnavailable,
}

/// Why a request was not understood (`Error=Unknown`); never a secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Malformed {
    /// No `application/x-www-form-urlencoded` body.
    NotAForm,
    /// A field given twice.
    Repeated,
    /// `logintoken` without `logincaptcha`, or the other way round.
    LoneCaptchaField,
    /// `accountType` other than `HOSTED_OR_GOOGLE`, `GOOGLE`, `HOSTED`.
    AccountType,
    /// `service` missing or not a code of PROTOCOLS.md §1.6.
    Service,
    /// The body could not be read.
    Unreadable,
}

impl Malformed {
    /// For the log.
    pub fn reason(self) -> &'static str {
        match self {
            Self::NotAForm => "no form body",
            Self::Repeated => "a field given twice",
            Self::LoneCaptchaField => "logintoken and logincaptcha must come together",
            Self::AccountType => "unknown accountType",
            Self::Service => "missing or unknown service",
            Self::Unreadable => "unreadable request",
        }
    }
}

/// A successful login's tokens. No `Debug`: they are secrets.
pub struct Issued {
    /// `SID`.
    pub sid: String,
    /// `LSID`.
    pub lsid: String,
    /// `Auth`.
    pub auth: String,
}

/// What a live `Auth` token grants.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TokenGrant {
    /// The account, as configured.
    pub user: String,
    /// The service code it was issued for.
    pub service: String,
    /// The `source` that logged in.
    pub source: String,
}

/// Why a feed refused an `Auth` token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenRefused {
    /// Not issued here, or evicted.
    Unknown,
    /// Older than [`AUTH_TOKEN_LIFETIME`].
    Expired,
}

#[derive(Default, Clone, Serialize, Deserialize)]
struct AccountState {
    failures: u32,
    unavailable: u32,
    /// For an unknown email's entry: its place in the order they are forgotten in (the
    /// `unknown` deque, rebuilt from it at start). `None` for a configured account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    unknown_seq: Option<u64>,
}

#[derive(Clone, Serialize, Deserialize)]
struct Live {
    account: String,
    ctoken: String,
    answer: SecretString,
    seq: u64,
}

#[derive(Clone, Serialize, Deserialize)]
struct Token {
    grant: TokenGrant,
    account: String,
    issued_at: u64,
    seq: u64,
}

impl Live {
    /// The account and issue order, for [`over_cap`].
    fn owner(&self) -> (&str, u64) {
        (&self.account, self.seq)
    }
}

impl Token {
    /// The account and issue order, for [`over_cap`].
    fn owner(&self) -> (&str, u64) {
        (&self.account, self.seq)
    }
}

const ACCOUNTS_TABLE: &str = "clientlogin_accounts";
const CHALLENGES_TABLE: &str = "clientlogin_challenges";
const TOKENS_TABLE: &str = "clientlogin_tokens";

struct Inner {
    accounts: Table<String, AccountState>,
    /// The keys of unknown emails in `accounts`, oldest first, at most
    /// [`MAX_UNKNOWN_TRACKED`]. Derived from `accounts` (by `unknown_seq`): not stored.
    unknown: VecDeque<String>,
    challenges: Table<String, Live>,
    /// A live challenge's token by its image's `ctoken`. Derived from `challenges`: not
    /// stored.
    images: HashMap<String, String>,
    tokens: Table<String, Token>,
    /// The last issue number: derived from the tables at start.
    seq: u64,
}

impl Tables for Inner {
    fn each_table(&mut self, f: &mut dyn FnMut(&mut dyn Journaled)) {
        f(&mut self.accounts);
        f(&mut self.challenges);
        f(&mut self.tokens);
    }

    fn rederive(&mut self) {
        self.derive();
    }
}

/// The failure-count key of an email no account has.
fn unknown_key(email: &str) -> String {
    use sha2::Digest as _;
    let digest = sha2::Sha256::digest(email.to_ascii_lowercase().as_bytes());
    format!("?{}", crate::clock::hex_lower(&digest))
}

impl Inner {
    /// The tables read back from `journal` (empty, and copying nothing, without one).
    fn open(journal: &Journal) -> Result<Self, StateError> {
        let mut t = Self {
            accounts: Table::open(ACCOUNTS_TABLE, journal)?,
            unknown: VecDeque::new(),
            challenges: Table::open(CHALLENGES_TABLE, journal)?,
            images: HashMap::new(),
            tokens: Table::open(TOKENS_TABLE, journal)?,
            seq: 0,
        };
        t.seq = t
            .accounts
            .values()
            .filter_map(|a| a.unknown_seq)
            .chain(t.challenges.values().map(|l| l.seq))
            .chain(t.tokens.values().map(|k| k.seq))
            .max()
            .unwrap_or(0);
        t.derive();
        Ok(t)
    }

    /// Rebuilds what is derived from the tables (at start, and after a rollback put entries
    /// back or took them out): the order of the unknown emails and the image index.
    fn derive(&mut self) {
        self.unknown = self.accounts.keys_by_seq(|a| a.unknown_seq);
        self.images = self
            .challenges
            .iter()
            .map(|(token, l)| (l.ctoken.clone(), token.clone()))
            .collect();
    }

    fn next_seq(&mut self) -> u64 {
        self.seq = self.seq.wrapping_add(1);
        self.seq
    }

    /// Counts a failure for an unknown email, forgetting the oldest beyond the cap.
    fn note_unknown_failure(&mut self, key: String) {
        let mut state = match self.accounts.get(&key) {
            Some(state) => state.clone(),
            None => {
                self.unknown.push_back(key.clone());
                while self.unknown.len() > MAX_UNKNOWN_TRACKED {
                    if let Some(old) = self.unknown.pop_front() {
                        self.accounts.remove(&old);
                    }
                }
                AccountState {
                    unknown_seq: Some(self.next_seq()),
                    ..AccountState::default()
                }
            }
        };
        state.failures = state.failures.saturating_add(1);
        self.accounts.insert(key, state);
    }

    /// Changes the entry of `key` (created if absent) through the table, so the change is
    /// written.
    fn update_account<R>(&mut self, key: &str, f: impl FnOnce(&mut AccountState) -> R) -> R {
        let mut state = self.accounts.get(key).cloned().unwrap_or_default();
        let out = f(&mut state);
        self.accounts.insert(key.to_owned(), state);
        out
    }

    fn drop_challenge(&mut self, token: &str) -> Option<Live> {
        let live = self.challenges.remove(token)?;
        self.images.remove(&live.ctoken);
        Some(live)
    }
}

/// The keys to drop, oldest first, so that one more entry (of `account`, when given) keeps
/// `entries` within `cap`; `of` gives an entry's account and issue order.
fn over_cap<V>(
    entries: &HashMap<String, V>,
    account: Option<&str>,
    cap: usize,
    of: impl Fn(&V) -> (&str, u64),
) -> Vec<String> {
    oldest_over_cap(entries, cap, |_, v| {
        let (owner, seq) = of(v);
        account.is_none_or(|a| owner == a).then_some(seq)
    })
}

/// ClientLogin's store. Every method locks once.
pub struct Store {
    captcha_after: u32,
    answer: Option<SecretString>,
    inner: Mutex<Inner>,
    journal: Journal,
}

impl core::fmt::Debug for Store {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Store")
            .field("captcha_after", &self.captcha_after)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// A store that asks for a CAPTCHA after `captcha_after` consecutive failures, with the
    /// fixed `answer` (random per challenge when `None`), in memory only (the emulator uses
    /// [`Store::open`]).
    #[cfg(test)]
    pub fn new(captcha_after: u32, answer: Option<SecretString>) -> Self {
        Self::open(captcha_after, answer, None)
            .unwrap_or_else(|_| unreachable!("without a journal nothing is read"))
    }

    /// A store that asks for a CAPTCHA after `captcha_after` consecutive failures, with the
    /// fixed `answer` (random per challenge when `None`), kept in `journal` (read back now),
    /// or in memory for `None`.
    pub fn open(
        captcha_after: u32,
        answer: Option<SecretString>,
        journal: Journal,
    ) -> Result<Self, StateError> {
        Ok(Self {
            captcha_after,
            answer,
            inner: Mutex::new(Inner::open(&journal)?),
            journal,
        })
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // Every method mutates only after its checks, so a poisoned lock is consistent.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs one login under the lock, then writes what it changed (refused or not: a
    /// failure is counted, a challenge spent or issued) before answering; a failed write
    /// undoes it all.
    fn write<R>(&self, f: impl FnOnce(&mut Inner) -> Result<R, Refused>) -> Result<R, Refused> {
        write_locked(&self.inner, &self.journal, Refused::StoreUnavailable, f)
    }

    /// One login: the CAPTCHA rule, the password (constant time), the test account's
    /// outcome, then the tokens. See the emulator's module documentation.
    pub fn login(
        &self,
        accounts: &Accounts,
        attempt: &Attempt<'_>,
        now: u64,
    ) -> Result<Issued, Refused> {
        // An unknown email is answered as a known one with a wrong password, CAPTCHA
        // included, so the answers do not enumerate accounts. Its key is a digest (`?` +
        // SHA-256 hex), so a long made-up address costs 65 bytes, in a bounded table.
        let user = accounts.find(attempt.email);
        let key = match &user {
            Some(u) => u.email.to_ascii_lowercase(),
            None => unknown_key(attempt.email),
        };
        self.write(|t| self.login_locked(t, key, user, accounts, attempt, now))
    }

    /// [`Store::login`] under the lock, for the account (or unknown email) of `key`.
    fn login_locked(
        &self,
        t: &mut Inner,
        key: String,
        user: Option<&User>,
        accounts: &Accounts,
        attempt: &Attempt<'_>,
        now: u64,
    ) -> Result<Issued, Refused> {
        let failures = t.accounts.get(&key).map_or(0, |s| s.failures);
        if failures >= self.captcha_after {
            let passed = match attempt.captcha {
                None => false,
                Some((token, answer)) => {
                    let own = t.challenges.get(token).is_some_and(|l| l.account == key);
                    // Single use: spent whatever the answer.
                    let live = if own { t.drop_challenge(token) } else { None };
                    live.is_some_and(|l| {
                        ct_eq(
                            l.answer.secret().as_bytes(),
                            answer.trim().to_ascii_lowercase().as_bytes(),
                        )
                    })
                }
            };
            if !passed {
                return Err(Refused::CaptchaRequired(self.challenge(t, &key)));
            }
        }
        let Some(user) = user else {
            t.note_unknown_failure(key);
            return Err(Refused::BadAuthentication);
        };
        if accounts
            .check_password(&user.email, attempt.password, None)
            .is_err()
        {
            t.update_account(&key, |state| {
                state.failures = state.failures.saturating_add(1);
            });
            return Err(Refused::BadAuthentication);
        }
        let refused = match TestAccount::of(&user.email) {
            TestAccount::Normal => None,
            TestAccount::Disabled => Some(Refused::AccountDisabled),
            TestAccount::Deleted => Some(Refused::AccountDeleted),
            TestAccount::Unverified => Some(Refused::NotVerified),
            TestAccount::TermsNotAgreed => Some(Refused::TermsNotAgreed),
            TestAccount::SecondFactor => Some(Refused::InvalidSecondFactor),
            TestAccount::NoService => Some(Refused::ServiceDisabled),
            TestAccount::Migrated => Some(Refused::AccountMigrated),
            TestAccount::Unavailable => t.update_account(&key, |state| {
                (state.unavailable < UNAVAILABLE_STREAK).then(|| {
                    state.unavailable += 1;
                    Refused::ServiceUnavailable
                })
            }),
        };
        if let Some(refused) = refused {
            return Err(refused);
        }
        // A success clears the failures and every live challenge of the account.
        t.accounts.remove(&key);
        let spent: Vec<String> = t
            .challenges
            .iter()
            .filter(|(_, l)| l.account == key)
            .map(|(k, _)| k.clone())
            .collect();
        for token in spent {
            t.drop_challenge(&token);
        }
        Ok(self.issue(t, key, &user.email, attempt, now))
    }

    fn issue(
        &self,
        t: &mut Inner,
        key: String,
        user: &str,
        attempt: &Attempt<'_>,
        now: u64,
    ) -> Issued {
        let of = Token::owner;
        for old in over_cap(t.tokens.as_map(), Some(&key), MAX_TOKENS_PER_ACCOUNT, of) {
            t.tokens.remove(&old);
        }
        for old in over_cap(t.tokens.as_map(), None, MAX_TOKENS, of) {
            t.tokens.remove(&old);
        }
        let auth = random_hex(32);
        let seq = t.next_seq();
        t.tokens.insert(
            auth.clone(),
            Token {
                grant: TokenGrant {
                    user: user.to_owned(),
                    service: attempt.service.to_owned(),
                    source: attempt.source.to_owned(),
                },
                account: key,
                issued_at: now,
                seq,
            },
        );
        Issued {
            sid: random_hex(20),
            lsid: random_hex(20),
            auth,
        }
    }

    /// Issues a challenge for `key`, making room within the caps first.
    fn challenge(&self, t: &mut Inner, key: &str) -> Challenge {
        let of = Live::owner;
        for old in over_cap(
            t.challenges.as_map(),
            Some(key),
            MAX_CHALLENGES_PER_ACCOUNT,
            of,
        ) {
            t.drop_challenge(&old);
        }
        for old in over_cap(t.challenges.as_map(), None, MAX_CHALLENGES, of) {
            t.drop_challenge(&old);
        }
        let challenge = Challenge {
            token: random_hex(20),
            ctoken: random_hex(16),
        };
        let answer = match &self.answer {
            Some(a) => SecretString::new(a.secret().to_ascii_lowercase()),
            None => random_answer(),
        };
        let seq = t.next_seq();
        t.images
            .insert(challenge.ctoken.clone(), challenge.token.clone());
        t.challenges.insert(
            challenge.token.clone(),
            Live {
                account: key.to_owned(),
                ctoken: challenge.ctoken.clone(),
                answer,
                seq,
            },
        );
        challenge
    }

    /// The answer a live challenge's image shows, by its `ctoken`.
    pub fn image_answer(&self, ctoken: &str) -> Option<SecretString> {
        let t = self.lock();
        let token = t.images.get(ctoken)?;
        t.challenges.get(token).map(|l| l.answer.clone())
    }

    /// What a live `Auth` token grants at `now`.
    pub fn grant(&self, auth: &str, now: u64) -> Result<TokenGrant, TokenRefused> {
        let t = self.lock();
        let token = t.tokens.get(auth).ok_or(TokenRefused::Unknown)?;
        if now.saturating_sub(token.issued_at) >= AUTH_TOKEN_LIFETIME {
            return Err(TokenRefused::Expired);
        }
        Ok(token.grant.clone())
    }
}

/// A random answer of [`ANSWER_LEN`] letters from [`ANSWER_ALPHABET`] (OS CSPRNG, rejection
/// sampled so every letter is equally likely).
fn random_answer() -> SecretString {
    let limit = (256 / ANSWER_ALPHABET.len() * ANSWER_ALPHABET.len()) as u8;
    let mut out = String::with_capacity(ANSWER_LEN);
    let mut byte = [0u8; 1];
    while out.len() < ANSWER_LEN {
        OsRng.fill_bytes(&mut byte);
        let [b] = byte;
        if b < limit {
            let i = usize::from(b) % ANSWER_ALPHABET.len();
            if let Some(&c) = ANSWER_ALPHABET.get(i) {
                out.push(char::from(c));
            }
        }
    }
    SecretString::new(out)
}

#[cfg(test)]
mod tests {
    use super::super::wire::LoginError;
    use super::*;

    fn accounts() -> Accounts {
        Accounts::new(vec![("jo@example.com".into(), SecretString::new("pw"))]).unwrap()
    }

    fn attempt<'a>(password: &'a str, captcha: Option<(&'a str, &'a str)>) -> Attempt<'a> {
        Attempt {
            email: "jo@example.com",
            password,
            service: "cl",
            source: "test",
            captcha,
        }
    }

    #[test]
    fn test_accounts_by_prefix() {
        assert_eq!(
            TestAccount::of("Disabled-x@example.com"),
            TestAccount::Disabled
        );
        assert_eq!(
            TestAccount::of("2sv-x@example.com"),
            TestAccount::SecondFactor
        );
        assert_eq!(
            TestAccount::of("x-disabled@example.com"),
            TestAccount::Normal
        );
    }

    #[test]
    fn an_unknown_email_is_answered_as_a_known_one() {
        let store = Store::new(2, Some(SecretString::new("w")));
        let a = accounts();
        for email in ["jo@example.com", "nobody@example.com"] {
            let wrong = Attempt {
                email,
                ..attempt("bad", None)
            };
            let answers: Vec<_> = (0..3)
                .map(|_| match store.login(&a, &wrong, 0) {
                    Err(Refused::BadAuthentication) => "bad",
                    Err(Refused::CaptchaRequired(_)) => "captcha",
                    other => panic!("{}", other.is_ok()),
                })
                .collect();
            assert_eq!(answers, ["bad", "bad", "captcha"], "{email}");
        }
        // Bounded: a flood of made-up addresses keeps at most the cap.
        for i in 0..MAX_UNKNOWN_TRACKED + 10 {
            let email = format!("x{i}@example.com");
            let _ = store.login(
                &a,
                &Attempt {
                    email: &email,
                    ..attempt("bad", None)
                },
                0,
            );
        }
        let t = store.lock();
        assert_eq!(t.unknown.len(), MAX_UNKNOWN_TRACKED);
        assert!(t.accounts.len() <= MAX_UNKNOWN_TRACKED + 1);
    }

    #[test]
    fn challenges_stay_within_the_per_account_cap() {
        let store = Store::new(0, Some(SecretString::new("w")));
        let a = accounts();
        for _ in 0..MAX_CHALLENGES_PER_ACCOUNT * 3 {
            assert!(matches!(
                store.login(&a, &attempt("pw", None), 0),
                Err(Refused::CaptchaRequired(_))
            ));
        }
        assert_eq!(store.lock().challenges.len(), MAX_CHALLENGES_PER_ACCOUNT);
        assert_eq!(store.lock().images.len(), MAX_CHALLENGES_PER_ACCOUNT);
    }

    #[test]
    fn random_answers_use_the_alphabet() {
        let a = random_answer();
        assert_eq!(a.secret().len(), ANSWER_LEN);
        assert!(a.secret().bytes().all(|b| ANSWER_ALPHABET.contains(&b)));
    }

    #[test]
    fn tokens_stay_within_the_per_account_cap() {
        let store = Store::new(3, None);
        let a = accounts();
        for _ in 0..MAX_TOKENS_PER_ACCOUNT + 5 {
            assert!(store.login(&a, &attempt("pw", None), 0).is_ok());
        }
        assert_eq!(store.lock().tokens.len(), MAX_TOKENS_PER_ACCOUNT);
    }

    /// A state store whose writes fail on demand (a full disk, a lost volume).
    use crate::emulator::durable::testing::MemoryStateStore as FailingStore;

    fn captcha(r: Result<Issued, Refused>) -> Challenge {
        match r {
            Err(Refused::CaptchaRequired(c)) => c,
            Err(other) => panic!("{other:?}"),
            Ok(_) => panic!("a login succeeded"),
        }
    }

    #[test]
    fn a_failed_write_answers_unavailable_and_changes_nothing() {
        use crate::emulator::http::WireError as _;
        let disk = std::sync::Arc::new(FailingStore::default());
        let store = Store::open(1, Some(SecretString::new("w")), Some(disk.clone())).unwrap();
        let a = accounts();
        let auth = store.login(&a, &attempt("pw", None), 0).unwrap().auth;
        assert!(matches!(
            store.login(&a, &attempt("bad", None), 0),
            Err(Refused::BadAuthentication)
        ));
        let c = captcha(store.login(&a, &attempt("pw", None), 0));

        disk.fail(true);
        let right = attempt("pw", Some((c.token.as_str(), "w")));
        assert!(matches!(
            store.login(&a, &right, 0),
            Err(Refused::StoreUnavailable)
        ));
        let unknown = Attempt {
            email: "nobody@example.com",
            ..attempt("bad", None)
        };
        assert!(matches!(
            store.login(&a, &unknown, 0),
            Err(Refused::StoreUnavailable)
        ));
        {
            let t = store.lock();
            assert_eq!(t.tokens.len(), 1, "no token issued");
            assert!(
                t.challenges.contains_key(&c.token),
                "the challenge not spent"
            );
            assert_eq!(t.images.get(&c.ctoken), Some(&c.token));
            assert_eq!(
                t.accounts.get("jo@example.com").map(|s| s.failures),
                Some(1)
            );
            assert!(t.unknown.is_empty(), "no unknown email counted");
            assert_eq!(t.accounts.len(), 1);
        }
        assert!(store.grant(&auth, 0).is_ok());
        let resp = LoginError::from(Refused::StoreUnavailable)
            .into_response_with_realm("http://127.0.0.1");
        assert_eq!(resp.status(), axum::http::StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            resp.headers()
                .get(axum::http::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok()),
            Some("1")
        );

        // Once the store is back, the same challenge still answers.
        disk.fail(false);
        assert!(store.login(&a, &right, 0).is_ok());
    }

    #[cfg(feature = "durable")]
    #[test]
    fn a_restart_keeps_tokens_challenges_and_failures() {
        use crate::emulator::SqliteStore;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.sqlite");
        let a = accounts();
        let answer = || Some(SecretString::new("w"));
        let unknown = Attempt {
            email: "nobody@example.com",
            ..attempt("bad", None)
        };
        let (auth, c, seq) = {
            let disk = std::sync::Arc::new(SqliteStore::open(&path).unwrap());
            let store = Store::open(2, answer(), Some(disk)).unwrap();
            let auth = store.login(&a, &attempt("pw", None), 0).unwrap().auth;
            for _ in 0..2 {
                assert!(store.login(&a, &attempt("bad", None), 0).is_err());
            }
            let c = captcha(store.login(&a, &attempt("pw", None), 0));
            assert!(store.login(&a, &unknown, 0).is_err());
            let seq = store.lock().seq;
            (auth, c, seq)
        };

        let disk = std::sync::Arc::new(SqliteStore::open(&path).unwrap());
        let store = Store::open(2, answer(), Some(disk)).unwrap();
        assert_eq!(store.grant(&auth, 1).unwrap().user, "jo@example.com");
        {
            let t = store.lock();
            assert_eq!(t.seq, seq, "the issue counter carries on");
            assert_eq!(
                t.accounts.get("jo@example.com").map(|s| s.failures),
                Some(2)
            );
            assert_eq!(t.unknown.len(), 1);
            assert_eq!(t.images.get(&c.ctoken), Some(&c.token));
        }
        // The image still shows its answer, and a login still needs the CAPTCHA.
        assert_eq!(
            store.image_answer(&c.ctoken).map(|s| s.secret().to_owned()),
            Some("w".to_owned())
        );
        captcha(store.login(&a, &attempt("pw", None), 1));
        // The unknown email's one failure was kept: its second is not yet a CAPTCHA.
        assert!(matches!(
            store.login(&a, &unknown, 1),
            Err(Refused::BadAuthentication)
        ));
        // The challenge issued before the restart is answered.
        let right = attempt("pw", Some((c.token.as_str(), "w")));
        assert!(store.login(&a, &right, 1).is_ok());
        assert_eq!(store.lock().challenges.len(), 0);
    }
}
