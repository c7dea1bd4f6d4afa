//! What waits between two steps of a flow: authorization codes (issued by the consent page,
//! exchanged once at the token endpoint) and device codes (issued to a device, approved on
//! the verification page, polled for). Both tables are bounded per client and in all, the
//! oldest entry dropped first ([`oldest_over_cap`]), so nobody can grow them without bound.
//!
//! With a state store (`gdauth serve --state`), both tables are written through: each
//! operation's changes, a refused one's too (a spent code, a poll's time), are written
//! before its lock is released and its answer sent ([`crate::emulator::durable`]); a write
//! that fails undoes them and answers `Unavailable`. The user-code index and the issue
//! counters are rebuilt from the stored entries at start.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

use rand_core::{OsRng, RngCore as _};
use serde::{Deserialize, Serialize};

use super::state::GrantId;
use crate::clock::random_hex;
use crate::emulator::bounds::oldest_over_cap;
use crate::emulator::durable::{write_locked, Journal, Journaled, StateError, Table, Tables};

/// How long an authorization code lives, in seconds (Google's: 10 minutes).
pub const CODE_LIFETIME: u64 = 600;
/// The most live codes per client; the oldest goes first.
const MAX_CODES_PER_CLIENT: usize = 1_000;
/// The most codes kept at once.
const MAX_CODES: usize = 10_000;
/// The most device codes per client; the oldest goes first.
const MAX_DEVICE_CODES_PER_CLIENT: usize = 1_000;
/// The most device codes kept at once.
const MAX_DEVICE_CODES: usize = 10_000;

/// The stored table of authorization codes.
const CODES_TABLE: &str = "oauth2_codes";
/// The stored table of device codes.
const DEVICE_CODES_TABLE: &str = "oauth2_device_codes";

/// RFC 8628 §6.1: a user code of consonants only (no vowels, so no words; no `I`/`O` to
/// mistake for digits), eight of them: 20^8, about 34.5 bits.
const USER_CODE_ALPHABET: &[u8; 20] = b"BCDFGHJKLMNPQRSTVWXZ";
/// Letters in a user code (shown as two groups of four, `BCDF-GHJK`).
const USER_CODE_LEN: usize = 8;

/// The PKCE challenge sent with an authorization request (RFC 7636 §4.3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Challenge {
    /// `code_challenge_method=S256`: the challenge is `BASE64URL(SHA256(verifier))`.
    S256(String),
    /// `code_challenge_method=plain` (or none given, RFC 7636 §4.3): the verifier itself.
    Plain(String),
}

/// What an approved authorization request grants, bound to its code.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CodeGrant {
    /// The client the code was issued to.
    pub client_id: String,
    /// The `redirect_uri` of the authorization request, which the exchange must repeat.
    pub redirect_uri: String,
    /// The user who approved.
    pub user: String,
    /// The scopes granted.
    pub scopes: Vec<String>,
    /// The PKCE challenge, when one was sent.
    pub challenge: Option<Challenge>,
    /// `access_type=offline`: the exchange also issues a refresh token.
    pub offline: bool,
}

/// Why a code exchange is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeRefusal {
    /// No such code (or one long gone).
    Unknown,
    /// Older than [`CODE_LIFETIME`].
    Expired,
    /// Exchanged before; the grant it issued, if any, must end (RFC 6749 §4.1.2).
    Reused(Option<GrantId>),
    /// The state store could not be written; the code is not spent.
    Unavailable,
}

/// The state store could not be written; the operation was undone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unavailable;

#[derive(Clone, Serialize, Deserialize)]
struct CodeRecord {
    grant: CodeGrant,
    expires: u64,
    seq: u64,
    spent: CodeUse,
}

/// Whether a code was exchanged. An enum, not `Option<Option<GrantId>>`: stored as JSON,
/// `Some(None)` would read back as `None`, a spent code as a fresh one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
enum CodeUse {
    /// No exchange was tried yet.
    Fresh,
    /// An exchange was tried, with the grant it issued, if it issued one.
    Spent(Option<GrantId>),
}

struct CodeTable {
    /// The last issue number: derived from the codes at start, not stored.
    next: u64,
    codes: Table<String, CodeRecord>,
}

impl Tables for CodeTable {
    fn each_table(&mut self, f: &mut dyn FnMut(&mut dyn Journaled)) {
        f(&mut self.codes);
    }
}

/// The authorization codes. `Debug` shows no code.
pub struct Codes {
    inner: Mutex<CodeTable>,
    journal: Journal,
}

impl Default for Codes {
    /// In memory only: nothing is read or copied.
    fn default() -> Self {
        Self::open(None).unwrap_or_else(|_| unreachable!("without a journal nothing is read"))
    }
}

