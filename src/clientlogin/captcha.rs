//! The CAPTCHA a refused ClientLogin login may carry (PROTOCOLS.md §1.5): its token and
//! where its image is. A module of its own because both the error that carries it and the
//! login types use it, and it needs neither.

use crate::secret::secret_string;

secret_string!(
    /// The opaque `CaptchaToken` of a CAPTCHA challenge, sent back once as `logintoken`
    /// with the user's answer (PROTOCOLS.md §1.5).
    #[derive(Clone)]
    CaptchaToken
);

/// A CAPTCHA the login must pass before Google answers again (`Error=CaptchaRequired`,
/// PROTOCOLS.md §1.5): show the image at [`CaptchaChallenge::image_url`] to the user and log
/// in once more with their answer ([`super::flow::login_with_captcha`]). The library never
/// retries on its own: repeated automatic attempts lock accounts (SECURITY.md §3).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CaptchaChallenge {
    token: CaptchaToken,
    image_url: String,
    url: Option<String>,
}

impl CaptchaChallenge {
    /// A challenge from its parts (one kept between two web requests, or a test's).
    pub fn new(token: CaptchaToken, image_url: impl Into<String>) -> Self {
        Self {
            token,
            image_url: image_url.into(),
            url: None,
        }
    }

    pub(crate) fn with_url(mut self, url: Option<String>) -> Self {
        self.url = url;
        self
    }

    /// `CaptchaToken`, sent back as `logintoken`.
    pub fn token(&self) -> &CaptchaToken {
        &self.token
    }

    /// The image to show: `CaptchaUrl` resolved against the accounts base (PROTOCOLS.md
    /// §1.5; see [`super::response::resolve_captcha_url`]).
    pub fn image_url(&self) -> &str {
        &self.image_url
    }

    /// `Url=`, the help page the answer named, when it named one.
    pub fn url(&self) -> Option<&str> {
        self.url.as_deref()
    }
}
