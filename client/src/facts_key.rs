//! The API Ninjas key: stored by the learner in the stack's SSM SecureString, never in
//! Terraform state, git or a shell's history.

use anyhow::{Context, Result, bail};
use aws_sdk_ssm::types::ParameterType;

use crate::stack::Stack;

/// The key as given, trimmed; an empty key is a mistake, not a way to unset it.
pub fn normalise(raw: &str) -> Result<String> {
    let key = raw.trim();
    if key.is_empty() {
        bail!("the API key is empty: set API_NINJAS_KEY or type the key when asked");
    }
    if key.chars().any(char::is_whitespace) {
        bail!("the API key contains white space: paste the key alone");
    }
    Ok(key.to_owned())
}

/// Overwrites the stack's SecureString (Terraform created it with a placeholder) with the
/// key; the generator reads it at its next cold start.
pub async fn store(stack: &Stack, config: &aws_config::SdkConfig, key: &str) -> Result<String> {
    let name = stack.facts_api_key_parameter.clone();
    aws_sdk_ssm::Client::new(config)
        .put_parameter()
        .name(&name)
        .r#type(ParameterType::SecureString)
        .overwrite(true)
        .value(key)
        .send()
        .await
        .map_err(crate::sdk_error)
        .with_context(|| format!("storing the API key in {name}"))?;
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_trimmed_and_empty_or_broken_ones_refused() {
        assert_eq!(normalise("  abc123==\n").unwrap(), "abc123==");
        assert!(normalise(" \n").unwrap_err().to_string().contains("empty"));
        assert!(normalise("abc def").unwrap_err().to_string().contains("white space"));
    }
}
