use super::*;

fn check(min_score: u8, password: &str) -> Result<(), WeakPassword> {
    check_for(
        min_score,
        password,
        "ada.lovelace@example.com",
        "Ada Lovelace",
    )
}

fn check_for(
    min_score: u8,
    password: &str,
    email: &str,
    display_name: &str,
) -> Result<(), WeakPassword> {
    ZxcvbnPasswordStrength::new(min_score)
        .expect("valid")
        .judge(
            password,
            Email::parse(email).expect("valid").as_str(),
            DisplayName::parse(display_name).expect("valid").as_str(),
        )
}

#[tokio::test]
async fn the_port_judges_off_the_async_threads_with_the_same_verdicts() {
    let strength = ZxcvbnPasswordStrength::new(3).expect("valid");
    let email = Email::parse("ada.lovelace@example.com").expect("valid");
    let name = DisplayName::parse("Ada Lovelace").expect("valid");

    for password in [
        "password1234",
        "correct horse battery staple",
        "lovelace1815!",
    ] {
        let verdict = strength
            .check(
                &Password::parse(password.to_owned()).expect("valid"),
                &email,
                &name,
            )
            .await;
        assert_eq!(verdict, check(3, password), "{password}");
    }
}

#[test]
fn common_passwords_are_refused_with_a_reason_and_advice() {
    for password in ["password1234", "qwertyuiop", "1234567890"] {
        let WeakPassword(message) = check(3, password).expect_err(password);

        assert!(message.starts_with("is too easy to guess"), "{message}");
        assert!(message.len() > "is too easy to guess.".len(), "{message}");
        assert!(message.ends_with('.'), "{message}");
        assert!(!message.contains(password), "{message}");
    }
}

#[test]
fn the_reason_names_what_makes_the_password_guessable() {
    let WeakPassword(message) = check(3, "asdfghjkl;'").expect_err("a row of keys");

    assert_eq!(
        message,
        "is too easy to guess: straight rows of keys are easy to guess. \
         Add another word or two; uncommon words are better. \
         Use a longer keyboard pattern with more turns."
    );
}

#[test]
fn long_random_or_passphrase_passwords_are_accepted() {
    for password in ["correct horse battery staple", "q7#Vm2!xR9pL$w4K"] {
        assert_eq!(check(3, password), Ok(()), "{password}");
        assert_eq!(check(4, password), Ok(()), "{password}");
    }
}

#[test]
fn a_password_containing_the_email_or_the_name_is_refused() {
    let resembles_owner = Err(WeakPassword(RESEMBLES_OWNER.to_owned()));
    for (password, email, name) in [
        (
            "zebra-quartz-ada.lovelace",
            "ada.lovelace@example.com",
            "Ada",
        ),
        (
            "ADALOVELACE-zebra-quartz",
            "ada.lovelace@example.com",
            "Ada",
        ),
        ("zebra quartz babbage!", "ada@example.com", "Babbage"),
        (
            "Charles Babbage 1791 zebra",
            "cb@example.com",
            "Charles Babbage",
        ),
        ("charles.babbage", "cb@example.com", "Mr Charles Babbage"),
        ("example.org", "cb@example.org", "Charles"),
    ] {
        assert_eq!(
            check_for(0, password, email, name),
            resembles_owner,
            "{password}"
        );
    }
}

#[test]
fn short_parts_of_the_email_and_name_are_left_to_zxcvbn() {
    assert_eq!(
        check_for(0, "zebra-quartz-ada", "ada@example.com", "Ada"),
        Ok(())
    );
}

#[test]
fn minimum_score_zero_accepts_any_password_unlike_its_owner() {
    for password in ["password", "1234567890", "aaaaaaaaaa", "x"] {
        assert_eq!(check(0, password), Ok(()), "{password}");
    }
    assert!(check(0, "adalovelace123").is_err());
}

#[test]
fn the_owners_names_make_a_password_easier_to_guess() {
    let password = "lovelacebabbage";
    assert_eq!(
        check_for(3, password, "countess@example.com", "Countess"),
        Ok(())
    );
    assert!(check_for(3, password, "countess@example.com", "Babbage, Lovelace").is_err());
}

#[test]
fn a_minimum_score_above_four_is_refused() {
    assert_eq!(
        ZxcvbnPasswordStrength::new(5).map(drop),
        Err(InvalidMinScore(5))
    );
    for score in 0..=4 {
        assert!(ZxcvbnPasswordStrength::new(score).is_ok());
    }
}
