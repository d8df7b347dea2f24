//! The worker against the embedded mock on 127.0.0.1:0: auth, queries, expiry, refresh,
//! re-authentication, refusals and dead servers. Real clocks, short lifetimes.

mod common;

use std::time::{Duration, Instant};

use common::{client_for, mock, wait_for};
use pairs_tui::cli::DEMO_KEY;
use pairs_tui::mock::{MockConfig, MockServer};
use pairs_tui::secret::Secret;
use pairs_tui::worker::{self, Command, Issue, WorkerEvent, WorkerHandle};

fn options() -> worker::Options {
    worker::Options::new(std::env::temp_dir().join("pairs-tui-worker-tests"))
}

fn start(server: &MockServer) -> WorkerHandle {
    worker::spawn(client_for(&server.auth_url(), &server.api_url(), Duration::from_secs(10)), options())
}

async fn authenticate(handle: &mut WorkerHandle, key: &str) {
    handle.commands.send(Command::Authenticate(Secret::new(key))).unwrap();
    wait_for(handle, |e| {
        matches!(e, WorkerEvent::TokenIssued { how: Issue::Authenticated, .. }).then_some(())
    })
    .await;
}

const POINT_QUERY: &str = r#"{
  "layers": [{"type": "raster", "id": "49423"}],
  "spatial": {"type": "point", "coordinates": [42.3601, -71.0589]},
  "temporal": {"intervals": [{"start": "2024-06-01T00:00:00Z", "end": "2024-06-02T00:00:00Z"}]}
}"#;

struct Finished {
    status: u16,
    body: serde_json::Value,
    text: String,
    retried: bool,
}

async fn query(handle: &mut WorkerHandle, id: u64, body: &str) -> (Finished, Vec<WorkerEvent>) {
    handle.commands.send(Command::SendQuery { id, body: body.into() }).unwrap();
    wait_for(handle, |e| match e {
        WorkerEvent::QueryFinished { id: got, reply, retried, .. } if *got == id => Some(Finished {
            status: reply.status,
            body: serde_json::from_slice(&reply.body).unwrap_or(serde_json::Value::Null),
            text: String::from_utf8_lossy(&reply.body).into_owned(),
            retried: *retried,
        }),
        WorkerEvent::QueryFailed { id: got, error, .. } if *got == id => panic!("query failed: {error}"),
        _ => None,
    })
    .await
}

#[tokio::test]
async fn authenticates_then_queries_point_data() {
    let server = mock(MockConfig::default()).await;
    let mut w = start(&server);
    authenticate(&mut w, " demo\n").await;
    let (answer, _) = query(&mut w, 1, POINT_QUERY).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    let rows = answer.body["data"].as_array().expect("data rows");
    assert!(!rows.is_empty());
    assert!(rows[0]["value"].is_string() || rows[0]["value"].is_number());
    assert!(!answer.retried);
    let stats = server.control().stats();
    assert_eq!(stats.auth_calls, 1);
    assert!(stats.last_query_authorization.unwrap().starts_with("Bearer ey"));
}

#[tokio::test]
async fn an_expired_token_is_refreshed_and_the_query_sent_once_more() {
    let server = mock(MockConfig::default()).await;
    let mut w = start(&server);
    authenticate(&mut w, DEMO_KEY).await;
    server.control().expire_access_tokens();
    let (answer, events) = query(&mut w, 7, POINT_QUERY).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert!(answer.retried);
    assert!(events.iter().any(|e| matches!(e, WorkerEvent::TokenIssued { how: Issue::Refreshed, .. })));
    let stats = server.control().stats();
    assert_eq!((stats.refresh_calls, stats.query_calls, stats.auth_calls), (1, 2, 1));
    assert!(!stats.last_refresh_had_authorization, "the refresh POST carries no Authorization header");
    let form = stats.last_refresh_form.expect("refresh form");
    let token = &form.iter().find(|(k, _)| k == "refresh_token").expect("refresh_token field").1;
    assert!(token.contains('+') || token.contains('/') || token.contains('='), "{token}");
    assert!(!token.contains(' '), "a raw + would have arrived as a space: {token}");
    assert!(form.contains(&("grant_type".into(), "refresh_token".into())));
    assert!(form.contains(&("client_id".into(), "ibm-pairs".into())));
}