impl core::fmt::Debug for Codes {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Codes")
            .field("codes", &lock(&self.inner).codes.len())
            .finish()
    }
}

/// Locks a table; every method leaves it consistent before it can panic.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Codes {
    /// The codes kept in `journal` (read back now), or in memory for `None`.
    pub fn open(journal: Journal) -> Result<Self, StateError> {
        let codes: Table<String, CodeRecord> = Table::open(CODES_TABLE, &journal)?;
        let next = codes.values().map(|r| r.seq).max().unwrap_or(0);
        Ok(Self {
            inner: Mutex::new(CodeTable { next, codes }),
            journal,
        })
    }

    /// The largest grant id a spent code names (for [`super::state::Store::open`]: a
    /// reused code ends that grant, so no later grant may have its id).
    pub fn last_grant(&self) -> GrantId {
        lock(&self.inner)
            .codes
            .values()
            .filter_map(|r| match r.spent {
                CodeUse::Spent(grant) => grant,
                CodeUse::Fresh => None,
            })
            .max()
            .unwrap_or(0)
    }

    /// A fresh code (`4/0A` and 256 random bits: within Google's 256 bytes) for `grant`,
    /// valid [`CODE_LIFETIME`] seconds from `now`.
    pub fn issue(&self, grant: CodeGrant, now: u64) -> Result<String, Unavailable> {
        write_locked(&self.inner, &self.journal, Unavailable, |t| {
            t.codes.retain(|_, r| r.expires > now);
            let client = grant.client_id.clone();
            let drop = oldest_over_cap(t.codes.as_map(), MAX_CODES_PER_CLIENT, |_, r| {
                (r.grant.client_id == client).then_some(r.seq)
            });
            for k in drop {
                t.codes.remove(&k);
            }
            for k in oldest_over_cap(t.codes.as_map(), MAX_CODES, |_, r| Some(r.seq)) {
                t.codes.remove(&k);
            }
            let code = format!("4/0A{}", random_hex(32));
            t.next += 1;
            let seq = t.next;
            t.codes.insert(
                code.clone(),
                CodeRecord {
                    grant,
                    expires: now.saturating_add(CODE_LIFETIME),
                    seq,
                    spent: CodeUse::Fresh,
                },
            );
            Ok(code)
        })
    }

    /// Spends `code` and returns what it grants. Every try spends it, a refused one too: an
    /// intercepted code gets one guess at the PKCE verifier, not many.
    pub fn take(&self, code: &str, now: u64) -> Result<CodeGrant, CodeRefusal> {
        write_locked(&self.inner, &self.journal, CodeRefusal::Unavailable, |t| {
            // Read first: a refusal that changes nothing writes nothing.
            let rec = t.codes.get(code).ok_or(CodeRefusal::Unknown)?;
            if let CodeUse::Spent(issued) = rec.spent {
                return Err(CodeRefusal::Reused(issued));
            }
            if now >= rec.expires {
                return Err(CodeRefusal::Expired);
            }
            let rec = t.codes.get_mut(code).ok_or(CodeRefusal::Unknown)?;
            rec.spent = CodeUse::Spent(None);
            Ok(rec.grant.clone())
        })
    }

    /// Makes `code`, spent by an exchange whose grant could not be issued (the state store
    /// failed), fresh again, so the client's retry succeeds instead of finding it redeemed.
    pub fn unspend(&self, code: &str) -> Result<(), Unavailable> {
        write_locked(&self.inner, &self.journal, Unavailable, |t| {
            if let Some(rec) = t.codes.get_mut(code) {
                if rec.spent == CodeUse::Spent(None) {
                    rec.spent = CodeUse::Fresh;
                }
            }
            Ok(())
        })
    }

    /// Records the grant the exchange of `code` issued, for [`CodeRefusal::Reused`].
    pub fn issued(&self, code: &str, grant: GrantId) -> Result<(), Unavailable> {
        write_locked(&self.inner, &self.journal, Unavailable, |t| {
            if let Some(rec) = t.codes.get_mut(code) {
                rec.spent = CodeUse::Spent(Some(grant));
            }
            Ok(())
        })
    }
}

/// Where a device grant stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
enum DeviceState {
    /// The user has not answered yet.
    Pending,
    /// Approved by this user.
    Approved(String),
    /// The user said no.
    Denied,
}

/// Why no device code is issued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IssueRefusal {
    /// No room for another device code: the client (or every client together) has as many
    /// live codes as the emulator keeps.
    Busy,
    /// The state store could not be written; nothing was issued.
    Unavailable,
}

/// Why a device-code poll gets no token (RFC 8628 §3.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PollRefusal {
    /// No such device code, another client's, or one already exchanged.
    Unknown,
    /// Past its `expires_in`.
    Expired,
    /// Polled again sooner than the interval after the previous poll.
    SlowDown,
    /// The user has not answered yet.
    Pending,
    /// The user denied.
    Denied,
    /// The state store could not be written; the poll was not counted.
    Unavailable,
}

