//! The `<OAuth>` section of a gadget spec's `<ModulePrefs>`, read with quick-xml into this
//! crate's OAuth 1.0 [`Endpoints`] and [`RequestTokenOptions`].
//!
//! The rules are Shindig's (`apache/shindig`,
//! `java/gadgets/src/main/java/org/apache/shindig/gadgets/spec/OAuthService.java`): each
//! `<Service>` needs exactly one `<Request>`, `<Authorization>` and `<Access>`, each with an
//! `http(s)` `url`; `method` is `GET` (the default, also for an empty value) or `POST`;
//! `param_location` is `auth-header` (the default), `uri-query` or `post-body`; `<Access>`
//! must use the `<Request>`'s method and location, and `post-body` needs `POST`. The seed
//! ("Authentication for Gadgets", "Gadget setup") adds Google's reading: `scope` sits in the
//! Request URL's query, and `oauth_callback`, optional, in the Authorization URL's.

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use thiserror::Error;
use url::Url;

use crate::endpoints::Endpoints;
use crate::oauth1::{Callback, RequestTokenOptions};
use crate::scope::{Scope, ScopeError};

/// The largest gadget spec [`GadgetSpec::parse`] reads (256 KiB; Shindig's specs were a few
/// KiB, the `<Content>` being most of them).
pub const MAX_SPEC_BYTES: usize = 256 * 1024;

/// How deep elements may nest before the spec is refused.
const MAX_DEPTH: usize = 64;

/// The most `<Service>` elements one spec may declare.
const MAX_SERVICES: usize = 64;

/// Why a gadget spec was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum SpecError {
    /// The spec is larger than [`MAX_SPEC_BYTES`].
    #[error("the gadget spec is {len} bytes, over the {max}-byte limit")]
    TooLarge {
        /// Its size.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// Not well-formed XML (or an entity other than XML's five and character references).
    #[error("the gadget spec is not well-formed XML: {0}")]
    Malformed(String),
    /// The root element is not `<Module>`.
    #[error("the gadget spec's root element is <{0}>, not <Module>")]
    NotAModule(String),
    /// Elements nest deeper than the parser follows, or there are too many services.
    #[error("the gadget spec is too deeply nested or declares too many services")]
    TooComplex,
    /// A `<Service>` lacks a required child element.
    #[error("OAuth service {service:?} has no <{element}> element")]
    MissingElement {
        /// The service's name.
        service: String,
        /// The missing element.
        element: &'static str,
    },
    /// A `<Service>` has a child element twice.
    #[error("OAuth service {service:?} has more than one <{element}> element")]
    DuplicateElement {
        /// The service's name.
        service: String,
        /// The repeated element.
        element: &'static str,
    },
    /// Two `<Service>` elements share a name.
    #[error("two OAuth services are named {0:?}")]
    DuplicateService(String),
    /// A required attribute is absent.
    #[error("<{element}> has no {attribute} attribute")]
    MissingAttribute {
        /// The element.
        element: &'static str,
        /// The attribute.
        attribute: &'static str,
    },
    /// A `url` is not an absolute `http` or `https` URL.
    #[error("<{element}> url {url:?} is not an absolute http(s) URL")]
    InvalidUrl {
        /// The element.
        element: &'static str,
        /// The value as written.
        url: String,
    },
    /// `method` or `param_location` has a value Shindig did not know.
    #[error("<{element}> {attribute}={value:?} is not one of the allowed values")]
    InvalidValue {
        /// The element.
        element: &'static str,
        /// The attribute.
        attribute: &'static str,
        /// The value as written.
        value: String,
    },
    /// `<Access>` and `<Request>` disagree on method or location, or `post-body` is used
    /// with `GET` (Shindig refused both).
    #[error("OAuth service {service:?}: {reason}")]
    Inconsistent {
        /// The service's name.
        service: String,
        /// Which rule.
        reason: &'static str,
    },
    /// The Request URL's `scope` holds an invalid scope.
    #[error("OAuth service {service:?} has an invalid scope: {reason}")]
    InvalidScope {
        /// The service's name.
        service: String,
        /// Why.
        reason: ScopeError,
    },
}

