//! A deployed stack's SDK configuration: the credentials, region and endpoint its tools
//! act with.

use anyhow::{Context, Result};
pub use eventlab_schema::outputs::{Backend, Batching, Stack};

/// The access key and secret an emulator accepts (MiniStack: account 000000000000).
pub const EMULATOR_KEY: &str = "test";

/// SDK configuration for this stack, with the credentials Terraform used: its region,
/// its profile, the role it assumed, and its endpoint when emulated. Without the same
/// profile and role, a tool would act in another account than the stack's.
pub async fn sdk_config(stack: &Stack) -> aws_config::SdkConfig {
    let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new(stack.region.clone()));
    if let Some(profile) = &stack.aws_profile {
        loader = loader.profile_name(profile);
    }
    if let Some(endpoint) = stack.endpoint() {
        loader = loader.endpoint_url(endpoint);
    }
    if let Some(credentials) = emulator_credentials(stack, std::env::var_os("AWS_ACCESS_KEY_ID").is_some()) {
        loader = loader.credentials_provider(credentials);
    }
    let base = loader.load().await;
    let Some(role) = &stack.assume_role_arn else {
        return base;
    };
    let assumed = aws_config::sts::AssumeRoleProvider::builder(role)
        .session_name(format!("{}-tools", stack.name_prefix))
        .configure(&base)
        .build()
        .await;
    base.into_builder()
        .credentials_provider(aws_sdk_sts::config::SharedCredentialsProvider::new(assumed))
        .build()
}

/// The emulator's credentials for a stack on an emulator with no profile, when the shell
/// has no key of its own: no tool then falls through to the instance metadata service (a
/// stand-in's stack never needs real credentials). `None` on AWS, or where a profile or the
/// shell says which credentials to use.
pub fn emulator_credentials(stack: &Stack, shell_has_key: bool) -> Option<aws_credential_types::Credentials> {
    (stack.backend().is_emulator() && stack.aws_profile.is_none() && !shell_has_key)
        .then(|| aws_credential_types::Credentials::new(EMULATOR_KEY, EMULATOR_KEY, None, None, "emulator"))
}

/// Fails in one line that says what to set when no credentials can be had for `stack`,
/// instead of the SDK's chain of causes at the first call.
pub async fn require_credentials(stack: &Stack, config: &aws_config::SdkConfig) -> Result<()> {
    use aws_credential_types::provider::ProvideCredentials as _;
    let found = match config.credentials_provider() {
        Some(provider) => provider.provide_credentials().await.is_ok(),
        None => false,
    };
    if found {
        Ok(())
    } else {
        anyhow::bail!("{}", missing_credentials(stack))
    }
}

/// What to set when no credentials can be had for `stack`: one line.
pub fn missing_credentials(stack: &Stack) -> String {
    match (&stack.aws_profile, stack.backend().is_emulator()) {
        (Some(profile), _) => format!(
            "no credentials for the AWS profile {profile:?} that Terraform used for this stack: sign in to it (e.g. `aws sso login --profile {profile}`) or fix it in ~/.aws/config"
        ),
        (None, true) => "no credentials for the emulator's stack: unset AWS_PROFILE, or set AWS_ACCESS_KEY_ID=test and AWS_SECRET_ACCESS_KEY=test".to_owned(),
        (None, false) => format!(
            "no AWS credentials found for the stack in {}: set AWS_PROFILE (the profile Terraform used, TF_VAR_aws_profile) or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; for the local lab, run `make up` first",
            stack.region
        ),
    }
}

/// Fails unless the tools' credentials act in the account the stack was applied to: a
/// learner's shell whose profile or role differs from Terraform's gets a clear error
/// instead of "not found" from the wrong account.
pub async fn check_account(stack: &Stack, config: &aws_config::SdkConfig) -> Result<String> {
    require_credentials(stack, config).await?;
    let actual = caller_account(config).await?;
    match &stack.account_id {
        Some(expected) if *expected != actual => anyhow::bail!(
            "these credentials act in account {actual}, but the stack is in account {expected}: \
             use the profile and role Terraform used (TF_VAR_aws_profile, TF_VAR_assume_role_arn)"
        ),
        _ => Ok(actual),
    }
}

/// The account a configuration's credentials act in (STS `GetCallerIdentity`).
pub async fn caller_account(config: &aws_config::SdkConfig) -> Result<String> {
    let identity = aws_sdk_sts::Client::new(config)
        .get_caller_identity()
        .send()
        .await
        .map_err(crate::sdk_error)
        .context("asking STS who the tools' credentials are (GetCallerIdentity)")?;
    Ok(identity.account().unwrap_or_default().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn no_credentials_is_one_line_that_says_what_to_set() {
        let aws = stack(None, None);
        let bare = aws_config::SdkConfig::builder()
            .behavior_version(aws_config::BehaviorVersion::latest())
            .build();
        let error = require_credentials(&aws, &bare).await.unwrap_err().to_string();
        if std::env::var_os("AWS_ENDPOINT_URL").is_none() {
            assert!(
                error.contains("set AWS_PROFILE") && error.contains("make up"),
                "{error}"
            );
        }
        assert_eq!(error.lines().count(), 1, "{error}");
        let profiled = stack(None, Some("lab"));
        assert!(missing_credentials(&profiled).contains("aws sso login --profile lab"));
        let local = stack(Some("http://127.0.0.1:4566"), None);
        assert!(missing_credentials(&local).contains("AWS_ACCESS_KEY_ID=test"));
        let with_key = aws_config::SdkConfig::builder()
            .behavior_version(aws_config::BehaviorVersion::latest())
            .credentials_provider(aws_credential_types::provider::SharedCredentialsProvider::new(
                aws_credential_types::Credentials::new("a", "b", None, None, "test"),
            ))
            .build();
        assert!(require_credentials(&aws, &with_key).await.is_ok());
    }

    fn stack(endpoint: Option<&str>, profile: Option<&str>) -> Stack {
        let raw = include_str!("../../schema/tests/fixtures/outputs.json");
        let mut stack = Stack::from_terraform_json(raw).unwrap();
        stack.endpoint_url = endpoint.map(str::to_owned);
        stack.aws_profile = profile.map(str::to_owned);
        stack
    }

    #[test]
    fn only_a_stack_on_an_emulator_with_nothing_else_set_takes_the_emulators_key() {
        let local = stack(Some("http://127.0.0.1:4566"), None);
        let key = emulator_credentials(&local, false).expect("the emulator's key");
        assert_eq!(
            (key.access_key_id(), key.secret_access_key()),
            (EMULATOR_KEY, EMULATOR_KEY)
        );
        assert!(emulator_credentials(&local, true).is_none(), "the shell's own key wins");
        let rehearsal = stack(Some("http://127.0.0.1:4566"), Some("learner"));
        assert!(emulator_credentials(&rehearsal, false).is_none(), "a profile wins");
        let aws = stack(None, None);
        assert!(aws.endpoint_url.is_none());
        if std::env::var_os("AWS_ENDPOINT_URL").is_none() {
            assert!(emulator_credentials(&aws, false).is_none(), "never on AWS");
        }
    }
}
