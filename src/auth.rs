//! Token state: reading a JWT's claims, when a token expires, and when to refresh it.
//!
//! Everything here is pure (times are passed in), so the refresh decision is unit-tested without
//! a clock or a network.

use std::time::{Duration, Instant, SystemTime};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::api::types::TokenResponse;
use crate::secret::Secret;

/// The claims of a JWT that matter to us, in seconds since the epoch.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Claims {
    /// `exp`: when the token expires, on the server's clock.
    pub exp: Option<f64>,
    /// `iat`: when the token was issued, on the server's clock.
    pub iat: Option<f64>,
}

/// Why a JWT's claims could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JwtError {
    /// A JWT has three dot-separated parts.
    #[error("{0} parts, not 3")]
    Parts(usize),
    /// The payload is not base64url.
    #[error("bad base64")]
    Base64,
    /// The payload is not a JSON object.
    #[error("payload not JSON")]
    Json,
}

/// Reads `exp` and `iat` from a JWT payload without checking its signature (the server does that).
///
/// Accepts the forms seen in the wild: padded or unpadded payloads, either base64 alphabet, and
/// numeric claims as integers, floats, e-notation or strings.
pub fn decode_claims(jwt: &str) -> Result<Claims, JwtError> {
    let parts: Vec<&str> = jwt.trim().split('.').collect();
    if parts.len() != 3 {
        return Err(JwtError::Parts(parts.len()));
    }
    let payload: String = parts[1]
        .trim_end_matches('=')
        .chars()
        .map(|c| match c {
            '+' => '-',
            '/' => '_',
            c => c,
        })
        .collect();
    let bytes = URL_SAFE_NO_PAD.decode(payload).map_err(|_| JwtError::Base64)?;
    let value: serde_json::Value = serde_json::from_slice(&bytes).map_err(|_| JwtError::Json)?;
    let object = value.as_object().ok_or(JwtError::Json)?;
    let number = |name: &str| {
        match object.get(name)? {
            serde_json::Value::Number(n) => n.as_f64(),
            serde_json::Value::String(s) => s.trim().parse::<f64>().ok(),
            _ => None,
        }
        .filter(|v| v.is_finite())
    };
    Ok(Claims { exp: number("exp"), iat: number("iat") })
}

/// Where a token's lifetime came from; shown in the token pane so the user knows what to trust.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExpirySource {
    /// The JWT's `exp − iat`.
    Jwt,
    /// The JWT's `exp` against our own clock (there was no `iat`, nor `expires_in`).
    JwtLocalClock,
    /// The response's `expires_in`, because the JWT could not be used; the reason says why.
    ExpiresIn(String),
    /// Neither could be read: the token is used until the server refuses it.
    Unknown(String),
}

/// An access token and what we know about its life. Secrets stay inside [`Secret`].
#[derive(Debug, Clone)]
pub struct Token {
    /// The bearer token.
    pub access: Secret,
    /// The refresh token, if the server gave one.
    pub refresh: Option<Secret>,
    /// When the token arrived, on our monotonic clock.
    pub received_at: Instant,
    /// When the token arrived, on our wall clock (for display).
    pub received_wall: SystemTime,
    /// How long the token lives from `received_at`, if known.
    pub lifetime: Option<Duration>,
    /// Where `lifetime` came from.
    pub source: ExpirySource,
}

/// Lifetimes outside these bounds are treated as unknown.
const MIN_LIFETIME: Duration = Duration::from_secs(1);
const MAX_LIFETIME: Duration = Duration::from_secs(366 * 24 * 3600);

/// Seconds as a duration, if they make one (finite, not negative, not absurdly large).
fn seconds(secs: f64) -> Option<Duration> {
    Duration::try_from_secs_f64(secs).ok()
}

/// The shortest wait before a proactive refresh, so that a server handing out nearly dead
/// tokens cannot make us refresh in a tight loop.
const MIN_REFRESH_WAIT: Duration = Duration::from_secs(1);

