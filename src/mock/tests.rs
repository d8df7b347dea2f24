//! Tests of the mock over real HTTP on loopback.

use std::io::Read;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use super::{MockConfig, MockServer};

fn fast() -> MockConfig {
    MockConfig {
        job_phase: Duration::from_millis(40),
        download_size: 256 * 1024,
        ..MockConfig::default()
    }
}

async fn start(config: MockConfig) -> MockServer {
    MockServer::start("127.0.0.1:0".parse().expect("loopback address"), config)
        .await
        .expect("mock server starts")
}

fn client() -> reqwest::Client {
    reqwest::Client::new()
}

async fn login(server: &MockServer) -> Value {
    let response = client()
        .post(format!("{}/auth/GetBearerForClient", server.auth_url()))
        .json(&json!({ "apiKey": "demo", "clientId": "ibm-pairs" }))
        .send()
        .await
        .expect("auth request");
    assert_eq!(response.status(), 200);
    response.json().await.expect("auth json")
}

async fn token(server: &MockServer) -> String {
    login(server).await["access_token"]
        .as_str()
        .expect("access_token")
        .to_owned()
}

fn claims(jwt: &str) -> Value {
    let payload = jwt.split('.').nth(1).expect("payload part");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).expect("base64url")).expect("json")
}

async fn get(server: &MockServer, token: &str, path: &str) -> (u16, Value) {
    let response = client()
        .get(format!("{}{path}", server.api_url()))
        .bearer_auth(token)
        .send()
        .await
        .expect("GET");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn post_query(server: &MockServer, token: &str, query: &Value) -> (u16, Value) {
    let response = client()
        .post(format!("{}/query", server.api_url()))
        .bearer_auth(token)
        .json(query)
        .send()
        .await
        .expect("POST /query");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn refresh(server: &MockServer, refresh_token: &str) -> (u16, Value) {
    let response = client()
        .post(format!("{}/connect/token", server.auth_url()))
        .form(&[
            ("grant_type", "refresh_token"),
            ("client_id", "ibm-pairs"),
            ("refresh_token", refresh_token),
        ])
        .send()
        .await
        .expect("refresh");
    let status = response.status().as_u16();
    (status, response.json().await.expect("refresh json"))
}

/// Polls a job until it reaches a terminal code, returning every code seen.
async fn wait_for_job(server: &MockServer, token: &str, id: &str) -> (Vec<u64>, Value) {
    let mut seen = Vec::new();
    for _ in 0..200 {
        let (status, body) = get(server, token, &format!("/queryjobs/{id}")).await;
        assert_eq!(status, 200, "{body}");
        let code = body["statusCode"].as_u64().expect("statusCode");
        if seen.last() != Some(&code) {
            seen.push(code);
        }
        if code >= 20 {
            return (seen, body);
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("job {id} did not finish; saw {seen:?}");
}

fn is_job_id(id: &str) -> bool {
    let (secs, counter) = id.split_once('_').unwrap_or_default();
    secs.len() == 10
        && counter.len() == 8
        && secs
            .bytes()
            .chain(counter.bytes())
            .all(|b| b.is_ascii_digit())
}

fn square_query(name: &str) -> Value {
    json!({
        "name": name,
        "layers": [
            {"type": "raster", "id": "49464", "alias": "ndvi"},
            {"type": "raster", "id": "140"}
        ],
        "spatial": {"type": "square", "coordinates": [41.20, -73.85, 41.25, -73.75]},
        "temporal": {"intervals": [{"snapshot": "2024-07-01T00:00:00Z"}]}
    })
}

fn point_query() -> Value {
    json!({
        "name": "tui-point-demo",
        "layers": [
            {"type": "raster", "id": "49423"},
            {"type": "raster", "id": "91", "aggregation": "Mean",
             "temporal": {"intervals": [{"start": "2024-05-01T00:00:00Z", "end": "2024-05-31T00:00:00Z"}]}}
        ],
        "spatial": {"type": "point", "coordinates": [42.3601, -71.0589, 40.7128, -74.0060]},
        "temporal": {"intervals": [{"start": "2024-06-01T00:00:00Z", "end": "2024-06-02T00:00:00Z"}]},
        "outputType": "json"
    })
}

#[tokio::test]
async fn auth_accepts_the_demo_key_and_refuses_others() {
    let server = start(MockConfig::default()).await;
    let body = login(&server).await;
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);
    assert_eq!(
        body["scope"],
        "custom.profile email ibm-pairs-api offline_access openid phoenix-api profile"
    );
    assert!(
        body["refresh_token"]
            .as_str()
            .is_some_and(|t| !t.is_empty())
    );

    let attempt = |path: &'static str, body: String| {
        let url = format!("{}{path}", server.auth_url());
        async move {
            let response = client()
                .post(url)
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .expect("auth request");
            let status = response.status().as_u16();
            (status, response.json::<Value>().await.expect("json"))
        }
    };
    let (status, body) = attempt(
        "/auth/GetBearerForClient",
        json!({"apiKey": "wrong", "clientId": "ibm-pairs"}).to_string(),
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_client"))
    );
    let (status, body) = attempt(
        "/auth/GetBearerForClient",
        json!({"apiKey": "demo", "clientId": "someone-else"}).to_string(),
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_client"))
    );
    let (status, body) = attempt("/auth/GetBearerForClient", "{not json".to_owned()).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_request"))
    );
    let (status, body) = attempt(
        "/Auth/GetBearerForClient",
        json!({"apiKey": "demo", "clientId": "ibm-pairs"}).to_string(),
    )
    .await;
    assert_eq!(status, 200, "the SDK's capitalised path works too: {body}");
    assert_eq!(server.control().stats().auth_calls, 5);
}

#[tokio::test]
async fn access_tokens_are_hs256_jwts_with_the_configured_lifetime() {
    let server = start(MockConfig {
        token_ttl: Duration::from_secs(123),
        ..MockConfig::default()
    })
    .await;
    let body = login(&server).await;
    assert_eq!(body["expires_in"], 123);
    let jwt = body["access_token"].as_str().expect("token");
    let parts: Vec<&str> = jwt.split('.').collect();
    assert_eq!(parts.len(), 3);
    let header: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).expect("b64")).expect("json");
    assert_eq!(header["alg"], "HS256");
    let c = claims(jwt);
    for claim in ["iss", "sub", "client_id", "scope", "jti"] {
        assert!(c[claim].is_string(), "claim {claim} in {c}");
    }
    assert_eq!(c["client_id"], "ibm-pairs");
    assert_eq!(
        c["exp"].as_i64().expect("exp") - c["iat"].as_i64().expect("iat"),
        123
    );
    let other = token(&server).await;
    assert_ne!(claims(&other)["jti"], c["jti"]);

    server.control().set_token_ttl(Duration::from_secs(7));
    let c = claims(&token(&server).await);
    assert_eq!(
        c["exp"].as_i64().expect("exp") - c["iat"].as_i64().expect("iat"),
        7
    );
}

