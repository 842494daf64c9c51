//! zxcvbn's feedback in words that follow the name of the password field,
//! as in "newPassword: is too easy to guess: …".

use zxcvbn::feedback::{Feedback, Suggestion, Warning};

const TOO_EASY: &str = "is too easy to guess";
const FALLBACK: Suggestion = Suggestion::AddAnotherWordOrTwo;

/// Why a password is too easy to guess and how to do better, from
/// zxcvbn's feedback when it has some. Every sentence ends with a period.
pub(super) fn message(feedback: Option<&Feedback>) -> String {
    let warning = feedback.and_then(Feedback::warning);
    let suggestions = feedback
        .map(Feedback::suggestions)
        .filter(|suggestions| !suggestions.is_empty())
        .unwrap_or(&[FALLBACK]);
    let mut message = match warning {
        Some(warning) => format!("{TOO_EASY}: {}.", warning_text(warning)),
        None => format!("{TOO_EASY}."),
    };
    for suggestion in suggestions {
        message.push(' ');
        message.push_str(suggestion_text(*suggestion));
    }
    message
}

fn warning_text(warning: Warning) -> &'static str {
    match warning {
        Warning::StraightRowsOfKeysAreEasyToGuess => "straight rows of keys are easy to guess",
        Warning::ShortKeyboardPatternsAreEasyToGuess => "short keyboard patterns are easy to guess",
        Warning::RepeatsLikeAaaAreEasyToGuess => "repeats like \"aaa\" are easy to guess",
        Warning::RepeatsLikeAbcAbcAreOnlySlightlyHarderToGuess => {
            "repeats like \"abcabcabc\" are only slightly harder to guess than \"abc\""
        }
        Warning::ThisIsATop10Password => "it is one of the 10 most common passwords",
        Warning::ThisIsATop100Password => "it is one of the 100 most common passwords",
        Warning::ThisIsACommonPassword => "it is one of the most common passwords",
        Warning::ThisIsSimilarToACommonlyUsedPassword => {
            "it is similar to a commonly used password"
        }
        Warning::SequencesLikeAbcAreEasyToGuess => {
            "sequences like \"abc\" or \"6543\" are easy to guess"
        }
        Warning::RecentYearsAreEasyToGuess => "recent years are easy to guess",
        Warning::AWordByItselfIsEasyToGuess => "a word by itself is easy to guess",
        Warning::DatesAreOftenEasyToGuess => "dates are often easy to guess",
        Warning::NamesAndSurnamesByThemselvesAreEasyToGuess => {
            "names and surnames by themselves are easy to guess"
        }
        Warning::CommonNamesAndSurnamesAreEasyToGuess => {
            "common names and surnames are easy to guess"
        }
    }
}

fn suggestion_text(suggestion: Suggestion) -> &'static str {
    match suggestion {
        Suggestion::UseAFewWordsAvoidCommonPhrases => "Use a few words, avoiding common phrases.",
        Suggestion::NoNeedForSymbolsDigitsOrUppercaseLetters => {
            "There is no need for symbols, digits or uppercase letters."
        }
        Suggestion::AddAnotherWordOrTwo => "Add another word or two; uncommon words are better.",
        Suggestion::CapitalizationDoesntHelpVeryMuch => "Capital letters do not help much.",
        Suggestion::AllUppercaseIsAlmostAsEasyToGuessAsAllLowercase => {
            "All-uppercase is almost as easy to guess as all-lowercase."
        }
        Suggestion::ReversedWordsArentMuchHarderToGuess => {
            "Reversed words are not much harder to guess."
        }
        Suggestion::PredictableSubstitutionsDontHelpVeryMuch => {
            "Predictable substitutions, like \"@\" for \"a\", do not help much."
        }
        Suggestion::UseALongerKeyboardPatternWithMoreTurns => {
            "Use a longer keyboard pattern with more turns."
        }
        Suggestion::AvoidRepeatedWordsAndCharacters => "Avoid repeated words and characters.",
        Suggestion::AvoidSequences => "Avoid sequences.",
        Suggestion::AvoidRecentYears => "Avoid recent years.",
        Suggestion::AvoidYearsThatAreAssociatedWithYou => {
            "Avoid years that are associated with you."
        }
        Suggestion::AvoidDatesAndYearsThatAreAssociatedWithYou => {
            "Avoid dates and years that are associated with you."
        }
    }
}
