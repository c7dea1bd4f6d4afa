//! The nouns of ClientLogin as types: what a login sends ([`Credentials`]: [`AccountType`],
//! [`Service`], the [`Password`]), what it gets back ([`LoginTokens`]), and the
//! [`CaptchaChallenge`] a refused login may carry.
//!
//! The password is a non-`Clone` secret held by [`Credentials`] only: dropping the
//! credentials zeroizes it, and no other type here keeps a copy (SECURITY.md §3).

pub use super::captcha::{CaptchaChallenge, CaptchaToken};
use super::error::{ClientLoginError, InputError};
use super::ClientLoginAuthorizer;
use crate::secret::{secret_string, SecretString};

secret_string!(
    /// A Google account password (`Passwd`). Not `Clone`: it lives in one [`Credentials`]
    /// and is zeroized when they are dropped.
    Password
);
secret_string!(
    /// The `Auth` token of a successful login: what `Authorization: GoogleLogin auth=…`
    /// carries (PROTOCOLS.md §1.3).
    #[derive(Clone)]
    AuthToken
);

/// `accountType`: which kind of account the e-mail address names (PROTOCOLS.md §1.1).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum AccountType {
    /// `HOSTED_OR_GOOGLE`: a Google Apps account first, then a Google account; the default
    /// of every library.
    #[default]
    #[cfg_attr(feature = "serde", serde(rename = "HOSTED_OR_GOOGLE"))]
    HostedOrGoogle,
    /// `GOOGLE`: a Google account only.
    #[cfg_attr(feature = "serde", serde(rename = "GOOGLE"))]
    Google,
    /// `HOSTED`: a Google Apps (hosted) account only.
    #[cfg_attr(feature = "serde", serde(rename = "HOSTED"))]
    Hosted,
}

impl AccountType {
    /// Every account type, in wire order of the table in PROTOCOLS.md §1.1.
    pub const ALL: [Self; 3] = [Self::HostedOrGoogle, Self::Google, Self::Hosted];

    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::HostedOrGoogle => "HOSTED_OR_GOOGLE",
            Self::Google => "GOOGLE",
            Self::Hosted => "HOSTED",
        }
    }

    /// Reads a wire value (exact, as Google spelled it).
    pub fn parse(value: &str) -> Result<Self, ClientLoginError> {
        Self::ALL
            .into_iter()
            .find(|t| t.as_str() == value)
            .ok_or(ClientLoginError::InvalidInput(
                InputError::UnknownAccountType,
            ))
    }
}

impl core::fmt::Display for AccountType {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl core::str::FromStr for AccountType {
    type Err = ClientLoginError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// `service`: the Google service a token is for. The codes of PROTOCOLS.md §1.6 (from the
/// Java client's `*Service` classes, plus `youtube`, Zend's generic `xapi` and App Engine's
/// `ah`) have names; any other code is [`Service::Other`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(from = "String", into = "String")
)]
#[non_exhaustive]
pub enum Service {
    /// `cl`: Calendar.
    Calendar,
    /// `writely`: Documents List.
    DocumentsList,
    /// `wise`: Spreadsheets.
    Spreadsheets,
    /// `lh2`: Picasa Web Albums.
    PicasaWeb,
    /// `blogger`: Blogger.
    Blogger,
    /// `cp`: Contacts.
    Contacts,
    /// `analytics`: Analytics.
    Analytics,
    /// `apps`: Google Apps provisioning.
    AppsProvisioning,
    /// `print`: Books.
    Books,
    /// `codesearch`: Code Search.
    CodeSearch,
    /// `finance`: Finance.
    Finance,
    /// `gbase`: Google Base.
    GoogleBase,
    /// `gtrans`: Translator Toolkit.
    TranslatorToolkit,
    /// `health`: Health.
    Health,
    /// `weaver`: the H9 sandbox.
    H9Sandbox,
    /// `local`: Maps Data.
    MapsData,
    /// `code`: Project Hosting.
    ProjectHosting,
    /// `annotateweb`: Sidewiki.
    Sidewiki,
    /// `jotspot`: Sites.
    Sites,
    /// `sitemaps`: Webmaster Tools.
    WebmasterTools,
    /// `youtube`: YouTube (PY2 `AUTH_SCOPES`, .NET).
    YouTube,
    /// `xapi`: the generic service, Zend's default.
    Generic,
    /// `ah`: App Engine (rietveld's upload.py).
    AppEngine,
    /// Any other service code, sent as it is.
    Other(String),
}

impl Service {
    /// Every named service, in the order of PROTOCOLS.md §1.6.
    pub const KNOWN: [Self; 23] = [
        Self::Calendar,
        Self::DocumentsList,
        Self::Spreadsheets,
        Self::PicasaWeb,
        Self::Blogger,
        Self::Contacts,
        Self::Analytics,
        Self::AppsProvisioning,
        Self::Books,
        Self::CodeSearch,
        Self::Finance,
        Self::GoogleBase,
        Self::TranslatorToolkit,
        Self::Health,
        Self::H9Sandbox,
        Self::MapsData,
        Self::ProjectHosting,
        Self::Sidewiki,
        Self::Sites,
        Self::WebmasterTools,
        Self::YouTube,
        Self::Generic,
        Self::AppEngine,
    ];