#[tokio::test]
async fn clock_skew_shifts_iat_and_exp() {
    for skew in [600, -600] {
        let server = start(MockConfig {
            clock_skew: skew,
            ..MockConfig::default()
        })
        .await;
        let c = claims(&token(&server).await);
        let now = chrono::Utc::now().timestamp();
        let iat = c["iat"].as_i64().expect("iat");
        assert!(
            (iat - (now + skew)).abs() <= 5,
            "iat {iat}, now {now}, skew {skew}"
        );
        // The token is still valid: the server judges it by its own skewed clock.
        let (status, _) = get(&server, &token(&server).await, "/datalayers/140").await;
        assert_eq!(status, 200);
    }
}

#[tokio::test]
async fn refresh_tokens_rotate_and_cannot_be_reused() {
    let server = start(MockConfig::default()).await;
    let first = login(&server).await;
    let old = first["refresh_token"].as_str().expect("refresh token");
    assert!(old.contains('+') && old.contains('/') && old.contains('='));

    let (status, second) = refresh(&server, old).await;
    assert_eq!(status, 200, "{second}");
    assert_ne!(second["refresh_token"], first["refresh_token"]);
    assert_ne!(second["access_token"], first["access_token"]);
    assert_eq!(second["token_type"], "Bearer");
    let stats = server.control().stats();
    assert!(!stats.last_refresh_had_authorization);
    let form = stats.last_refresh_form.expect("form recorded");
    assert!(form.contains(&("refresh_token".to_owned(), old.to_owned())));

    let (status, body) = refresh(&server, old).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );

    let newer = second["refresh_token"].as_str().expect("refresh token");
    let (status, third) = refresh(&server, newer).await;
    assert_eq!(status, 200);
    let (status, _) = get(
        &server,
        third["access_token"].as_str().expect("token"),
        "/datalayers/91",
    )
    .await;
    assert_eq!(status, 200);

    server.control().revoke_refresh_tokens();
    let latest = third["refresh_token"].as_str().expect("refresh token");
    let (status, body) = refresh(&server, latest).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    assert_eq!(server.control().stats().refresh_calls, 4);
}