/// Why a user code cannot be answered on the verification page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserCodeRefusal {
    /// No such code.
    Unknown,
    /// Past its `expires_in`.
    Expired,
    /// Already approved or denied.
    Answered,
    /// The state store could not be written; the answer was not recorded.
    Unavailable,
}

/// A device grant as the verification page shows it.
#[derive(Debug, Clone)]
pub struct DeviceView {
    /// The client asking.
    pub client_id: String,
    /// The scopes asked for.
    pub scopes: Vec<String>,
    /// The user code, in its display form (`BCDF-GHJK`).
    pub user_code: String,
}

/// An approved device grant, handed out once. `Debug` shows no device code.
#[derive(Clone)]
pub struct DeviceGrant {
    /// The user who approved.
    pub user: String,
    /// The scopes granted.
    pub scopes: Vec<String>,
    /// The spent device code and its record, to put back when the grant cannot be issued
    /// ([`DeviceCodes::restore`]).
    spent: (String, DeviceRecord),
}

impl core::fmt::Debug for DeviceGrant {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("DeviceGrant")
            .field("user", &self.user)
            .field("scopes", &self.scopes)
            .finish_non_exhaustive()
    }
}

/// A new device grant's codes.
#[derive(Debug, Clone)]
pub struct DeviceCodeIssued {
    /// The device's secret, polled with.
    pub device_code: String,
    /// What the user types, display form.
    pub user_code: String,
}

#[derive(Clone, Serialize, Deserialize)]
struct DeviceRecord {
    client_id: String,
    user_code: String,
    scopes: Vec<String>,
    expires: u64,
    /// Kept past `expires` until here, to answer `expired_token` rather than unknown.
    forget: u64,
    interval: u64,
    last_poll: Option<u64>,
    state: DeviceState,
    seq: u64,
}

struct DeviceTable {
    /// The last issue number: derived from the records at start, not stored.
    next: u64,
    by_device: Table<String, DeviceRecord>,
    /// Normalized user code → device code. Derived from `by_device`: not stored, rebuilt
    /// at start and after a rollback.
    by_user_code: HashMap<String, String>,
}

impl Tables for DeviceTable {
    fn each_table(&mut self, f: &mut dyn FnMut(&mut dyn Journaled)) {
        f(&mut self.by_device);
    }

    fn rederive(&mut self) {
        // The index follows the table; `next` may stay ahead (an unused number is harmless).
        self.reindex();
    }
}

impl DeviceTable {
    /// Rebuilds the user-code index from the records.
    fn reindex(&mut self) {
        self.by_user_code = self
            .by_device
            .iter()
            .map(|(device, r)| (r.user_code.clone(), device.clone()))
            .collect();
    }

    fn remove(&mut self, device_code: &str) -> Option<DeviceRecord> {
        let rec = self.by_device.remove(device_code)?;
        self.by_user_code.remove(&rec.user_code);
        Some(rec)
    }

    /// The record a user code names, by its normalized form.
    fn by_user_code_mut(&mut self, user_code: &str) -> Option<&mut DeviceRecord> {
        let device = self.by_user_code.get(&normalize_user_code(user_code)?)?;
        self.by_device.get_mut(device)
    }
}

/// The device grants (RFC 8628). `Debug` shows no code.
pub struct DeviceCodes {
    inner: Mutex<DeviceTable>,
    journal: Journal,
}

impl Default for DeviceCodes {
    /// In memory only: nothing is read or copied.
    fn default() -> Self {
        Self::open(None).unwrap_or_else(|_| unreachable!("without a journal nothing is read"))
    }
}

impl core::fmt::Debug for DeviceCodes {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("DeviceCodes")
            .field("codes", &lock(&self.inner).by_device.len())
            .finish()
    }
}