impl Token {
    /// Builds a token from the auth server's answer, measuring its lifetime from the moment it
    /// arrived here: `exp − iat` (immune to clock skew), else `expires_in`.
    pub fn from_response(response: TokenResponse, received_at: Instant, received_wall: SystemTime) -> Self {
        let claims = decode_claims(response.access_token.expose());
        let expires_in = response.expires_in.and_then(seconds);
        let (lifetime, source) = match (claims, expires_in) {
            (Ok(Claims { exp: Some(exp), iat: Some(iat) }), _) if exp > iat => {
                (seconds(exp - iat), ExpirySource::Jwt)
            }
            (Ok(Claims { exp: Some(_), iat: Some(_) }), Some(secs)) => {
                (Some(secs), ExpirySource::ExpiresIn("exp is not after iat".into()))
            }
            (Ok(Claims { exp: Some(_), .. }), Some(secs)) => {
                (Some(secs), ExpirySource::ExpiresIn("no iat claim".into()))
            }
            (Ok(Claims { exp: Some(exp), .. }), None) => {
                (seconds(exp - unix_seconds(received_wall)), ExpirySource::JwtLocalClock)
            }
            (Ok(Claims { exp: None, .. }), Some(secs)) => {
                (Some(secs), ExpirySource::ExpiresIn("no exp claim".into()))
            }
            (Err(e), Some(secs)) => (Some(secs), ExpirySource::ExpiresIn(format!("no exp: {e}"))),
            (Ok(Claims { exp: None, .. }), None) => {
                (None, ExpirySource::Unknown("no exp claim and no expires_in".into()))
            }
            (Err(e), None) => (None, ExpirySource::Unknown(format!("no exp ({e}), no expires_in"))),
        };
        // A lifetime too short to use or too long to be true is not a lifetime: the token is
        // then used until the server refuses it, rather than refreshed in a loop.
        let (lifetime, source) = match lifetime {
            Some(l) if l < MIN_LIFETIME => {
                (None, ExpirySource::Unknown(format!("a lifetime of {} s", l.as_secs())))
            }
            Some(l) if l > MAX_LIFETIME => (None, ExpirySource::Unknown("a lifetime of over a year".into())),
            other => (other, source),
        };
        Self {
            access: response.access_token,
            refresh: response.refresh_token.filter(|r| !r.is_empty()),
            received_at,
            received_wall,
            lifetime,
            source,
        }
    }

    /// When the token expires on our monotonic clock, if known.
    pub fn expires_at(&self) -> Option<Instant> {
        self.lifetime.map(|l| self.received_at + l)
    }

    /// When the token expires on our wall clock, if known.
    pub fn expires_wall(&self) -> Option<SystemTime> {
        self.lifetime.map(|l| self.received_wall + l)
    }

    /// When to refresh on our own: [`refresh_margin`] before expiry, and never sooner than a
    /// second after the token arrived.
    pub fn refresh_at(&self) -> Option<Instant> {
        let lifetime = self.lifetime?;
        let wait = lifetime.saturating_sub(refresh_margin(lifetime)).max(MIN_REFRESH_WAIT);
        Some(self.received_at + wait)
    }

    /// Whether the token is past its known expiry at `now`.
    pub fn is_expired_at(&self, now: Instant) -> bool {
        self.expires_at().is_some_and(|e| now >= e)
    }
}

/// How long before expiry a token is refreshed: 60 s, or a tenth of the lifetime for a token
/// that lives less than 10 minutes (a 20 s token is refreshed 2 s before it expires).
pub fn refresh_margin(lifetime: Duration) -> Duration {
    (lifetime / 10).min(Duration::from_secs(60))
}