#[tokio::test]
async fn refresh_checks_grant_type_and_client() {
    let server = start(MockConfig::default()).await;
    let post = |form: Vec<(&'static str, &'static str)>| {
        let url = format!("{}/connect/token", server.auth_url());
        async move {
            let response = client().post(url).form(&form).send().await.expect("post");
            let status = response.status().as_u16();
            (status, response.json::<Value>().await.expect("json"))
        }
    };
    let (status, body) = post(vec![("grant_type", "password"), ("client_id", "ibm-pairs")]).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("unsupported_grant_type"))
    );
    let (status, body) = post(vec![
        ("grant_type", "refresh_token"),
        ("client_id", "other"),
        ("refresh_token", "x"),
    ])
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_client"))
    );
    let (status, body) = post(vec![
        ("grant_type", "apikey"),
        ("client_id", "ibm-pairs"),
        ("apikey", "demo"),
    ])
    .await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn an_unencoded_refresh_token_is_rejected() {
    let server = start(MockConfig::default()).await;
    let body = login(&server).await;
    let raw = body["refresh_token"].as_str().expect("refresh token");
    let response = client()
        .post(format!("{}/connect/token", server.auth_url()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "grant_type=refresh_token&client_id=ibm-pairs&refresh_token={raw}"
        ))
        .send()
        .await
        .expect("refresh");
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["error"], "invalid_grant");
    let form = server.control().stats().last_refresh_form.expect("form");
    let seen = &form
        .iter()
        .find(|(k, _)| k == "refresh_token")
        .expect("field")
        .1;
    assert!(
        seen.contains(' ') && !seen.contains('+'),
        "a raw + decodes as a space: {seen}"
    );
}

