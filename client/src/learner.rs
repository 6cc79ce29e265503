//! The learner's Cognito user: created once with a generated password that is kept in the
//! stack's ignored state folder, and signed in to get a JWT for the API.

use std::path::Path;

use anyhow::{Context, Result, bail};
use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::types::{AuthFlowType, MessageActionType};
use rand::RngExt;
use serde::{Deserialize, Serialize};

use crate::stack::Stack;

/// The learner's sign-in, stored as JSON with owner-only permissions.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Credentials {
    pub username: String,
    pub password: String,
}

impl Credentials {
    /// A new learner with a random 24-character password that meets the pool's policy.
    pub fn generate(username: &str) -> Self {
        const LOWER: &[u8] = b"abcdefghijkmnopqrstuvwxyz";
        const UPPER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
        const DIGIT: &[u8] = b"23456789";
        const SYMBOL: &[u8] = b"-_.!#%+=";
        let mut rng = rand::rng();
        let mut pick = |set: &[u8]| char::from(set[rng.random_range(0..set.len())]);
        // One of each class first, so the policy always holds, then any class.
        let mut password: String = [LOWER, UPPER, DIGIT, SYMBOL].iter().map(|set| pick(set)).collect();
        let all: Vec<u8> = [LOWER, UPPER, DIGIT, SYMBOL].concat();
        password.extend((0..20).map(|_| pick(&all)));
        Self {
            username: username.to_owned(),
            password,
        }
    }

    pub fn load(path: &Path) -> Result<Self> {
        let raw = std::fs::read_to_string(path)
            .with_context(|| format!("reading learner credentials {} (run `make up` first)", path.display()))?;
        Ok(serde_json::from_str(&raw)?)
    }

    fn save(&self, path: &Path) -> Result<()> {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(path)
            .with_context(|| format!("writing {}", path.display()))?;
        file.write_all(serde_json::to_string_pretty(self)?.as_bytes())?;
        Ok(())
    }
}

/// Makes sure the learner exists with the stored password; creates both if needed.
pub async fn ensure(stack: &Stack, path: &Path, username: &str) -> Result<Credentials> {
    let client = Client::new(&crate::stack::sdk_config(stack).await);
    let credentials = if path.exists() {
        Credentials::load(path)?
    } else {
        Credentials::generate(username)
    };

    let exists = client
        .admin_get_user()
        .user_pool_id(&stack.user_pool_id)
        .username(&credentials.username)
        .send()
        .await
        .is_ok();
    if !exists {
        client
            .admin_create_user()
            .user_pool_id(&stack.user_pool_id)
            .username(&credentials.username)
            .temporary_password(&credentials.password)
            .message_action(MessageActionType::Suppress)
            .send()
            .await
            .context("creating the learner user in Cognito")?;
    }
    // Permanent, so the first sign-in is not a forced password change.
    client
        .admin_set_user_password()
        .user_pool_id(&stack.user_pool_id)
        .username(&credentials.username)
        .password(&credentials.password)
        .permanent(true)
        .send()
        .await
        .context("setting the learner's password")?;
    credentials.save(path)?;
    Ok(credentials)
}

/// Signs in with username and password; returns the access token for the API.
pub async fn access_token(stack: &Stack, credentials: &Credentials) -> Result<String> {
    let client = Client::new(&crate::stack::sdk_config(stack).await);
    let output = client
        .initiate_auth()
        .client_id(&stack.user_pool_client_id)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", &credentials.username)
        .auth_parameters("PASSWORD", &credentials.password)
        .send()
        .await
        .map_err(crate::sdk_error)
        .context("signing in to Cognito")?;
    match output.authentication_result().and_then(|result| result.access_token()) {
        Some(token) => Ok(token.to_owned()),
        None => bail!(
            "Cognito answered without a token (challenge: {:?})",
            output.challenge_name()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_passwords_meet_the_pool_policy() {
        for _ in 0..200 {
            let password = Credentials::generate("learner").password;
            assert_eq!(password.len(), 24);
            assert!(password.chars().any(|c| c.is_ascii_lowercase()));
            assert!(password.chars().any(|c| c.is_ascii_uppercase()));
            assert!(password.chars().any(|c| c.is_ascii_digit()));
            assert!(password.chars().any(|c| !c.is_ascii_alphanumeric()));
        }
        assert_ne!(Credentials::generate("a").password, Credentials::generate("a").password);
    }
}
