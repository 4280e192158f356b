//! What a username and a password must be, for sign-up and for an operator creating
//! a user alike.

/// Shortest password accepted.
pub const MIN_PASSWORD_LEN: usize = 8;
/// Longest password accepted (sign-in takes the same bound).
pub const MAX_PASSWORD_LEN: usize = 256;

/// Why a username or password is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AccountRuleError {
    #[error("usernames are 3 to 32 characters of a-z, 0-9, _, . and -")]
    Username,
    #[error("passwords are 8 to 256 characters")]
    Password,
}

/// 3–32 characters of `a-z`, `0-9`, `_`, `.` and `-`.
pub fn check_username(username: &str) -> Result<(), AccountRuleError> {
    let allowed = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit() || b"_.-".contains(&b);
    match (3..=32).contains(&username.len()) && username.bytes().all(allowed) {
        true => Ok(()),
        false => Err(AccountRuleError::Username),
    }
}

/// 8–256 characters (counted as characters, not bytes).
pub fn check_password(password: &str) -> Result<(), AccountRuleError> {
    match (MIN_PASSWORD_LEN..=MAX_PASSWORD_LEN).contains(&password.chars().count()) {
        true => Ok(()),
        false => Err(AccountRuleError::Password),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_and_passwords_follow_the_rules() {
        for good in ["ana", "kim.lee", "player_42", "a-b", &"x".repeat(32)] {
            assert_eq!(check_username(good), Ok(()), "{good}");
        }
        for bad in [
            "jo",
            "Ana",
            "ana lee",
            "ana@x",
            "",
            &"x".repeat(33),
            "名前の人",
        ] {
            assert_eq!(
                check_username(bad),
                Err(AccountRuleError::Username),
                "{bad}"
            );
        }
        assert_eq!(check_password("12345678"), Ok(()));
        assert_eq!(check_password("パスワードです!!"), Ok(()));
        assert_eq!(check_password("1234567"), Err(AccountRuleError::Password));
        assert_eq!(
            check_password(&"p".repeat(257)),
            Err(AccountRuleError::Password)
        );
    }
}