#[tokio::test]
async fn expired_tokens_get_the_exact_403_body() {
    let server = start(MockConfig {
        token_ttl: Duration::ZERO,
        ..MockConfig::default()
    })
    .await;
    let jwt = token(&server).await;
    let response = client()
        .get(format!("{}/datalayers/full", server.api_url()))
        .bearer_auth(&jwt)
        .send()
        .await
        .expect("GET");
    assert_eq!(response.status(), 403);
    let body = response.text().await.expect("text");
    assert!(
        body.starts_with(r#"{"error":"jwt signature verification failed: 'exp' claim expired at "#),
        "{body}"
    );
    assert!(body.ends_with(r#" GMT"}"#), "{body}");
    let exp = claims(&jwt)["exp"].as_i64().expect("exp");
    let date = chrono::DateTime::from_timestamp(exp, 0).expect("date");
    assert!(
        body.contains(&date.format("%-d %b %Y %H:%M:%S").to_string()),
        "{body}"
    );
}

#[tokio::test]
async fn expire_access_tokens_forces_the_403_for_existing_tokens_only() {
    let server = start(MockConfig::default()).await;
    let old = token(&server).await;
    assert_eq!(get(&server, &old, "/datalayers/49423").await.0, 200);
    server.control().expire_access_tokens();
    let (status, body) = get(&server, &old, "/datalayers/49423").await;
    assert_eq!(status, 403);
    assert!(
        body["error"]
            .as_str()
            .is_some_and(|e| e.contains("'exp' claim expired at"))
    );
    let fresh = token(&server).await;
    assert_eq!(get(&server, &fresh, "/datalayers/49423").await.0, 200);
}

#[tokio::test]
async fn the_api_requires_a_valid_bearer_token() {
    let server = start(MockConfig::default()).await;
    let response = client()
        .get(format!("{}/datalayers/full", server.api_url()))
        .send()
        .await
        .expect("GET");
    assert_eq!(response.status(), 401);
    let body: Value = response.json().await.expect("json");
    assert!(body["error"].is_string());

    let jwt = token(&server).await;
    let other = start(MockConfig::default()).await;
    let (status, body) = get(&other, &jwt, "/datalayers/full").await;
    assert_eq!(status, 401, "another server's signature is refused: {body}");
    assert_eq!(get(&server, "garbage", "/datalayers/full").await.0, 401);
}

#[tokio::test]
async fn point_queries_return_rows_that_depend_on_place_and_time() {
    let server = start(MockConfig::default()).await;
    let jwt = token(&server).await;
    let (status, body) = post_query(&server, &jwt, &point_query()).await;
    assert_eq!(status, 200, "{body}");
    let rows = body["data"].as_array().expect("data rows");
    // 49423: 2 points × 2 days; 91 aggregated: one row per point.
    assert_eq!(rows.len(), 6);
    let era5: Vec<&Value> = rows.iter().filter(|r| r["layerId"] == "49423").collect();
    assert_eq!(era5.len(), 4);
    for row in &era5 {
        assert_eq!(row["layerName"], "2m temperature");
        assert_eq!(row["unit"], "K");
        assert!(row["timestamp"].is_i64());
        let value: f64 = row["value"]
            .as_str()
            .expect("value string")
            .parse()
            .expect("number");
        assert!((230.0..330.0).contains(&value), "{value}");
    }
    assert_eq!(era5[0]["timestamp"], 1_717_200_000_000_i64);
    let boston = era5
        .iter()
        .find(|r| r["latitude"] == 42.3601)
        .expect("boston");
    let new_york = era5
        .iter()
        .find(|r| r["latitude"] == 40.7128)
        .expect("new york");
    assert_ne!(boston["value"], new_york["value"]);

    let mean: Vec<&Value> = rows.iter().filter(|r| r["layerId"] == "91").collect();
    assert_eq!(mean.len(), 2);
    assert!(mean[0].get("timestamp").is_none());
    assert_eq!(mean[0]["aggregation"], "Mean");
    assert!(mean[0]["alias"].is_string());

    let stats = server.control().stats();
    assert_eq!(stats.query_calls, 1);
    assert_eq!(
        stats.last_query_authorization,
        Some(format!("Bearer {jwt}"))
    );

    let mut moved = point_query();
    moved["spatial"]["coordinates"] = json!([10.0, 20.0]);
    let (_, other) = post_query(&server, &jwt, &moved).await;
    assert_ne!(other["data"][0]["value"], rows[0]["value"]);
    let (_, again) = post_query(&server, &jwt, &point_query()).await;
    assert_eq!(again, body, "values are deterministic");
}

#[tokio::test]
async fn invalid_queries_get_400_with_a_message() {
    let server = start(MockConfig::default()).await;
    let jwt = token(&server).await;
    let response = client()
        .post(format!("{}/query", server.api_url()))
        .bearer_auth(&jwt)
        .header("content-type", "application/json")
        .body("{\"layers\": [\n  {\"id\": 49423,}\n]}")
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.expect("json");
    let text = body["message"].as_str().expect("message");
    assert!(text.contains("line 2"), "{text}");

    let mut missing = point_query();
    missing.as_object_mut().expect("object").remove("temporal");
    let (status, body) = post_query(&server, &jwt, &missing).await;
    assert_eq!(status, 400);
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.contains("temporal"))
    );

    let mut bad = point_query();
    bad["spatial"]["coordinates"] = json!([95.0, 10.0]);
    let (status, body) = post_query(&server, &jwt, &bad).await;
    assert_eq!(status, 400, "{body}");
    assert!(body["message"].is_string());

    let mut bad = square_query("x");
    bad["spatial"]["coordinates"] = json!([41.3, -73.85, 41.25, -73.75]);
    assert_eq!(post_query(&server, &jwt, &bad).await.0, 400);
}

#[tokio::test]
async fn dry_runs_estimate_usage_from_area_days_and_layers() {
    let server = start(MockConfig::default()).await;
    let jwt = token(&server).await;
    let mut small = square_query("estimate");
    small["dryRun"] = json!(true);
    let (status, body) = post_query(&server, &jwt, &small).await;
    assert_eq!(status, 200, "{body}");
    let info = &body["info"];
    for key in [
        "usage",
        "maxUsage",
        "size",
        "maxSize",
        "count",
        "interactiveMaxCount",
        "maxCount",
    ] {
        assert!(info[key].is_u64(), "{key} in {info}");
    }
    assert_eq!(info["usageUnit"], "bytes");
    let mut big = small.clone();
    big["spatial"]["coordinates"] = json!([41.0, -74.0, 42.0, -73.0]);
    let (_, bigger) = post_query(&server, &jwt, &big).await;
    assert!(bigger["info"]["usage"].as_u64() > info["usage"].as_u64());
    assert_eq!(server.control().stats().status_calls, 0);
}

#[tokio::test]
async fn square_queries_become_jobs_that_finish_with_a_zip() {
    let server = start(fast()).await;
    let jwt = token(&server).await;
    let (status, body) = post_query(&server, &jwt, &square_query("ndvi-box")).await;
    assert_eq!(status, 200, "{body}");
    let id = body["id"].as_str().expect("job id").to_owned();
    assert!(is_job_id(&id), "{id}");

    let response = client()
        .get(format!("{}/queryjobs/{id}/download", server.api_url()))
        .bearer_auth(&jwt)
        .send()
        .await
        .expect("early download");
    assert_eq!(response.status(), 409, "not ready yet");

    let (seen, status) = wait_for_job(&server, &jwt, &id).await;
    assert_eq!(seen.first(), Some(&0));
    assert_eq!(seen.last(), Some(&20));
    assert!(seen.contains(&10), "{seen:?}");
    assert_eq!(status["ready"], true);
    assert_eq!(status["status"], "Succeeded");
    assert_eq!(status["nickname"], "ndvi-box");
    assert_eq!(status["exPercent"], 100.0);

    let response = client()
        .get(format!("{}/queryjobs/{id}/download", server.api_url()))
        .bearer_auth(&jwt)
        .send()
        .await
        .expect("download");
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/zip");
    let length: usize = response.headers()["content-length"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("number");
    let bytes = response.bytes().await.expect("body");
    assert_eq!(bytes.len(), length);
    assert!(bytes.starts_with(b"PK\x03\x04"));
    let size = fast().download_size;
    assert!(
        bytes.len() >= size && bytes.len() < size + 16 * 1024,
        "{}",
        bytes.len()
    );

    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).expect("zip");
    let names: Vec<String> = archive
        .file_names()
        .map(|n| n.expect("utf-8 name").into_owned())
        .collect();
    assert!(names.contains(&"output.info".to_owned()), "{names:?}");
    assert!(names.contains(&"data_acknowledgement.txt".to_owned()));
    let ndvi =
        "Sentinel 2 (ESA)-Normalized difference vegetation index[ndvi]-07_01_2024T00_00_00.tiff";
    assert!(names.contains(&ndvi.to_owned()), "{names:?}");
    assert!(names.contains(&format!("{ndvi}.json")));
    assert_eq!(names.iter().filter(|n| n.ends_with(".tiff")).count(), 2);

    let mut tiff = Vec::new();
    archive
        .by_name(ndvi)
        .expect("tiff")
        .read_to_end(&mut tiff)
        .expect("read");
    assert!(tiff.starts_with(b"II*\0"));
    let mut sidecar = String::new();
    archive
        .by_name(&format!("{ndvi}.json"))
        .expect("sidecar")
        .read_to_string(&mut sidecar)
        .expect("read");
    let sidecar: Value = serde_json::from_str(&sidecar).expect("json");
    assert_eq!(sidecar["pixelNoDataVal"], -9999.0);
    assert_eq!(sidecar["boundingBox"]["minLatitude"], 41.2);
    let (w, h) = (
        sidecar["pixelDimensions"]["numberPixelsLongitude"]
            .as_u64()
            .expect("w"),
        sidecar["pixelDimensions"]["numberPixelsLatitude"]
            .as_u64()
            .expect("h"),
    );
    assert!(tiff.len() as u64 >= w * h * 4);
    let stats = &sidecar["rasterStatistics"];
    assert!(stats["pixelMin"].as_f64() < stats["pixelMax"].as_f64());
    let mut info = String::new();
    archive
        .by_name("output.info")
        .expect("output.info")
        .read_to_string(&mut info)
        .expect("read");
    let info: Value = serde_json::from_str(&info).expect("json");
    assert_eq!(info["files"][0]["name"], ndvi);
    assert_eq!(info["files"][0]["datalayerId"], "49464");
    assert_eq!(info["files"][0]["layerType"], "raster");

    let stats = server.control().stats();
    assert_eq!(stats.download_calls, 2);
    assert!(stats.status_calls >= 3);
}

#[tokio::test]
async fn jobs_named_fail_end_in_status_40_with_a_message() {
    let server = start(fast()).await;
    let jwt = token(&server).await;
    let (_, body) = post_query(&server, &jwt, &square_query("please-fail")).await;
    let id = body["id"].as_str().expect("id").to_owned();
    let (seen, status) = wait_for_job(&server, &jwt, &id).await;
    assert_eq!(seen.last(), Some(&40));
    assert_eq!(status["status"], "Failed");
    assert_eq!(status["ready"], false);
    assert!(
        status["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("Processing failed: layer 49464"))
    );
    let (code, body) = get(&server, &jwt, &format!("/queryjobs/{id}/download")).await;
    assert_eq!(code, 404);
    assert!(body["message"].is_string());
}

#[tokio::test]
async fn unknown_jobs_are_404() {
    let server = start(fast()).await;
    let jwt = token(&server).await;
    let (status, body) = get(&server, &jwt, "/queryjobs/1544202000_23976938").await;
    assert_eq!(
        (status, body),
        (404, json!({"message": "Error: 404 Not Found."}))
    );
    let (status, _) = get(&server, &jwt, "/queryjobs/nope/download").await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn batch_point_jobs_download_json_rows() {
    let server = start(fast()).await;
    let jwt = token(&server).await;
    let mut query = point_query();
    query["batch"] = json!("True");
    let (_, body) = post_query(&server, &jwt, &query).await;
    let id = body["id"].as_str().expect("id").to_owned();
    wait_for_job(&server, &jwt, &id).await;
    let (status, body) = get(&server, &jwt, &format!("/queryjobs/{id}/download")).await;
    assert_eq!(status, 200);
    assert_eq!(body["data"].as_array().map(Vec::len), Some(6));
}

#[tokio::test]
async fn the_job_list_is_newest_first_and_includes_history() {
    let server = start(fast()).await;
    let jwt = token(&server).await;
    let (status, list) = get(&server, &jwt, "/queryjobs/list?flag=false&page=1&size=50").await;
    assert_eq!(status, 200);
    let jobs = list["queryJobList"].as_array().expect("list");
    assert_eq!(list["totPages"], 1);
    let codes: Vec<u64> = jobs
        .iter()
        .filter_map(|j| j["statusCode"].as_u64())
        .collect();
    assert!(codes.contains(&20) && codes.contains(&40), "{codes:?}");

    let (_, body) = post_query(&server, &jwt, &square_query("newest")).await;
    let (_, list) = get(&server, &jwt, "/queryjobs/list").await;
    assert_eq!(list["queryJobList"][0]["id"], body["id"]);
    let starts: Vec<i64> = list["queryJobList"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|j| j["start"].as_i64())
        .collect();
    assert!(starts.windows(2).all(|w| w[0] >= w[1]), "{starts:?}");

    let (_, favourites) = get(&server, &jwt, "/queryjobs/list?flag=true").await;
    let favourites = favourites["queryJobList"].as_array().expect("list");
    assert!(!favourites.is_empty() && favourites.iter().all(|j| j["flag"] == true));

    let (_, paged) = get(&server, &jwt, "/queryjobs/list?page=2&size=1").await;
    assert_eq!(paged["totPages"], 4);
    assert_eq!(paged["queryJobList"].as_array().map(Vec::len), Some(1));

    let done = jobs
        .iter()
        .find(|j| j["statusCode"] == 20)
        .expect("seeded success");
    let id = done["id"].as_str().expect("id");
    assert!(is_job_id(id));
    let response = client()
        .get(format!("{}/queryjobs/{id}/download", server.api_url()))
        .bearer_auth(&jwt)
        .send()
        .await
        .expect("download");
    assert_eq!(response.status(), 200);
    assert!(response.bytes().await.expect("body").starts_with(b"PK"));
}

#[tokio::test]
async fn the_catalog_lists_layers_and_looks_them_up() {
    let server = start(MockConfig::default()).await;
    let jwt = token(&server).await;
    let (status, full) = get(&server, &jwt, "/datalayers/full").await;
    assert_eq!(status, 200);
    let layers = full.as_array().expect("array");
    assert!((30..=40).contains(&layers.len()), "{}", layers.len());
    for id in ["49423", "91", "49464", "140", "48869"] {
        assert!(layers.iter().any(|l| l["id"] == id), "{id}");
    }
    for layer in layers {
        for key in [
            "id",
            "name",
            "dataset_id",
            "dataset",
            "type",
            "datatype",
            "units",
            "description_short",
            "temporal_min",
            "temporal_max",
            "created_at",
        ] {
            assert!(layer[key].is_string(), "{key} in {layer}");
        }
        assert!(layer["level"].is_u64() && layer["min_value"].is_number());
    }
    let (status, one) = get(&server, &jwt, "/datalayers/49423").await;
    assert_eq!(status, 200);
    assert_eq!(one["units"], "K");
    assert_eq!(one["type"], "Raster");
    let (status, body) = get(&server, &jwt, "/datalayers/999999").await;
    assert_eq!(status, 404);
    assert!(body["message"].is_string());
}

#[tokio::test]
async fn fail_next_answers_one_request_with_the_canned_response() {
    let server = start(fast()).await;
    let jwt = token(&server).await;
    server.control().fail_next("/v2/query", 500, "{}");
    let (status, body) = post_query(&server, &jwt, &point_query()).await;
    assert_eq!((status, body), (500, json!({})));
    let (status, _) = post_query(&server, &jwt, &point_query()).await;
    assert_eq!(status, 200);
    assert_eq!(server.control().stats().query_calls, 2);

    server.control().fail_next(
        "/connect/token",
        503,
        r#"{"error":"temporarily_unavailable"}"#,
    );
    let body = login(&server).await;
    let (status, _) = refresh(&server, body["refresh_token"].as_str().expect("rt")).await;
    assert_eq!(status, 503);
}

#[tokio::test]
async fn stalled_downloads_send_one_chunk_then_nothing() {
    let server = start(MockConfig {
        download_size: 512 * 1024,
        ..fast()
    })
    .await;
    let jwt = token(&server).await;
    let (_, body) = post_query(&server, &jwt, &square_query("stall")).await;
    let id = body["id"].as_str().expect("id").to_owned();
    wait_for_job(&server, &jwt, &id).await;
    server.control().stall_downloads(true);
    let mut response = client()
        .get(format!("{}/queryjobs/{id}/download", server.api_url()))
        .bearer_auth(&jwt)
        .send()
        .await
        .expect("download");
    assert_eq!(response.status(), 200);
    let mut received = 0;
    let stalled = tokio::time::timeout(Duration::from_millis(300), async {
        while let Ok(Some(chunk)) = response.chunk().await {
            received += chunk.len();
        }
    })
    .await;
    assert!(stalled.is_err(), "the body should stall");
    assert!(received > 0 && received <= 64 * 1024, "{received}");
    server.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn shutdown_stops_the_listener() {
    let server = start(MockConfig::default()).await;
    let url = format!("{}/auth/GetBearerForClient", server.auth_url());
    server.shutdown().await.expect("shutdown");
    assert!(client().post(url).json(&json!({})).send().await.is_err());
}

#[tokio::test]
async fn multi_megabyte_downloads_arrive_in_chunks_with_a_content_length() {
    let size = 6 * 1024 * 1024;
    let server = start(MockConfig {
        download_size: size,
        ..fast()
    })
    .await;
    let jwt = token(&server).await;
    let (_, body) = post_query(&server, &jwt, &square_query("big")).await;
    let id = body["id"].as_str().expect("id").to_owned();
    wait_for_job(&server, &jwt, &id).await;
    let mut response = client()
        .get(format!("{}/queryjobs/{id}/download", server.api_url()))
        .bearer_auth(&jwt)
        .send()
        .await
        .expect("download");
    let length = response.content_length().expect("content-length");
    let (mut chunks, mut received) = (0, 0u64);
    while let Some(chunk) = response.chunk().await.expect("chunk") {
        chunks += 1;
        received += chunk.len() as u64;
    }
    assert_eq!(received, length);
    assert!(length >= size as u64, "{length}");
    assert!(chunks > 1);
}

#[test]
fn config_debug_hides_api_keys() {
    let shown = format!("{:?}", MockConfig::default());
    assert!(
        !shown.contains("demo") && shown.contains("redacted"),
        "{shown}"
    );
}