/// A user code as typed (any case, with or without the dash or spaces) in its stored form:
/// eight letters of the alphabet, upper case; `None` for anything else.
pub fn normalize_user_code(typed: &str) -> Option<String> {
    let code: String = typed
        .chars()
        .filter(|c| *c != '-' && !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (code.len() == USER_CODE_LEN && code.bytes().all(|b| USER_CODE_ALPHABET.contains(&b)))
        .then_some(code)
}

/// `BCDFGHJK` → `BCDF-GHJK`.
fn display_user_code(code: &str) -> String {
    let (a, b) = code.split_at(code.len() / 2);
    format!("{a}-{b}")
}

/// A random user code (OS CSPRNG; rejection sampled so every letter is equally likely).
fn random_user_code() -> String {
    let n = USER_CODE_ALPHABET.len();
    let limit = 256 / n * n;
    let mut out = String::with_capacity(USER_CODE_LEN);
    let mut buf = [0u8; 16];
    while out.len() < USER_CODE_LEN {
        OsRng.fill_bytes(&mut buf);
        for b in buf.iter().map(|b| usize::from(*b)).filter(|b| *b < limit) {
            match USER_CODE_ALPHABET.get(b % n) {
                Some(&c) if out.len() < USER_CODE_LEN => out.push(char::from(c)),
                _ => {}
            }
        }
    }
    out
}

impl DeviceCodes {
    /// The device codes kept in `journal` (read back now), or in memory for `None`.
    pub fn open(journal: Journal) -> Result<Self, StateError> {
        let by_device: Table<String, DeviceRecord> = Table::open(DEVICE_CODES_TABLE, &journal)?;
        let next = by_device.values().map(|r| r.seq).max().unwrap_or(0);
        let mut t = DeviceTable {
            next,
            by_device,
            by_user_code: HashMap::new(),
        };
        t.reindex();
        Ok(Self {
            inner: Mutex::new(t),
            journal,
        })
    }

    /// A new pending grant of `scopes` for `client_id`, valid `lifetime` seconds, polled no
    /// faster than every `interval` seconds.
    ///
    /// A flood never evicts a device whose user may be answering (issue 15 §1, as for OAuth
    /// 1.0 request tokens): only codes past their lifetime or denied make room; when a
    /// client already has [`MAX_DEVICE_CODES_PER_CLIENT`] live codes, or the table is full
    /// of live ones, the request is refused ([`IssueRefusal::Busy`]).
    pub fn issue(
        &self,
        client_id: &str,
        scopes: Vec<String>,
        now: u64,
        lifetime: u64,
        interval: u64,
    ) -> Result<DeviceCodeIssued, IssueRefusal> {
        write_locked(&self.inner, &self.journal, IssueRefusal::Unavailable, |t| {
            let gone: Vec<String> = t
                .by_device
                .iter()
                .filter(|(_, r)| r.forget <= now)
                .map(|(k, _)| k.clone())
                .collect();
            for k in gone {
                t.remove(&k);
            }
            // Dead codes (expired, or denied) may go to make room; live ones never.
            let live = |r: &DeviceRecord| now < r.expires && r.state != DeviceState::Denied;
            let dead_of = |client: Option<&str>, r: &DeviceRecord| {
                (!live(r) && client.is_none_or(|c| r.client_id == c)).then_some(r.seq)
            };
            let mine = t
                .by_device
                .values()
                .filter(|r| r.client_id == client_id)
                .count();
            if mine >= MAX_DEVICE_CODES_PER_CLIENT {
                let over = mine + 1 - MAX_DEVICE_CODES_PER_CLIENT;
                let dead_mine =
                    oldest_over_cap(t.by_device.as_map(), 0, |_, r| dead_of(Some(client_id), r));
                for k in dead_mine.into_iter().take(over) {
                    t.remove(&k);
                }
            }
            if t.by_device.len() >= MAX_DEVICE_CODES {
                let over = t.by_device.len() + 1 - MAX_DEVICE_CODES;
                for k in oldest_over_cap(t.by_device.as_map(), 0, |_, r| dead_of(None, r))
                    .into_iter()
                    .take(over)
                {
                    t.remove(&k);
                }
            }
            let mine = t
                .by_device
                .values()
                .filter(|r| r.client_id == client_id)
                .count();
            if mine >= MAX_DEVICE_CODES_PER_CLIENT || t.by_device.len() >= MAX_DEVICE_CODES {
                return Err(IssueRefusal::Busy);
            }
            let user_code = loop {
                let c = random_user_code();
                if !t.by_user_code.contains_key(&c) {
                    break c;
                }
            };
            let device_code = format!("AH-1{}", random_hex(32));
            t.next += 1;
            let seq = t.next;
            let expires = now.saturating_add(lifetime);
            t.by_user_code
                .insert(user_code.clone(), device_code.clone());
            t.by_device.insert(
                device_code.clone(),
                DeviceRecord {
                    client_id: client_id.to_owned(),
                    user_code: user_code.clone(),
                    scopes,
                    expires,
                    forget: expires.saturating_add(lifetime),
                    interval,
                    last_poll: None,
                    state: DeviceState::Pending,
                    seq,
                },
            );
            Ok(DeviceCodeIssued {
                device_code,
                user_code: display_user_code(&user_code),
            })
        })
    }

    /// The pending grant `user_code` names, for the verification page.
    pub fn view(&self, user_code: &str, now: u64) -> Result<DeviceView, UserCodeRefusal> {
        let t = lock(&self.inner);
        let rec = Self::pending(&t, user_code, now)?;
        Ok(DeviceView {
            client_id: rec.client_id.clone(),
            scopes: rec.scopes.clone(),
            user_code: display_user_code(&rec.user_code),
        })
    }

    /// The device code `user_code` names, while it is live and unanswered.
    fn pending<'t>(
        t: &'t DeviceTable,
        user_code: &str,
        now: u64,
    ) -> Result<&'t DeviceRecord, UserCodeRefusal> {
        let rec = normalize_user_code(user_code)
            .and_then(|c| t.by_user_code.get(&c))
            .and_then(|device| t.by_device.get(device))
            .ok_or(UserCodeRefusal::Unknown)?;
        if now >= rec.expires {
            return Err(UserCodeRefusal::Expired);
        }
        if rec.state != DeviceState::Pending {
            return Err(UserCodeRefusal::Answered);
        }
        Ok(rec)
    }

    /// The user's answer: approved as `user`, or denied (`None`). Once only.
    pub fn answer(
        &self,
        user_code: &str,
        user: Option<&str>,
        now: u64,
    ) -> Result<(), UserCodeRefusal> {
        // Checked and answered under one lock: of two answers at once, one wins, and the
        // other is told the code was answered.
        write_locked(
            &self.inner,
            &self.journal,
            UserCodeRefusal::Unavailable,
            |t| {
                Self::pending(t, user_code, now)?;
                let rec = t
                    .by_user_code_mut(user_code)
                    .ok_or(UserCodeRefusal::Unknown)?;
                rec.state = match user {
                    Some(u) => DeviceState::Approved(u.to_owned()),
                    None => DeviceState::Denied,
                };
                Ok(())
            },
        )
    }

    /// Puts a device code [`DeviceCodes::poll`] spent back, approved as it was, when its
    /// grant could not be issued (the state store failed): the client's next poll gets it.
    pub fn restore(&self, grant: DeviceGrant) -> Result<(), Unavailable> {
        let (device_code, rec) = grant.spent;
        write_locked(&self.inner, &self.journal, Unavailable, |t| {
            t.by_user_code
                .insert(rec.user_code.clone(), device_code.clone());
            t.by_device.insert(device_code, rec);
            Ok(())
        })
    }

    /// A poll by `client_id` for `device_code` (RFC 8628 §3.4, §3.5). An approved grant is
    /// handed out once, and the device code is spent with it.
    pub fn poll(
        &self,
        device_code: &str,
        client_id: &str,
        now: u64,
    ) -> Result<DeviceGrant, PollRefusal> {
        // Written even when refused: the poll's time decides the next `slow_down`.
        write_locked(&self.inner, &self.journal, PollRefusal::Unavailable, |t| {
            // Read first: a refusal that changes nothing writes nothing.
            let rec = t
                .by_device
                .get(device_code)
                .filter(|r| r.client_id == client_id)
                .ok_or(PollRefusal::Unknown)?;
            if now >= rec.expires {
                return Err(PollRefusal::Expired);
            }
            let rec = t
                .by_device
                .get_mut(device_code)
                .ok_or(PollRefusal::Unknown)?;
            // §3.5 `slow_down`: sooner than the interval after the previous poll. The first
            // poll is never too soon. Every poll counts as the previous one for the next,
            // and the interval stays as issued (this server does not add RFC 8628's 5
            // seconds).
            let too_soon = rec
                .last_poll
                .is_some_and(|last| now < last.saturating_add(rec.interval));
            rec.last_poll = Some(now);
            if too_soon {
                return Err(PollRefusal::SlowDown);
            }
            match &rec.state {
                DeviceState::Pending => Err(PollRefusal::Pending),
                DeviceState::Denied => Err(PollRefusal::Denied),
                DeviceState::Approved(user) => {
                    let (user, scopes) = (user.clone(), rec.scopes.clone());
                    let spent = t.remove(device_code).ok_or(PollRefusal::Unknown)?;
                    Ok(DeviceGrant {
                        user,
                        scopes,
                        spent: (device_code.to_owned(), spent),
                    })
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code_grant(client: &str) -> CodeGrant {
        CodeGrant {
            client_id: client.into(),
            redirect_uri: "http://127.0.0.1:1/cb".into(),
            user: "jo@example.com".into(),
            scopes: vec!["email".into()],
            challenge: None,
            offline: false,
        }
    }

    #[test]
    fn a_code_is_spent_by_its_first_exchange_and_expires() {
        let c = Codes::default();
        let code = c.issue(code_grant("cid"), 100).unwrap();
        assert!(code.len() <= 256);
        assert!(c.take(&code, 100).is_ok());
        assert_eq!(c.take(&code, 101).err(), Some(CodeRefusal::Reused(None)));
        c.issued(&code, 7).unwrap();
        assert_eq!(c.take(&code, 101).err(), Some(CodeRefusal::Reused(Some(7))));
        let late = c.issue(code_grant("cid"), 100).unwrap();
        assert_eq!(
            c.take(&late, 100 + CODE_LIFETIME).err(),
            Some(CodeRefusal::Expired)
        );
        assert_eq!(c.take("4/0Anope", 100).err(), Some(CodeRefusal::Unknown));
    }

    #[test]
    fn codes_are_capped_per_client() {
        let c = Codes::default();
        let first = c.issue(code_grant("cid"), 0).unwrap();
        let other = c.issue(code_grant("cid2"), 0).unwrap();
        for _ in 1..MAX_CODES_PER_CLIENT {
            c.issue(code_grant("cid"), 0).unwrap();
        }
        assert_eq!(lock(&c.inner).codes.len(), MAX_CODES_PER_CLIENT + 1);
        c.issue(code_grant("cid"), 0).unwrap();
        assert_eq!(lock(&c.inner).codes.len(), MAX_CODES_PER_CLIENT + 1);
        assert_eq!(c.take(&first, 0).err(), Some(CodeRefusal::Unknown));
        assert!(c.take(&other, 0).is_ok());
    }

    #[test]
    fn user_codes_read_in_any_case_with_or_without_the_dash() {
        let code = random_user_code();
        assert_eq!(code.len(), USER_CODE_LEN);
        let shown = display_user_code(&code);
        assert_eq!(shown.len(), 9);
        assert_eq!(normalize_user_code(&shown).as_deref(), Some(code.as_str()));
        assert_eq!(
            normalize_user_code(&shown.to_ascii_lowercase()).as_deref(),
            Some(code.as_str())
        );
        assert_eq!(normalize_user_code("BCDF-GHJA"), None);
        assert_eq!(normalize_user_code("BCDF-GHJ"), None);
    }

    #[test]
    fn a_device_grant_is_pending_then_slow_then_approved_once() {
        let d = DeviceCodes::default();
        let i = d.issue("cid", vec!["email".into()], 0, 1800, 5).unwrap();
        assert_eq!(
            d.poll(&i.device_code, "cid", 0).err(),
            Some(PollRefusal::Pending)
        );
        assert_eq!(
            d.poll(&i.device_code, "cid", 4).err(),
            Some(PollRefusal::SlowDown)
        );
        assert_eq!(
            d.poll(&i.device_code, "other", 20).err(),
            Some(PollRefusal::Unknown)
        );
        d.answer(
            &i.user_code.to_ascii_lowercase(),
            Some("jo@example.com"),
            10,
        )
        .unwrap();
        assert_eq!(
            d.answer(&i.user_code, None, 10).err(),
            Some(UserCodeRefusal::Answered)
        );
        assert_eq!(
            d.poll(&i.device_code, "cid", 20).unwrap().user,
            "jo@example.com"
        );
        assert_eq!(
            d.poll(&i.device_code, "cid", 40).err(),
            Some(PollRefusal::Unknown)
        );
        let late = d.issue("cid", vec!["email".into()], 0, 10, 0).unwrap();
        assert_eq!(
            d.poll(&late.device_code, "cid", 10).err(),
            Some(PollRefusal::Expired)
        );
        assert_eq!(
            d.view(&late.user_code, 10).err(),
            Some(UserCodeRefusal::Expired)
        );
        // Forgotten a lifetime later, at the next issue.
        d.issue("cid", vec!["email".into()], 20, 10, 0).unwrap();
        assert_eq!(
            d.poll(&late.device_code, "cid", 20).err(),
            Some(PollRefusal::Unknown)
        );
    }

    #[test]
    fn a_device_code_flood_is_refused_and_evicts_no_pending_device() {
        let d = DeviceCodes::default();
        let first = d.issue("cid", vec![], 0, 1800, 0).unwrap();
        for _ in 1..MAX_DEVICE_CODES_PER_CLIENT {
            d.issue("cid", vec![], 0, 1800, 0).unwrap();
        }
        // Full of live codes: the flooder is refused, the first device's user can still
        // answer, and another client is untouched.
        assert_eq!(
            d.issue("cid", vec![], 1, 1800, 0).err(),
            Some(IssueRefusal::Busy)
        );
        assert!(d.view(&first.user_code, 1).is_ok());
        assert!(d.issue("cid2", vec![], 1, 1800, 0).is_ok());
        {
            let t = lock(&d.inner);
            assert_eq!(t.by_device.len(), MAX_DEVICE_CODES_PER_CLIENT + 1);
            assert_eq!(t.by_user_code.len(), t.by_device.len());
        }
        // A denied code is dead: it makes room for one more.
        d.answer(&first.user_code, None, 2).unwrap();
        assert!(d.issue("cid", vec![], 2, 1800, 0).is_ok());
        assert_eq!(
            d.issue("cid", vec![], 2, 1800, 0).err(),
            Some(IssueRefusal::Busy)
        );
        // Once the codes' lifetime passes, they make room again.
        assert!(d.issue("cid", vec![], 1801, 1800, 0).is_ok());
    }

    #[test]
    fn a_spent_code_or_device_code_whose_grant_failed_is_put_back() {
        let c = Codes::open(None).unwrap();
        let d = DeviceCodes::open(None).unwrap();
        let code = c.issue(code_grant("cid"), 0).unwrap();
        assert!(c.take(&code, 1).is_ok());
        // The grant could not be issued: the code is fresh again, once.
        c.unspend(&code).unwrap();
        assert!(c.take(&code, 1).is_ok());
        c.issued(&code, 3).unwrap();
        // A code whose grant was issued is never made fresh again.
        c.unspend(&code).unwrap();
        assert_eq!(c.take(&code, 1).err(), Some(CodeRefusal::Reused(Some(3))));

        let approved = d.issue("cid", vec!["email".into()], 0, 1800, 5).unwrap();
        d.answer(&approved.user_code, Some("jo@example.com"), 0)
            .unwrap();
        let grant = d.poll(&approved.device_code, "cid", 1).unwrap();
        assert_eq!(
            d.poll(&approved.device_code, "cid", 10).err(),
            Some(PollRefusal::Unknown)
        );
        d.restore(grant).unwrap();
        // Back, approved, with its user code: the next poll (after the interval) gets it.
        assert!(d.view(&approved.user_code, 10).is_err(), "answered already");
        let again = d.poll(&approved.device_code, "cid", 10).unwrap();
        assert_eq!(again.user, "jo@example.com");
    }

    #[test]
    fn a_failed_write_issues_no_code_spends_none_and_counts_no_poll() {
        use super::super::state::tests::FailingStore;
        let (disk, journal) = FailingStore::journal();
        let c = Codes::open(journal.clone()).unwrap();
        let d = DeviceCodes::open(journal).unwrap();
        let code = c.issue(code_grant("cid"), 0).unwrap();
        let pending = d.issue("cid", vec!["email".into()], 0, 1800, 5).unwrap();
        let approved = d.issue("cid", vec!["email".into()], 0, 1800, 5).unwrap();
        d.answer(&approved.user_code, Some("jo@example.com"), 0)
            .unwrap();

        disk.fail(true);
        assert_eq!(c.issue(code_grant("cid"), 0), Err(Unavailable));
        assert_eq!(lock(&c.inner).codes.len(), 1);
        assert_eq!(c.take(&code, 1).err(), Some(CodeRefusal::Unavailable));
        assert_eq!(
            d.issue("cid", vec![], 0, 1800, 5).err(),
            Some(IssueRefusal::Unavailable)
        );
        assert_eq!(
            d.poll(&pending.device_code, "cid", 1).err(),
            Some(PollRefusal::Unavailable)
        );
        assert_eq!(
            d.answer(&pending.user_code, None, 1).err(),
            Some(UserCodeRefusal::Unavailable)
        );
        assert_eq!(
            d.poll(&approved.device_code, "cid", 1).err(),
            Some(PollRefusal::Unavailable)
        );
        {
            let t = lock(&d.inner);
            assert_eq!(t.by_device.len(), 2);
            assert_eq!(t.by_user_code.len(), 2);
        }
        // Refusals that change nothing write nothing, and reading needs no write.
        assert_eq!(c.take("4/0Anope", 1).err(), Some(CodeRefusal::Unknown));
        assert_eq!(
            d.poll(&pending.device_code, "other", 1).err(),
            Some(PollRefusal::Unknown)
        );
        assert!(d.view(&pending.user_code, 1).is_ok());

        disk.fail(false);
        // The code was not spent, the failed poll not counted (no slow_down), the denial
        // not recorded, and the approved grant not handed out.
        assert!(c.take(&code, 1).is_ok());
        assert_eq!(
            d.poll(&pending.device_code, "cid", 1).err(),
            Some(PollRefusal::Pending)
        );
        assert!(d.view(&pending.user_code, 1).is_ok());
        assert_eq!(
            d.poll(&approved.device_code, "cid", 1).unwrap().user,
            "jo@example.com"
        );
        // The record of a grant a code issued is written too, or not at all.
        disk.fail(true);
        assert_eq!(c.issued(&code, 7), Err(Unavailable));
        disk.fail(false);
        assert_eq!(c.take(&code, 1).err(), Some(CodeRefusal::Reused(None)));
    }

    #[cfg(feature = "durable")]
    #[test]
    fn codes_device_codes_and_grants_survive_a_restart() {
        use super::super::state::{Refusal, Store};
        use crate::emulator::durable::Journal;
        use crate::emulator::SqliteStore;
        use std::sync::Arc;

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.sqlite");
        // As `OAuth2::new` opens them: the codes first, whose spent grants are the floor of
        // the grant ids.
        let open = || {
            let journal: Journal = Some(Arc::new(SqliteStore::open(&path).unwrap()));
            let codes = Codes::open(journal.clone()).unwrap();
            let store = Store::open(journal.clone(), codes.last_grant()).unwrap();
            (codes, DeviceCodes::open(journal).unwrap(), store)
        };
        let (c, d, s) = open();
        let mut pkce = code_grant("cid");
        pkce.challenge = Some(Challenge::S256("abc".into()));
        pkce.offline = true;
        let fresh = c.issue(pkce.clone(), 100).unwrap();
        let live = s
            .grant("cid", "jo@example.com", vec!["email".into()], true, 100)
            .unwrap();
        // A code exchanged for a grant that has since ended, its id the largest issued.
        let spent = c.issue(code_grant("cid"), 100).unwrap();
        let g = c.take(&spent, 100).unwrap();
        let ended = s.grant("cid", &g.user, g.scopes, true, 100).unwrap();
        c.issued(&spent, ended.grant).unwrap();
        assert_eq!(s.revoke(ended.refresh_token.as_deref().unwrap()), Ok(true));
        let waiting = d.issue("cid", vec!["email".into()], 100, 1800, 5).unwrap();
        assert_eq!(
            d.poll(&waiting.device_code, "cid", 100).err(),
            Some(PollRefusal::Pending)
        );
        let approved = d.issue("cid", vec!["email".into()], 100, 1800, 5).unwrap();
        d.answer(&approved.user_code, Some("al@example.com"), 100)
            .unwrap();
        drop((c, d, s));

        let (c, d, s) = open();
        // The code exchanges once, with all it was bound to.
        let g = c.take(&fresh, 101).unwrap();
        assert_eq!(
            (
                g.client_id.as_str(),
                g.user.as_str(),
                g.challenge,
                g.offline
            ),
            ("cid", "jo@example.com", pkce.challenge, true)
        );
        assert_eq!(g.redirect_uri, pkce.redirect_uri);
        assert_eq!(c.take(&fresh, 101).err(), Some(CodeRefusal::Reused(None)));
        // A spent code stays spent and still names its grant; a new grant gets a new id.
        assert_eq!(
            c.take(&spent, 101).err(),
            Some(CodeRefusal::Reused(Some(ended.grant)))
        );
        let newer = s
            .grant("cid", "jo@example.com", vec!["email".into()], false, 101)
            .unwrap();
        assert!(newer.grant > ended.grant);
        // The grant's tokens work; the ended grant's do not.
        assert!(s.access(&live.access_token, 101).is_ok());
        assert_eq!(
            s.refresh("cid", live.refresh_token.as_deref().unwrap(), 101)
                .unwrap()
                .grant,
            live.grant
        );
        assert_eq!(
            s.refresh("cid", ended.refresh_token.as_deref().unwrap(), 101)
                .err(),
            Some(Refusal::UnknownGrant)
        );
        // The pending device code polls as before: the last poll's time was kept, and its
        // user code still opens the verification page.
        assert_eq!(
            d.poll(&waiting.device_code, "cid", 101).err(),
            Some(PollRefusal::SlowDown)
        );
        assert_eq!(
            d.poll(&waiting.device_code, "cid", 110).err(),
            Some(PollRefusal::Pending)
        );
        assert_eq!(
            d.view(&waiting.user_code, 110).unwrap().user_code,
            waiting.user_code
        );
        assert_eq!(
            d.answer(&approved.user_code, None, 110).err(),
            Some(UserCodeRefusal::Answered)
        );
        // The approved one is handed out once.
        let grant = d.poll(&approved.device_code, "cid", 110).unwrap();
        assert_eq!(
            (grant.user.as_str(), grant.scopes),
            ("al@example.com", vec!["email".to_owned()])
        );
        assert_eq!(
            d.poll(&approved.device_code, "cid", 120).err(),
            Some(PollRefusal::Unknown)
        );
        drop((c, d, s));

        // What the second run spent stays spent in a third.
        let (c, d, _s) = open();
        assert_eq!(c.take(&fresh, 102).err(), Some(CodeRefusal::Reused(None)));
        assert_eq!(
            d.poll(&approved.device_code, "cid", 130).err(),
            Some(PollRefusal::Unknown)
        );
        // The issue order continues after the stored codes' (the caps drop the oldest).
        let newer = d.issue("cid", vec![], 130, 1800, 5).unwrap();
        let t = lock(&d.inner);
        let seq = |code: &str| t.by_device.get(code).map(|r| r.seq);
        assert!(seq(&newer.device_code) > seq(&waiting.device_code));
    }
}
