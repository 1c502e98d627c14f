//! Network-wide member numbers: nine random digits and a Luhn check digit, so that a mistyped
//! number at a till is caught before it reaches the database.

/// Length of a member number, check digit included.
pub const MEMBER_NUMBER_LEN: usize = 10;

/// The Luhn check digit of a string of decimal digits.
pub fn luhn_check_digit(digits: &str) -> Option<u8> {
    let mut sum: u32 = 0;
    for (i, c) in digits.bytes().rev().enumerate() {
        let d = u32::from(c.checked_sub(b'0').filter(|d| *d <= 9)?);
        // Doubling starts with the rightmost digit of the payload, because the check digit
        // will stand to its right.
        let v = if i % 2 == 0 { d * 2 } else { d };
        sum += if v > 9 { v - 9 } else { v };
    }
    u8::try_from((10 - sum % 10) % 10).ok()
}

/// Builds a member number from a nine-digit payload.
pub fn from_payload(payload: u32) -> String {
    let body = format!("{:09}", payload % 1_000_000_000);
    let check = luhn_check_digit(&body).unwrap_or(0);
    format!("{body}{check}")
}

/// A random, well-formed member number. The first digit is never zero, so numbers never lose a
/// digit when a spreadsheet takes them for integers.
pub fn random() -> String {
    let bytes = partner_sdk::signing::random_token_hex(4);
    let value = u32::from_str_radix(&bytes, 16).unwrap_or(0);
    from_payload(100_000_000 + value % 900_000_000)
}

/// Whether a string is a well-formed member number (ten digits, valid check digit).
pub fn is_valid(number: &str) -> bool {
    if number.len() != MEMBER_NUMBER_LEN || !number.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let (body, check) = number.split_at(MEMBER_NUMBER_LEN - 1);
    luhn_check_digit(body).map(|d| d.to_string()) == Some(check.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_numbers_validate_and_a_typo_is_caught() {
        for _ in 0..100 {
            let n = random();
            assert!(is_valid(&n), "{n}");
        }
        assert!(is_valid("1000000016"));
        assert!(is_valid("1234567897"));
        assert!(!is_valid("1000000018"));
        assert!(!is_valid("1000000061"));
        assert!(!is_valid("100000001"));
        assert!(!is_valid("10000000a6"));
    }
}
