"""The password policy: at least 3 of 4 character classes, Chinese messages (等保 CES1-01)."""

from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import password_validators_help_texts, validate_password
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from parkcredit.accounts.passwords import CharacterClassValidator, character_classes

SAMPLES = {0: "ABCDEFGH", 1: "abcdefgh", 2: "12345678", 3: "!@#$%^&*"}


@pytest.mark.parametrize("password", ["abcDEF12", "abc123!!", "ABC123!!", "Abc!defg", "Aa1!Aa1!"])
def test_three_or_four_classes_pass(password: str) -> None:
    CharacterClassValidator().validate(password)


@pytest.mark.parametrize("password", ["abcdefgh", "abcdEFGH", "abcd1234", "12345678", "!!!!aaaa"])
def test_fewer_than_three_classes_fail_with_a_chinese_message(password: str) -> None:
    with pytest.raises(ValidationError) as exc:
        CharacterClassValidator().validate(password)
    assert exc.value.code == "password_too_few_character_classes"
    message = exc.value.messages[0]
    assert "至少要包含" in message
    assert f"当前只有 {len(character_classes(password))} 类" in message


def test_message_names_the_missing_classes() -> None:
    with pytest.raises(ValidationError) as exc:
        CharacterClassValidator().validate("abcd1234")
    assert "缺少:大写字母、符号" in exc.value.messages[0]


def test_chinese_characters_count_as_symbols() -> None:
    assert character_classes("园区") == {3}
    CharacterClassValidator().validate("abc123园区")


def test_min_classes_is_configurable_and_checked() -> None:
    CharacterClassValidator(min_classes=2).validate("abcd1234")
    with pytest.raises(ValidationError):
        CharacterClassValidator(min_classes=4).validate("abcD1234")
    with pytest.raises(ValueError, match="min_classes"):
        CharacterClassValidator(min_classes=5)


def test_help_text_is_chinese_and_in_the_configured_chain(db: object) -> None:
    assert "3 类" in CharacterClassValidator().get_help_text()
    assert any("大写字母" in text for text in password_validators_help_texts())


def test_configured_chain_rejects_short_and_single_class_passwords(db: object) -> None:
    with pytest.raises(ValidationError) as exc:
        validate_password("abcdefg")
    messages = " ".join(exc.value.messages)
    assert "大写字母" in messages
    validate_password("Credit#2026park")


@given(classes=st.sets(st.sampled_from(sorted(SAMPLES)), min_size=1), repeat=st.integers(1, 3))
def test_passes_exactly_when_three_classes_are_present(classes: set[int], repeat: int) -> None:
    password = "".join(SAMPLES[c][:2] * repeat for c in sorted(classes))
    validator = CharacterClassValidator()
    if len(classes) >= 3:
        validator.validate(password)
    else:
        with pytest.raises(ValidationError):
            validator.validate(password)