/// The HTTP method of a token request (`method`; Shindig's `OAuthService.Method`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum TokenMethod {
    /// `GET`: the default.
    #[default]
    Get,
    /// `POST`.
    Post,
}

impl TokenMethod {
    /// The method's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
        }
    }
}

/// Where the OAuth parameters go (`param_location`; Shindig's `OAuthService.Location`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ParamLocation {
    /// `auth-header`: the `Authorization: OAuth` header (the default).
    #[default]
    AuthHeader,
    /// `uri-query`: the URL's query.
    UriQuery,
    /// `post-body`: a form body (POST only).
    PostBody,
}

impl ParamLocation {
    /// The spec's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AuthHeader => "auth-header",
            Self::UriQuery => "uri-query",
            Self::PostBody => "post-body",
        }
    }
}

/// A `<Request>` or `<Access>` element: URL, method and parameter location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceEndpoint {
    url: Url,
    method: TokenMethod,
    param_location: ParamLocation,
}

impl ServiceEndpoint {
    /// The URL as the spec gives it (query included).
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// The HTTP method.
    pub fn method(&self) -> TokenMethod {
        self.method
    }

    /// Where the OAuth parameters go.
    pub fn param_location(&self) -> ParamLocation {
        self.param_location
    }
}

/// One `<OAuth><Service name=…>`: a service provider the container's OAuth Proxy talks to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthService {
    name: String,
    request: ServiceEndpoint,
    authorization: Url,
    access: ServiceEndpoint,
    scopes: Vec<Scope>,
    callback: Option<Callback>,
}

impl OAuthService {
    /// The service's name (`OAUTH_SERVICE_NAME` in makeRequest; may be empty).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The `<Request>` endpoint (the request-token URL, `scope` in its query).
    pub fn request(&self) -> &ServiceEndpoint {
        &self.request
    }

    /// The `<Authorization>` URL (the approval page, `oauth_callback` in its query).
    pub fn authorization_url(&self) -> &Url {
        &self.authorization
    }

    /// The `<Access>` endpoint (the access-token URL).
    pub fn access(&self) -> &ServiceEndpoint {
        &self.access
    }

    /// The scopes of the Request URL's `scope` parameter (space-separated, as Google read
    /// them); empty when it has none.
    pub fn scopes(&self) -> &[Scope] {
        &self.scopes
    }

    /// The Authorization URL's `oauth_callback`, when present and not empty (the seed:
    /// optional; `http://oauth.gmodules.com/gadgets/oauthcallback` closed the popup).
    pub fn callback(&self) -> Option<&Callback> {
        self.callback.as_ref()
    }

    /// The three URLs as this crate's [`Endpoints`] (the other protocols' URLs stay
    /// Google's): the Request URL without `scope`, the Authorization URL without
    /// `oauth_callback` (OAuth 1.0a sends both at the request-token step, which
    /// [`OAuthService::request_token_options`] carries), the Access URL as written.
    pub fn endpoints(&self) -> Endpoints {
        Endpoints::google().with_oauth1(
            without_param(&self.request.url, "scope"),
            without_param(&self.authorization, "oauth_callback"),
            self.access.url.as_str(),
        )
    }

    /// The request-token options the spec implies: its scopes, and its callback (`oob`
    /// when it names none). `xoauth_displayname` is left to the caller.
    pub fn request_token_options(&self) -> RequestTokenOptions {
        RequestTokenOptions::new(
            self.scopes.iter().cloned(),
            self.callback.clone().unwrap_or(Callback::Oob),
        )
    }
}

/// What this crate reads of a gadget spec: the title and the OAuth services.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GadgetSpec {
    title: Option<String>,
    services: Vec<OAuthService>,
}

