//! AWS ARN splitting following aws-sdk-go `arn.Parse`, plus the account and instance id checks of
//! Panther's `ScanARN`.

/// The parts of an ARN that the scanners use.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Arn<'a> {
    /// The account-id section (may be empty or not an account id).
    pub(crate) account_id: &'a str,
    /// Everything after the fifth colon (may itself contain colons).
    pub(crate) resource: &'a str,
}

/// aws-sdk-go `arn.Parse`: prefix `arn:` and at least six `:`-separated sections
/// (`arn:partition:service:region:account-id:resource`). Sections may be empty; no trimming.
pub(crate) fn parse(s: &str) -> Option<Arn<'_>> {
    if !s.starts_with("arn:") {
        return None;
    }
    let mut sections = s.splitn(6, ':');
    let account_id = sections.nth(4)?;
    let resource = sections.next()?;
    Some(Arn {
        account_id,
        resource,
    })
}

/// Exactly 12 ASCII digits (Panther's `isAWSAccountID`; no trimming).
pub(crate) fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// The EC2 instance id of an `instance/...` resource: its last `/` segment if that starts with
/// `i-`.
pub(crate) fn instance_id(resource: &str) -> Option<&str> {
    if !resource.starts_with("instance/") {
        return None;
    }
    let (_, last) = resource.rsplit_once('/')?;
    last.starts_with("i-").then_some(last)
}

#[cfg(test)]
mod tests {
    use super::{instance_id, is_account_id, parse, Arn};

    #[test]
    fn parses_like_aws_sdk() {
        assert_eq!(
            parse("arn:aws:ec2:us-east-1:123456789012:instance/i-0abc"),
            Some(Arn {
                account_id: "123456789012",
                resource: "instance/i-0abc"
            })
        );
        assert_eq!(
            parse("arn:aws:logs:r:1:log-group:a:b").map(|a| a.resource),
            Some("log-group:a:b")
        );
        assert_eq!(
            parse("arn:::::"),
            Some(Arn {
                account_id: "",
                resource: ""
            })
        );
        assert_eq!(parse("arn:aws:s3::"), None);
        assert_eq!(parse("arn:aws:iam::123"), None);
        assert_eq!(parse("ARN:aws:s3:::b:c"), None);
        assert_eq!(parse(" arn:aws:s3:::b:c"), None);
        assert_eq!(parse(""), None);
    }

    #[test]
    fn account_ids() {
        assert!(is_account_id("123456789012"));
        assert!(!is_account_id("12345678901"));
        assert!(!is_account_id("1234567890123"));
        assert!(!is_account_id("12345678901a"));
        assert!(!is_account_id(" 123456789012"));
        assert!(!is_account_id("１２３４５６７８９０１２"));
    }

    #[test]
    fn instance_ids() {
        assert_eq!(instance_id("instance/i-0abc"), Some("i-0abc"));
        assert_eq!(instance_id("instance/x/i-0abc"), Some("i-0abc"));
        assert_eq!(instance_id("instance/"), None);
        assert_eq!(instance_id("instance/x"), None);
        assert_eq!(instance_id("instance/i-0abc/"), None);
        assert_eq!(instance_id("volume/i-0abc"), None);
        assert_eq!(instance_id("i-0abc"), None);
    }
}