#[tokio::test]
async fn a_refused_refresh_token_leads_to_signing_in_again_with_the_key() {
    let server = mock(MockConfig::default()).await;
    let mut w = start(&server);
    authenticate(&mut w, DEMO_KEY).await;
    server.control().revoke_refresh_tokens();
    server.control().expire_access_tokens();
    let (answer, events) = query(&mut w, 1, POINT_QUERY).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert!(answer.retried);
    assert!(events.iter().any(|e| matches!(e, WorkerEvent::TokenIssued { how: Issue::Reauthenticated, .. })));
    assert!(!events.iter().any(|e| matches!(e, WorkerEvent::AuthFailed { .. })), "{events:#?}");
    let stats = server.control().stats();
    assert_eq!((stats.refresh_calls, stats.auth_calls), (1, 2));
}

#[tokio::test]
async fn a_wrong_key_gives_a_clear_error_without_the_key() {
    let server = mock(MockConfig::default()).await;
    let mut w = start(&server);
    w.commands.send(Command::Authenticate(Secret::new("not-the-right-key-5678"))).unwrap();
    let (reason, _) = wait_for(&mut w, |e| {
        if let WorkerEvent::AuthFailed { reason } = e { Some(reason.clone()) } else { None }
    })
    .await;
    assert!(reason.contains("rejected the API key (HTTP 400 invalid_client"), "{reason}");
    assert!(!reason.contains("right-key"), "{reason}");
}

#[tokio::test]
async fn an_error_in_a_200_token_answer_is_a_failure() {
    let server = mock(MockConfig::default()).await;
    server.control().fail_next("/auth/GetBearerForClient", 200, r#"{"error":"invalid_client"}"#);
    let mut w = start(&server);
    w.commands.send(Command::Authenticate(Secret::new(DEMO_KEY))).unwrap();
    let (reason, _) = wait_for(&mut w, |e| {
        if let WorkerEvent::AuthFailed { reason } = e { Some(reason.clone()) } else { None }
    })
    .await;
    assert!(reason.contains("HTTP 200 invalid_client"), "{reason}");
}

#[tokio::test]
async fn a_dead_server_gives_a_clear_error_and_no_hang() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{port}");
    let mut w = worker::spawn(client_for(&url, &format!("{url}/v2"), Duration::from_secs(5)), options());
    let started = Instant::now();
    w.commands.send(Command::Authenticate(Secret::new(DEMO_KEY))).unwrap();
    let (reason, _) = wait_for(&mut w, |e| {
        if let WorkerEvent::AuthFailed { reason } = e { Some(reason.clone()) } else { None }
    })
    .await;
    assert!(reason.contains(&format!("could not connect to 127.0.0.1:{port}")), "{reason}");
    assert!(started.elapsed() < Duration::from_secs(5));
    w.commands.send(Command::SendQuery { id: 3, body: POINT_QUERY.into() }).unwrap();
    let (error, _) = wait_for(&mut w, |e| {
        if let WorkerEvent::QueryFailed { error, .. } = e { Some(error.clone()) } else { None }
    })
    .await;
    assert!(error.contains("could not connect"), "{error}");
}

/// A server that accepts connections and never answers.
async fn silent_server() -> (String, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            open.push(socket);
        }
    });
    (url, task)
}

#[tokio::test]
async fn a_silent_server_times_out_with_a_clear_error() {
    let (url, _task) = silent_server().await;
    let mut w = worker::spawn(client_for(&url, &url, Duration::from_secs(1)), options());
    w.commands.send(Command::Authenticate(Secret::new(DEMO_KEY))).unwrap();
    let (reason, _) = wait_for(&mut w, |e| {
        if let WorkerEvent::AuthFailed { reason } = e { Some(reason.clone()) } else { None }
    })
    .await;
    assert!(reason.contains("did not answer within 1s"), "{reason}");
}

#[tokio::test]
async fn a_running_query_can_be_cancelled() {
    let server = mock(MockConfig::default()).await;
    let (silent, _task) = silent_server().await;
    let mut w = worker::spawn(client_for(&server.auth_url(), &silent, Duration::from_secs(30)), options());
    authenticate(&mut w, DEMO_KEY).await;
    w.commands.send(Command::SendQuery { id: 5, body: POINT_QUERY.into() }).unwrap();
    wait_for(&mut w, |e| matches!(e, WorkerEvent::QueryStarted { id: 5 }).then_some(())).await;
    w.commands.send(Command::Cancel).unwrap();
    wait_for(&mut w, |e| matches!(e, WorkerEvent::QueryCancelled { id: 5 }).then_some(())).await;
}