fn unix_seconds(t: SystemTime) -> f64 {
    t.duration_since(SystemTime::UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64())
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::{STANDARD, URL_SAFE};

    fn jwt_with_payload(payload: &str) -> String {
        format!("eyJhbGciOiJIUzI1NiJ9.{}.c2ln", URL_SAFE_NO_PAD.encode(payload))
    }

    fn response(access: &str, expires_in: Option<f64>) -> TokenResponse {
        TokenResponse {
            access_token: Secret::new(access),
            refresh_token: Some(Secret::new("r+/=")),
            expires_in,
            token_type: Some("Bearer".into()),
            scope: None,
        }
    }

    #[test]
    fn reads_integer_claims() {
        let c = decode_claims(&jwt_with_payload(r#"{"exp":1767225600,"iat":1767222000}"#)).unwrap();
        assert_eq!(c.exp, Some(1_767_225_600.0));
        assert_eq!(c.iat, Some(1_767_222_000.0));
    }

    #[test]
    fn reads_float_enotation_and_string_exp() {
        for (payload, want) in [
            (r#"{"exp":1767225600.75}"#, 1_767_225_600.75),
            (r#"{"exp":1.7672256e+09}"#, 1_767_225_600.0),
            (r#"{"exp":"1767225600"}"#, 1_767_225_600.0),
            (r#"{"exp":" 1767225600.5 "}"#, 1_767_225_600.5),
        ] {
            let c = decode_claims(&jwt_with_payload(payload)).unwrap();
            assert_eq!(c.exp, Some(want), "{payload}");
        }
    }

    #[test]
    fn reads_padded_and_standard_alphabet_payloads() {
        // This payload's base64 needs padding and contains '-'/'_' (url-safe) or '+'/'/' (standard).
        let payload = r#"{"exp":1767225600,"sub":"~~~?"}"#;
        let padded = URL_SAFE.encode(payload);
        assert!(padded.ends_with('='));
        assert!(padded.contains('-') || padded.contains('_'));
        let standard = STANDARD.encode(payload);
        assert!(standard.contains('+') || standard.contains('/'));
        for encoded in [padded, standard, URL_SAFE_NO_PAD.encode(payload)] {
            let jwt = format!("h.{encoded}.s");
            assert_eq!(decode_claims(&jwt).unwrap().exp, Some(1_767_225_600.0), "{jwt}");
        }
    }

    #[test]
    fn malformed_tokens_are_errors_not_panics() {
        assert_eq!(decode_claims("abc.def"), Err(JwtError::Parts(2)));
        assert_eq!(decode_claims(""), Err(JwtError::Parts(1)));
        assert_eq!(decode_claims("a.!!!.c"), Err(JwtError::Base64));
        assert_eq!(decode_claims(&format!("a.{}.c", URL_SAFE_NO_PAD.encode("[1]"))), Err(JwtError::Json));
        assert_eq!(decode_claims(&format!("a.{}.c", URL_SAFE_NO_PAD.encode("nope"))), Err(JwtError::Json));
        let c = decode_claims(&jwt_with_payload(r#"{"exp":true,"iat":"soon"}"#)).unwrap();
        assert_eq!(c, Claims::default());
    }

    #[test]
    fn lifetime_is_exp_minus_iat_whatever_the_clock_skew() {
        let now = SystemTime::now();
        let server_now = unix_seconds(now) + 600.0; // server 10 minutes ahead
        for skew in [600.0, -600.0, 0.0] {
            let iat = server_now - 600.0 + skew;
            let jwt = jwt_with_payload(&format!(r#"{{"iat":{iat},"exp":{}}}"#, iat + 3600.0));
            let t = Token::from_response(response(&jwt, Some(3600.0)), Instant::now(), now);
            assert_eq!(t.lifetime, Some(Duration::from_secs(3600)), "skew {skew}");
            assert_eq!(t.source, ExpirySource::Jwt);
        }
    }

    #[test]
    fn unreadable_exp_falls_back_to_expires_in_and_says_so() {
        let t =
            Token::from_response(response("only.twoparts", Some(3600.0)), Instant::now(), SystemTime::now());
        assert_eq!(t.lifetime, Some(Duration::from_secs(3600)));
        assert!(matches!(&t.source, ExpirySource::ExpiresIn(why) if why.contains("2 parts")));
        let bad = Token::from_response(response("a.%%%.c", Some(60.0)), Instant::now(), SystemTime::now());
        assert!(matches!(&bad.source, ExpirySource::ExpiresIn(why) if why.contains("base64")));
    }

    #[test]
    fn unknown_expiry_is_never_expired() {
        let start = Instant::now();
        let t = Token::from_response(response("garbage", None), start, SystemTime::now());
        assert!(matches!(t.source, ExpirySource::Unknown(_)));
        assert_eq!(t.expires_at(), None);
        assert_eq!(t.refresh_at(), None);
        assert!(!t.is_expired_at(start + Duration::from_secs(100_000)));
    }

    #[test]
    fn exp_without_iat_prefers_expires_in() {
        let jwt = jwt_with_payload(r#"{"exp":1}"#);
        let t = Token::from_response(response(&jwt, Some(120.0)), Instant::now(), SystemTime::now());
        assert_eq!(t.lifetime, Some(Duration::from_secs(120)));
    }

    #[test]
    fn absurd_lifetimes_are_unknown_and_never_panic() {
        for expires_in in [0.0, 0.5, 1e20, f64::NAN, f64::INFINITY, -5.0] {
            let t = Token::from_response(response("x", Some(expires_in)), Instant::now(), SystemTime::now());
            assert_eq!(t.lifetime, None, "{expires_in}");
            assert_eq!(t.refresh_at(), None, "{expires_in}: no refresh loop");
        }
        let huge = jwt_with_payload(r#"{"iat":0,"exp":4611686018427387904}"#);
        let t = Token::from_response(response(&huge, None), Instant::now(), SystemTime::now());
        assert_eq!((t.lifetime, t.expires_wall()), (None, None));
        let same = jwt_with_payload(r#"{"iat":1000,"exp":1000}"#);
        let t = Token::from_response(response(&same, Some(0.0)), Instant::now(), SystemTime::now());
        assert!(matches!(t.source, ExpirySource::Unknown(_)), "{:?}", t.source);
    }

    #[test]
    fn refresh_margin_is_sixty_seconds_or_a_tenth() {
        assert_eq!(refresh_margin(Duration::from_secs(3600)), Duration::from_secs(60));
        assert_eq!(refresh_margin(Duration::from_secs(600)), Duration::from_secs(60));
        assert_eq!(refresh_margin(Duration::from_secs(90)), Duration::from_secs(9));
        assert_eq!(refresh_margin(Duration::from_secs(20)), Duration::from_secs(2));
    }

    #[test]
    fn refresh_at_is_before_expiry_but_not_immediate() {
        let start = Instant::now();
        let jwt = jwt_with_payload(r#"{"iat":1000,"exp":1020}"#);
        let t = Token::from_response(response(&jwt, None), start, SystemTime::now());
        assert_eq!(t.refresh_at(), Some(start + Duration::from_secs(18)));
        assert_eq!(t.expires_at(), Some(start + Duration::from_secs(20)));
        let short = Token::from_response(response("x", Some(1.05)), start, SystemTime::now());
        assert_eq!(short.refresh_at(), Some(start + MIN_REFRESH_WAIT));
    }
}