impl GadgetSpec {
    /// Parses a spec: `<Module>` at the root, `<ModulePrefs title=…>`, and each
    /// `<ModulePrefs><OAuth><Service>`. Everything else (`<Content>`, `<UserPref>`,
    /// `<Require>`) is skipped. At most [`MAX_SPEC_BYTES`]; DTDs are ignored and no entity
    /// beyond XML's five and character references is expanded.
    pub fn parse(xml: &str) -> Result<Self, SpecError> {
        if xml.len() > MAX_SPEC_BYTES {
            return Err(SpecError::TooLarge {
                len: xml.len(),
                max: MAX_SPEC_BYTES,
            });
        }
        let mut reader = Reader::from_str(xml);
        reader.config_mut().trim_text(true);
        let mut stack: Vec<String> = Vec::new();
        let mut spec = GadgetSpec::default();
        let mut current: Option<ServiceBuilder> = None;
        let mut seen_root = false;
        loop {
            let event = reader.read_event().map_err(|e| {
                SpecError::Malformed(format!("{e} at byte {}", reader.error_position()))
            })?;
            match event {
                Event::Start(e) => {
                    let name = element_name(&e)?;
                    if stack.is_empty() {
                        check_root(&name, &mut seen_root)?;
                    }
                    on_element(&e, &name, &stack, &mut spec, &mut current)?;
                    if stack.len() >= MAX_DEPTH {
                        return Err(SpecError::TooComplex);
                    }
                    stack.push(name);
                }
                Event::Empty(e) => {
                    let name = element_name(&e)?;
                    if stack.is_empty() {
                        check_root(&name, &mut seen_root)?;
                    }
                    on_element(&e, &name, &stack, &mut spec, &mut current)?;
                    if is_service_path(&stack, &name) {
                        finish_service(&mut spec, &mut current)?;
                    }
                }
                Event::End(_) => {
                    let name = stack.pop().unwrap_or_default();
                    if is_service_path(&stack, &name) {
                        finish_service(&mut spec, &mut current)?;
                    }
                }
                Event::Eof => break,
                _ => {}
            }
        }
        if !seen_root {
            return Err(SpecError::Malformed("no root element".into()));
        }
        if !stack.is_empty() {
            return Err(SpecError::Malformed(format!(
                "<{}> is not closed",
                stack.join("><")
            )));
        }
        Ok(spec)
    }

    /// `<ModulePrefs title=…>`, if any.
    pub fn title(&self) -> Option<&str> {
        self.title.as_deref()
    }

    /// Every `<OAuth><Service>`, in spec order.
    pub fn services(&self) -> &[OAuthService] {
        &self.services
    }

    /// The service named `name` (makeRequest's `OAUTH_SERVICE_NAME`).
    pub fn service(&self, name: &str) -> Option<&OAuthService> {
        self.services.iter().find(|s| s.name == name)
    }
}

fn check_root(name: &str, seen_root: &mut bool) -> Result<(), SpecError> {
    if *seen_root {
        return Err(SpecError::Malformed("more than one root element".into()));
    }
    *seen_root = true;
    if name != "Module" {
        return Err(SpecError::NotAModule(name.to_owned()));
    }
    Ok(())
}

fn element_name(e: &BytesStart<'_>) -> Result<String, SpecError> {
    std::str::from_utf8(e.name().as_ref())
        .map(str::to_owned)
        .map_err(|err| SpecError::Malformed(err.to_string()))
}

/// `Module/ModulePrefs/OAuth` + `Service`.
fn is_service_path(stack: &[String], name: &str) -> bool {
    name == "Service" && stack == ["Module", "ModulePrefs", "OAuth"]
}

/// A `<Service>` being read.
struct ServiceBuilder {
    name: String,
    request: Option<ServiceEndpoint>,
    authorization: Option<Url>,
    access: Option<ServiceEndpoint>,
}

fn attribute(e: &BytesStart<'_>, wanted: &str) -> Result<Option<String>, SpecError> {
    for attr in e.attributes() {
        let attr = attr.map_err(|err| SpecError::Malformed(err.to_string()))?;
        if attr.key.as_ref() == wanted.as_bytes() {
            let value = attr
                .unescape_value()
                .map_err(|err| SpecError::Malformed(err.to_string()))?;
            return Ok(Some(value.into_owned()));
        }
    }
    Ok(None)
}

