//! Security properties of a deployed stack, checked against the running stack and its
//! Terraform state (`make test` provides both for the local emulator):
//! least-privilege IAM, the JWT authorizer on every route, no secret in state, and a
//! 401 for every kind of bad token.

use std::path::PathBuf;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use eventlab_client::api::Api;
use eventlab_client::learner::{self, Credentials};
use eventlab_client::stack::Stack;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn env_path(name: &str) -> PathBuf {
    let path =
        PathBuf::from(std::env::var_os(name).unwrap_or_else(|| {
            panic!("{name} is not set: these tests need a deployed stack; run them with `make test`")
        }));
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(path)
}

/// Every resource in `terraform show -json` of the applied stack.
fn state_resources() -> Vec<Value> {
    let state: Value =
        serde_json::from_str(&std::fs::read_to_string(env_path("EVENTLAB_STATE_JSON")).unwrap()).unwrap();
    state["values"]["root_module"]["resources"]
        .as_array()
        .expect("an applied stack has resources")
        .clone()
}

fn as_list(value: &Value) -> Vec<String> {
    match value {
        Value::String(one) => vec![one.clone()],
        Value::Array(many) => many.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect(),
        _ => Vec::new(),
    }
}

#[test]
#[ignore = "needs the test stack: `make test` deploys one and runs this"]
fn no_iam_statement_allows_wildcard_actions_or_resources() {
    let resources = state_resources();
    let policies: Vec<(String, Value)> = resources
        .iter()
        .filter(|r| {
            r["type"] == "aws_iam_role_policy"
                || r["type"] == "aws_sqs_queue_policy"
                || r["type"] == "aws_s3_bucket_policy"
        })
        .map(|r| {
            (
                r["address"].as_str().unwrap().to_owned(),
                serde_json::from_str(r["values"]["policy"].as_str().unwrap()).unwrap(),
            )
        })
        .collect();
    assert!(
        policies.len() >= 10,
        "the stack's policies are all read: {}",
        policies.len()
    );
    for (address, policy) in policies {
        for statement in policy["Statement"].as_array().unwrap() {
            if statement["Effect"] != "Allow" {
                continue; // a Deny may be broad: the bucket's TLS-only rule is.
            }
            for action in as_list(&statement["Action"]) {
                assert!(!action.contains('*'), "{address}: wildcard action {action}");
            }
            for resource in as_list(&statement["Resource"]) {
                assert_ne!(
                    resource, "*",
                    "{address}: allows {:?} on every resource",
                    statement["Action"]
                );
                assert!(
                    resource.starts_with("arn:"),
                    "{address}: resource {resource} is not an ARN"
                );
            }
        }
    }
}

#[test]
#[ignore = "needs the test stack: `make test` deploys one and runs this"]
fn every_route_requires_the_jwt_authorizer() {
    let resources = state_resources();
    let routes: Vec<&Value> = resources
        .iter()
        .filter(|r| r["type"] == "aws_apigatewayv2_route")
        .collect();
    assert_eq!(
        routes.len(),
        eventlab_schema::Service::ALL.len() + 1,
        "a route per service and /all"
    );
    for route in routes {
        let values = &route["values"];
        assert_eq!(values["authorization_type"], "JWT", "{}", values["route_key"]);
        assert!(
            values["authorizer_id"].as_str().is_some_and(|id| !id.is_empty()),
            "{}",
            values["route_key"]
        );
    }
    let authorizer = resources
        .iter()
        .find(|r| r["type"] == "aws_apigatewayv2_authorizer")
        .unwrap();
    let jwt = &authorizer["values"]["jwt_configuration"][0];
    assert!(jwt["issuer"].as_str().unwrap().starts_with("https://cognito-idp."));
    assert_eq!(
        jwt["audience"].as_array().unwrap().len(),
        1,
        "exactly the lab's app client"
    );
}