#[tokio::test]
async fn the_token_is_refreshed_on_its_own_before_expiry_and_not_in_a_loop() {
    let server = mock(MockConfig { token_ttl: Duration::from_secs(3), ..MockConfig::default() }).await;
    let mut w = start(&server);
    authenticate(&mut w, DEMO_KEY).await;
    let issued = Instant::now();
    let refreshed = async |w: &mut WorkerHandle| {
        wait_for(w, |e| matches!(e, WorkerEvent::TokenIssued { how: Issue::Refreshed, .. }).then_some(()))
            .await;
        Instant::now()
    };
    let first = refreshed(&mut w).await - issued;
    // A 3 s token is refreshed 0.3 s before it expires: not at once, not after it died
    // (with some slack for a loaded machine).
    assert!(first >= Duration::from_millis(2400) && first < Duration::from_millis(3500), "{first:?}");
    assert_eq!(server.control().stats().refresh_calls, 1);
    let second = refreshed(&mut w).await - issued;
    assert!(second - first >= Duration::from_millis(2400), "the second refresh waits a lifetime: {second:?}");
    assert_eq!(server.control().stats().refresh_calls, 2);
}

#[tokio::test]
async fn clock_skew_does_not_change_the_countdown() {
    for skew in [600, -600] {
        let server = mock(MockConfig { clock_skew: skew, ..MockConfig::default() }).await;
        let mut w = start(&server);
        w.commands.send(Command::Authenticate(Secret::new(DEMO_KEY))).unwrap();
        let (info, _) = wait_for(&mut w, |e| match e {
            WorkerEvent::TokenIssued { info, .. } => Some(info.clone()),
            _ => None,
        })
        .await;
        assert_eq!(info.lifetime, Some(Duration::from_secs(3600)), "skew {skew}");
        let left = info.expires_at.unwrap().saturating_duration_since(Instant::now());
        assert!(left > Duration::from_secs(3590), "skew {skew}: {left:?}");
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(server.control().stats().refresh_calls, 0, "skew {skew}: no refresh storm");
    }
}

#[tokio::test]
async fn concurrent_triggers_share_one_refresh() {
    let server = mock(MockConfig::default()).await;
    let mut w = start(&server);
    authenticate(&mut w, DEMO_KEY).await;
    server.control().expire_access_tokens();
    w.commands.send(Command::Refresh).unwrap();
    let (answer, _) = query(&mut w, 1, POINT_QUERY).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert_eq!(server.control().stats().refresh_calls, 1);
}

#[tokio::test]
async fn an_empty_500_triggers_no_refresh_and_no_reauth() {
    let server = mock(MockConfig::default()).await;
    let mut w = start(&server);
    authenticate(&mut w, DEMO_KEY).await;
    server.control().fail_next("/v2/query", 500, "{}");
    let (answer, events) = query(&mut w, 1, POINT_QUERY).await;
    assert_eq!((answer.status, answer.text.as_str(), answer.retried), (500, "{}", false));
    assert!(!events.iter().any(|e| matches!(e, WorkerEvent::Refreshing | WorkerEvent::Authenticating)));
    let stats = server.control().stats();
    assert_eq!((stats.refresh_calls, stats.auth_calls, stats.query_calls), (0, 1, 1));
}

#[tokio::test]
async fn a_422_text_body_arrives_as_it_came() {
    let server = mock(MockConfig::default()).await;
    let mut w = start(&server);
    authenticate(&mut w, DEMO_KEY).await;
    server.control().fail_next("/v2/query", 422, "Point query too large\tfor interactive mode");
    let (answer, _) = query(&mut w, 1, POINT_QUERY).await;
    assert_eq!(answer.status, 422);
    assert_eq!(answer.text, "Point query too large\tfor interactive mode");
}

#[tokio::test]
async fn a_malformed_query_gets_the_servers_message() {
    let server = mock(MockConfig::default()).await;
    let mut w = start(&server);
    authenticate(&mut w, DEMO_KEY).await;
    let (answer, _) = query(&mut w, 1, r#"{"layers": []}"#).await;
    assert_eq!(answer.status, 400);
    assert!(answer.body["message"].as_str().is_some_and(|m| !m.is_empty()), "{}", answer.text);
}

#[tokio::test]
async fn a_query_without_a_key_says_so() {
    let server = mock(MockConfig::default()).await;
    let mut w = start(&server);
    w.commands.send(Command::SendQuery { id: 1, body: POINT_QUERY.into() }).unwrap();
    let (error, _) = wait_for(&mut w, |e| {
        if let WorkerEvent::QueryFailed { error, .. } = e { Some(error.clone()) } else { None }
    })
    .await;
    assert!(error.contains("no API key"), "{error}");
}

/// A server that reads a request and hangs up without answering.
async fn hanging_up_server() -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tokio::io::AsyncReadExt;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let requests = std::sync::Arc::new(AtomicUsize::new(0));
    let counter = requests.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut request = vec![0u8; 65536];
            if socket.read(&mut request).await.is_ok_and(|n| n > 0) {
                counter.fetch_add(1, Ordering::SeqCst);
            }
            drop(socket);
        }
    });
    (url, requests)
}