fn on_element(
    e: &BytesStart<'_>,
    name: &str,
    stack: &[String],
    spec: &mut GadgetSpec,
    current: &mut Option<ServiceBuilder>,
) -> Result<(), SpecError> {
    if name == "ModulePrefs" && stack == ["Module"] {
        spec.title = attribute(e, "title")?;
    } else if is_service_path(stack, name) {
        if spec.services.len() >= MAX_SERVICES {
            return Err(SpecError::TooComplex);
        }
        // Shindig read `name` with getAttribute: absent is the empty name.
        *current = Some(ServiceBuilder {
            name: attribute(e, "name")?.unwrap_or_default(),
            request: None,
            authorization: None,
            access: None,
        });
    } else if stack == ["Module", "ModulePrefs", "OAuth", "Service"] {
        let Some(service) = current.as_mut() else {
            return Ok(());
        };
        let duplicate = |element| SpecError::DuplicateElement {
            service: service.name.clone(),
            element,
        };
        match name {
            "Request" => {
                if service.request.is_some() {
                    return Err(duplicate("Request"));
                }
                service.request = Some(endpoint(e, "Request")?);
            }
            "Access" => {
                if service.access.is_some() {
                    return Err(duplicate("Access"));
                }
                service.access = Some(endpoint(e, "Access")?);
            }
            "Authorization" => {
                if service.authorization.is_some() {
                    return Err(duplicate("Authorization"));
                }
                service.authorization = Some(http_url(e, "Authorization")?);
            }
            _ => {}
        }
    }
    Ok(())
}

fn http_url(e: &BytesStart<'_>, element: &'static str) -> Result<Url, SpecError> {
    let raw = attribute(e, "url")?.ok_or(SpecError::MissingAttribute {
        element,
        attribute: "url",
    })?;
    let invalid = || SpecError::InvalidUrl {
        element,
        url: raw.clone(),
    };
    let url = Url::parse(raw.trim()).map_err(|_| invalid())?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(invalid());
    }
    Ok(url)
}

fn endpoint(e: &BytesStart<'_>, element: &'static str) -> Result<ServiceEndpoint, SpecError> {
    let url = http_url(e, element)?;
    let method = match attribute(e, "method")?.as_deref().map(str::trim) {
        None | Some("") | Some("GET") => TokenMethod::Get,
        Some("POST") => TokenMethod::Post,
        Some(other) => {
            return Err(SpecError::InvalidValue {
                element,
                attribute: "method",
                value: other.to_owned(),
            })
        }
    };
    let param_location = match attribute(e, "param_location")?.as_deref().map(str::trim) {
        None | Some("") | Some("auth-header") => ParamLocation::AuthHeader,
        Some("uri-query") => ParamLocation::UriQuery,
        Some("post-body") => ParamLocation::PostBody,
        Some(other) => {
            return Err(SpecError::InvalidValue {
                element,
                attribute: "param_location",
                value: other.to_owned(),
            })
        }
    };
    Ok(ServiceEndpoint {
        url,
        method,
        param_location,
    })
}

fn finish_service(
    spec: &mut GadgetSpec,
    current: &mut Option<ServiceBuilder>,
) -> Result<(), SpecError> {
    let Some(b) = current.take() else {
        return Ok(());
    };
    let missing = |element| SpecError::MissingElement {
        service: b.name.clone(),
        element,
    };
    let request = b.request.clone().ok_or_else(|| missing("Request"))?;
    let access = b.access.clone().ok_or_else(|| missing("Access"))?;
    let authorization = b
        .authorization
        .clone()
        .ok_or_else(|| missing("Authorization"))?;
    let inconsistent = |reason| SpecError::Inconsistent {
        service: b.name.clone(),
        reason,
    };
    if request.param_location != access.param_location {
        return Err(inconsistent(
            "Access@param_location must be identical to Request@param_location",
        ));
    }
    if request.method != access.method {
        return Err(inconsistent(
            "Access@method must be identical to Request@method",
        ));
    }
    if request.param_location == ParamLocation::PostBody && request.method == TokenMethod::Get {
        return Err(inconsistent("post-body cannot be used with GET"));
    }
    if spec.services.iter().any(|s| s.name == b.name) {
        return Err(SpecError::DuplicateService(b.name));
    }
    let scope_param = query_values(&request.url, "scope").join(" ");
    let scopes = Scope::parse_list(&scope_param).map_err(|reason| SpecError::InvalidScope {
        service: b.name.clone(),
        reason,
    })?;
    let callback = query_values(&authorization, "oauth_callback")
        .into_iter()
        .find(|c| !c.is_empty())
        .map(|c| Callback::parse(&c));
    spec.services.push(OAuthService {
        name: b.name,
        request,
        authorization,
        access,
        scopes,
        callback,
    });
    Ok(())
}