#[test]
#[ignore = "needs the test stack: `make test` deploys one and runs this"]
fn no_secret_enters_terraform_state_or_git() {
    let resources = state_resources();
    let key = resources
        .iter()
        .find(|r| r["address"] == "aws_ssm_parameter.facts_api_key")
        .unwrap();
    assert_eq!(key["values"]["type"], "SecureString");
    assert!(
        key["values"]["value"].is_null() || key["values"]["value"] == "",
        "the key's value is not in state"
    );
    assert_eq!(
        key["values"]["has_value_wo"], true,
        "written through the write-only attribute"
    );

    let password = Credentials::load(&env_path("EVENTLAB_CREDENTIALS")).unwrap().password;
    let state_file = std::fs::read_to_string(env_path("EVENTLAB_STATE_JSON")).unwrap();
    assert!(
        !state_file.contains(&password),
        "the learner's password is not in state"
    );

    // The credentials file is ignored by git, so it cannot be committed by accident.
    let ignored = std::process::Command::new("git")
        .args(["check-ignore", "-q"])
        .arg(env_path("EVENTLAB_CREDENTIALS"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .status()
        .unwrap();
    assert!(ignored.success(), "the learner's credentials are git-ignored");
}

struct Lab {
    stack: Stack,
    api: Api,
    token: String,
    cognito: aws_sdk_cognitoidentityprovider::Client,
}

async fn lab() -> Lab {
    let stack = Stack::load(&env_path("EVENTLAB_OUTPUTS")).unwrap();
    let credentials = Credentials::load(&env_path("EVENTLAB_CREDENTIALS")).unwrap();
    let token = learner::access_token(&stack, &credentials).await.unwrap();
    let cognito = aws_sdk_cognitoidentityprovider::Client::new(&eventlab_client::stack::sdk_config(&stack).await);
    Lab {
        api: Api::new(&stack),
        stack,
        token,
        cognito,
    }
}

impl Lab {
    async fn status_with(&self, token: &str) -> StatusCode {
        let body = json!({ "count": 1 });
        self.api
            .call(Method::POST, "sqs", Some(token), Some(&body))
            .await
            .unwrap()
            .0
    }
}

fn decode(part: &str) -> Value {
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

fn encode(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(value).unwrap())
}

#[tokio::test]
#[ignore = "needs the test stack: `make test` deploys one and runs this"]
async fn the_valid_token_is_accepted_so_the_refusals_below_mean_something() {
    let lab = lab().await;
    assert_eq!(lab.status_with(&lab.token).await, StatusCode::OK);
}

#[tokio::test]
#[ignore = "needs the test stack: `make test` deploys one and runs this"]
async fn an_unsigned_alg_none_token_is_refused() {
    let lab = lab().await;
    let parts: Vec<&str> = lab.token.split('.').collect();
    let mut header = decode(parts[0]);
    header["alg"] = json!("none");
    for token in [
        format!("{}.{}.", encode(&header), parts[1]),
        format!("{}.{}", encode(&header), parts[1]),
    ] {
        assert_eq!(lab.status_with(&token).await, StatusCode::UNAUTHORIZED, "{token}");
    }
}

#[tokio::test]
#[ignore = "needs the test stack: `make test` deploys one and runs this"]
async fn an_hs256_token_signed_with_the_public_key_is_refused() {
    let lab = lab().await;
    let parts: Vec<&str> = lab.token.split('.').collect();
    let (header, claims) = (decode(parts[0]), decode(parts[1]));
    // The pool's published key: on AWS at <iss>/.well-known/jwks.json, locally under the endpoint.
    let pool = claims["iss"].as_str().unwrap().rsplit('/').next().unwrap().to_owned();
    let jwks_url = match &lab.stack.endpoint_url {
        Some(endpoint) => format!("{endpoint}/{pool}/.well-known/jwks.json"),
        None => format!("{}/.well-known/jwks.json", claims["iss"].as_str().unwrap()),
    };
    let jwks: Value = reqwest::get(&jwks_url).await.unwrap().json().await.unwrap();
    let public_key = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kid"] == header["kid"])
        .expect("the token's key");

    // The classic confusion attack: the public key, which anyone can read, as an HMAC secret.
    let mut forged_header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
    forged_header.kid = header["kid"].as_str().map(str::to_owned);
    for secret in [public_key.to_string(), public_key["n"].as_str().unwrap().to_owned()] {
        let key = jsonwebtoken::EncodingKey::from_secret(secret.as_bytes());
        let forged = jsonwebtoken::encode(&forged_header, &claims, &key).unwrap();
        assert_eq!(lab.status_with(&forged).await, StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
#[ignore = "needs the test stack: `make test` deploys one and runs this"]
async fn a_token_for_another_app_client_of_the_same_pool_is_refused() {
    let lab = lab().await;
    let other = lab
        .cognito
        .create_user_pool_client()
        .user_pool_id(&lab.stack.user_pool_id)
        .client_name("security-test-other-client")
        .explicit_auth_flows(aws_sdk_cognitoidentityprovider::types::ExplicitAuthFlowsType::AllowUserPasswordAuth)
        .explicit_auth_flows(aws_sdk_cognitoidentityprovider::types::ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        .send()
        .await
        .unwrap();
    let client_id = other.user_pool_client().unwrap().client_id().unwrap().to_owned();
    let stack = Stack {
        user_pool_client_id: client_id.clone(),
        ..lab.stack.clone()
    };
    let credentials = Credentials::load(&env_path("EVENTLAB_CREDENTIALS")).unwrap();
    let token = learner::access_token(&stack, &credentials).await;
    lab.cognito
        .delete_user_pool_client()
        .user_pool_id(&lab.stack.user_pool_id)
        .client_id(&client_id)
        .send()
        .await
        .unwrap();

    let token = token.unwrap();
    assert_eq!(
        decode(token.split('.').nth(1).unwrap())["client_id"],
        client_id.as_str()
    );
    assert_eq!(lab.status_with(&token).await, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
#[ignore = "needs the test stack: `make test` deploys one and runs this"]
async fn a_token_from_another_user_pool_is_refused() {
    let lab = lab().await;
    let pool = lab
        .cognito
        .create_user_pool()
        .pool_name("security-test-other-pool")
        .send()
        .await
        .unwrap();
    let pool_id = pool.user_pool().unwrap().id().unwrap().to_owned();
    let client = lab
        .cognito
        .create_user_pool_client()
        .user_pool_id(&pool_id)
        .client_name("security-test-client")
        .explicit_auth_flows(aws_sdk_cognitoidentityprovider::types::ExplicitAuthFlowsType::AllowUserPasswordAuth)
        .send()
        .await
        .unwrap();
    let stack = Stack {
        user_pool_id: pool_id.clone(),
        user_pool_client_id: client.user_pool_client().unwrap().client_id().unwrap().to_owned(),
        ..lab.stack.clone()
    };
    let credentials_file = std::env::temp_dir().join(format!("eventlab-other-pool-{}.json", uuid::Uuid::now_v7()));
    let token = async {
        let credentials = learner::ensure(&stack, &credentials_file, "intruder").await?;
        learner::access_token(&stack, &credentials).await
    }
    .await;
    let _ = std::fs::remove_file(&credentials_file);
    lab.cognito
        .delete_user_pool()
        .user_pool_id(&pool_id)
        .send()
        .await
        .unwrap();

    let token = token.unwrap();
    assert!(
        decode(token.split('.').nth(1).unwrap())["iss"]
            .as_str()
            .unwrap()
            .ends_with(&pool_id)
    );
    assert_eq!(lab.status_with(&token).await, StatusCode::UNAUTHORIZED);
}