#[tokio::test]
async fn a_connection_dropped_after_sending_is_reported_and_not_resent() {
    let server = mock(MockConfig::default()).await;
    let (api, requests) = hanging_up_server().await;
    let mut w = worker::spawn(client_for(&server.auth_url(), &api, Duration::from_secs(5)), options());
    authenticate(&mut w, DEMO_KEY).await;
    w.commands.send(Command::SendQuery { id: 9, body: POINT_QUERY.into() }).unwrap();
    let ((error, maybe_sent), events) = wait_for(&mut w, |e| match e {
        WorkerEvent::QueryFailed { error, maybe_sent, .. } => Some((error.clone(), *maybe_sent)),
        _ => None,
    })
    .await;
    assert!(maybe_sent, "{error}");
    assert!(!events.iter().any(|e| matches!(e, WorkerEvent::QueryFinished { .. })));
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(requests.load(std::sync::atomic::Ordering::SeqCst), 1, "the query was not sent again");
}

#[tokio::test]
async fn a_refused_connection_is_known_not_to_have_sent_the_query() {
    let server = mock(MockConfig::default()).await;
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let api = format!("http://127.0.0.1:{port}/v2");
    let mut w = worker::spawn(client_for(&server.auth_url(), &api, Duration::from_secs(5)), options());
    authenticate(&mut w, DEMO_KEY).await;
    w.commands.send(Command::SendQuery { id: 1, body: POINT_QUERY.into() }).unwrap();
    let (maybe_sent, _) = wait_for(&mut w, |e| match e {
        WorkerEvent::QueryFailed { maybe_sent, .. } => Some(*maybe_sent),
        _ => None,
    })
    .await;
    assert!(!maybe_sent);
}

async fn auth_failure(server: &MockServer, auth_url: &str, key: &str) -> String {
    let mut w = worker::spawn(client_for(auth_url, &server.api_url(), Duration::from_secs(5)), options());
    w.commands.send(Command::Authenticate(Secret::new(key))).unwrap();
    wait_for(&mut w, |e| if let WorkerEvent::AuthFailed { reason } = e { Some(reason.clone()) } else { None })
        .await
        .0
}

#[tokio::test]
async fn a_key_echoed_by_the_auth_server_is_masked() {
    let server = mock(MockConfig::default()).await;
    let key = "SECRETKEY1234567890abcdefXYZ";
    server.control().fail_next(
        "/auth/GetBearerForClient",
        401,
        &format!(r#"{{"error":"unknown key {key}"}}"#),
    );
    let reason = auth_failure(&server, &server.auth_url(), key).await;
    assert!(!reason.contains(key), "{reason}");
    assert!(reason.contains("unknown key") && reason.contains("fXYZ"), "{reason}");
}

#[tokio::test]
async fn an_empty_access_token_is_a_failed_sign_in() {
    let server = mock(MockConfig::default()).await;
    server.control().fail_next("/auth/GetBearerForClient", 200, r#"{"access_token":"","expires_in":3600}"#);
    let reason = auth_failure(&server, &server.auth_url(), "demo").await;
    assert!(reason.contains("empty access_token"), "{reason}");
}

#[tokio::test]
async fn a_wrong_auth_url_is_named_as_such() {
    let server = mock(MockConfig::default()).await;
    let reason = auth_failure(&server, &format!("{}/typo", server.auth_url()), "demo").await;
    assert!(reason.contains("HTTP 404") && reason.contains("--auth-url"), "{reason}");
    assert!(!reason.contains("rejected the API key"), "{reason}");
}

#[tokio::test]
async fn a_job_id_that_is_a_path_is_refused_before_any_request() {
    let server = mock(MockConfig::default()).await;
    let mut w = start(&server);
    authenticate(&mut w, DEMO_KEY).await;
    for id in ["./../../escape", "../x", "/tmp/abs"] {
        w.commands.send(Command::FollowJob(id.into())).unwrap();
        let (error, _) = wait_for(&mut w, |e| match e {
            WorkerEvent::JobEnded { error, .. } => Some(error.clone()),
            _ => None,
        })
        .await;
        assert!(error.contains("not a job id"), "{id}: {error}");
    }
    assert_eq!(server.control().stats().status_calls, 0);
}