fn query_values(url: &Url, name: &str) -> Vec<String> {
    url.query_pairs()
        .filter(|(n, _)| n == name)
        .map(|(_, v)| v.into_owned())
        .collect()
}

/// `url` with every `name` parameter removed from its query (the rest kept in order).
fn without_param(url: &Url, name: &str) -> String {
    let mut out = url.clone();
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(n, _)| n != name)
        .map(|(n, v)| (n.into_owned(), v.into_owned()))
        .collect();
    if kept.is_empty() {
        out.set_query(None);
    } else {
        out.query_pairs_mut().clear().extend_pairs(kept);
    }
    out.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Module><ModulePrefs title="t"><OAuth><Service name="google">
<Access url="https://www.google.com/accounts/OAuthGetAccessToken" method="GET" />
<Request url="https://www.google.com/accounts/OAuthGetRequestToken?scope=http://www.blogger.com/feeds/%20http://www.google.com/calendar/feeds/" method="GET" />
<Authorization url="https://www.google.com/accounts/OAuthAuthorizeToken?oauth_callback=http://oauth.gmodules.com/gadgets/oauthcallback" />
</Service></OAuth></ModulePrefs><Content type="html"><![CDATA[<b>x</b>]]></Content></Module>"#;

    #[test]
    fn the_seed_spec_reads_into_endpoints_and_options() {
        let spec = GadgetSpec::parse(SEED).unwrap();
        assert_eq!(spec.title(), Some("t"));
        let s = spec.service("google").unwrap();
        assert_eq!(s.scopes().len(), 2);
        assert_eq!(
            s.callback(),
            Some(&Callback::Url(
                "http://oauth.gmodules.com/gadgets/oauthcallback".into()
            ))
        );
        let e = s.endpoints();
        assert_eq!(
            e.oauth1_request_token(),
            "https://www.google.com/accounts/OAuthGetRequestToken"
        );
        assert_eq!(
            e.oauth1_authorize_token(),
            "https://www.google.com/accounts/OAuthAuthorizeToken"
        );
        let o = s.request_token_options();
        assert_eq!(o.scopes.len(), 2);
    }

    /// The seed with `extra` just inside `<Module>`.
    fn with_module_child(extra: &str) -> String {
        SEED.replace("<Module>", &format!("<Module>{extra}"))
    }

    #[test]
    fn nesting_is_accepted_to_its_limit_and_refused_one_past() {
        // `<Module>` is the first level: it and MAX_DEPTH - 1 levels below it pass.
        let nested = |levels: usize| "<x>".repeat(levels) + &"</x>".repeat(levels);
        assert!(GadgetSpec::parse(&with_module_child(&nested(MAX_DEPTH - 1))).is_ok());
        assert!(matches!(
            GadgetSpec::parse(&with_module_child(&nested(MAX_DEPTH))),
            Err(SpecError::TooComplex)
        ));
    }

    #[test]
    fn services_are_accepted_to_their_limit_and_refused_one_past() {
        let service = |n: usize| {
            format!(
                r#"<Service name="s{n}"><Access url="https://h/a" method="GET" /><Request url="https://h/r?scope=http://h/feeds/" method="GET" /><Authorization url="https://h/z" /></Service>"#
            )
        };
        let spec = |count: usize| {
            let more: String = (0..count - 1).map(service).collect();
            SEED.replace("<OAuth>", &format!("<OAuth>{more}"))
        };
        let at = GadgetSpec::parse(&spec(MAX_SERVICES)).unwrap();
        assert!(at.service("s0").is_some() && at.service("google").is_some());
        assert!(matches!(
            GadgetSpec::parse(&spec(MAX_SERVICES + 1)),
            Err(SpecError::TooComplex)
        ));
    }

    #[test]
    fn post_body_with_get_is_refused() {
        let xml = SEED.replace(
            r#"method="GET" />
<Request"#,
            r#"method="GET" param_location="post-body" />
<Request"#,
        );
        assert!(matches!(
            GadgetSpec::parse(&xml),
            Err(SpecError::Inconsistent { .. })
        ));
    }
}