    /// The service code sent as `service`.
    pub fn code(&self) -> &str {
        match self {
            Self::Calendar => "cl",
            Self::DocumentsList => "writely",
            Self::Spreadsheets => "wise",
            Self::PicasaWeb => "lh2",
            Self::Blogger => "blogger",
            Self::Contacts => "cp",
            Self::Analytics => "analytics",
            Self::AppsProvisioning => "apps",
            Self::Books => "print",
            Self::CodeSearch => "codesearch",
            Self::Finance => "finance",
            Self::GoogleBase => "gbase",
            Self::TranslatorToolkit => "gtrans",
            Self::Health => "health",
            Self::H9Sandbox => "weaver",
            Self::MapsData => "local",
            Self::ProjectHosting => "code",
            Self::Sidewiki => "annotateweb",
            Self::Sites => "jotspot",
            Self::WebmasterTools => "sitemaps",
            Self::YouTube => "youtube",
            Self::Generic => "xapi",
            Self::AppEngine => "ah",
            Self::Other(code) => code,
        }
    }

    /// The service a code names: a named one when the code is known (exact match), else
    /// [`Service::Other`].
    pub fn from_code(code: &str) -> Self {
        Self::KNOWN
            .into_iter()
            .find(|s| s.code() == code)
            .unwrap_or_else(|| Self::Other(code.to_owned()))
    }
}

impl core::fmt::Display for Service {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.code())
    }
}

impl From<&str> for Service {
    fn from(code: &str) -> Self {
        Self::from_code(code)
    }
}

impl From<String> for Service {
    fn from(code: String) -> Self {
        Self::from_code(&code)
    }
}

impl From<Service> for String {
    fn from(service: Service) -> Self {
        match service {
            Service::Other(code) => code,
            known => known.code().to_owned(),
        }
    }
}

/// The default `source`: this crate and its version, in the `company-app-version` shape
/// Google's documentation asks for (PROTOCOLS.md §1.1).
pub const DEFAULT_SOURCE: &str = concat!("gdata-auth-rust-", env!("CARGO_PKG_VERSION"));

/// What one login sends: `Email`, `Passwd`, `service`, `source` and `accountType`.
///
/// Not `Clone`: the password is in here only, and zeroized when this is dropped. A login
/// borrows the credentials, so a failed one leaves them as they were (SECURITY.md §3,
/// "nothing lost") and a CAPTCHA retry reuses them.
#[derive(Debug, PartialEq, Eq)]
pub struct Credentials {
    email: String,
    password: Password,
    service: Service,
    source: String,
    account_type: AccountType,
}

impl Credentials {
    /// Credentials for `email` and `password` at `service`, with the [`DEFAULT_SOURCE`]
    /// and `HOSTED_OR_GOOGLE`.
    pub fn new(email: impl Into<String>, password: Password, service: Service) -> Self {
        Self {
            email: email.into(),
            password,
            service,
            source: DEFAULT_SOURCE.to_owned(),
            account_type: AccountType::default(),
        }
    }

    /// Sets `source`, the application's name (`company-app-version`).
    pub fn with_source(mut self, source: impl Into<String>) -> Self {
        self.source = source.into();
        self
    }

    /// Sets `accountType`.
    pub fn with_account_type(mut self, account_type: AccountType) -> Self {
        self.account_type = account_type;
        self
    }

    /// `Email`.
    pub fn email(&self) -> &str {
        &self.email
    }

    /// `Passwd`.
    pub fn password(&self) -> &Password {
        &self.password
    }

    /// `service`.
    pub fn service(&self) -> &Service {
        &self.service
    }

    /// `source`.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// `accountType`.
    pub fn account_type(&self) -> AccountType {
        self.account_type
    }
}

/// The tokens of a successful login: `Auth` (what authorizes GData requests), and `SID`
/// and `LSID` when the answer had them (no library used those, PROTOCOLS.md §1.2).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct LoginTokens {
    auth: AuthToken,
    sid: Option<SecretString>,
    lsid: Option<SecretString>,
}

impl LoginTokens {
    /// Tokens from their parts; `auth` must be usable in a header ([`ClientLoginAuthorizer::new`]
    /// says which are).
    pub fn new(
        auth: AuthToken,
        sid: Option<SecretString>,
        lsid: Option<SecretString>,
    ) -> Result<Self, ClientLoginError> {
        if !is_token(auth.secret()) {
            return Err(ClientLoginError::InvalidInput(InputError::BadAuthToken));
        }
        Ok(Self { auth, sid, lsid })
    }

    /// Tokens whose `Auth` the response reader already checked.
    pub(crate) fn checked(
        auth: AuthToken,
        sid: Option<SecretString>,
        lsid: Option<SecretString>,
    ) -> Self {
        Self { auth, sid, lsid }
    }

    /// `Auth`.
    pub fn auth(&self) -> &AuthToken {
        &self.auth
    }

    /// `SID`, when present.
    pub fn sid(&self) -> Option<&SecretString> {
        self.sid.as_ref()
    }

    /// `LSID`, when present.
    pub fn lsid(&self) -> Option<&SecretString> {
        self.lsid.as_ref()
    }

    /// The authorizer that sends `Authorization: GoogleLogin auth=<Auth>`.
    pub fn authorizer(&self) -> ClientLoginAuthorizer {
        ClientLoginAuthorizer::checked(self.auth.clone())
    }
}

/// Whether `value` can stand unquoted in `GoogleLogin auth=…` and in a form body without
/// surprises: non-empty visible ASCII without `"`, `\` or `,` (SECURITY.md §5.1 row 28:
/// no CR, LF or quote reaches a header).
pub(crate) fn is_token(value: &str) -> bool {
    !value.is_empty()
        && value
            .bytes()
            .all(|b| b.is_ascii_graphic() && !matches!(b, b'"' | b'\\' | b','))
}
