import base64
import hashlib

import pytest
from cryptography.exceptions import InvalidTag
from hypothesis import given
from hypothesis import strategies as st

from frontline.core import crypto

ID_NUMBER = "42022219900517001X"


@given(st.text(min_size=1))
def test_a_value_survives_encryption_and_decryption(value):
    assert crypto.decrypt(crypto.encrypt(value)) == value


def test_the_ciphertext_does_not_contain_the_value():
    token = crypto.encrypt(ID_NUMBER)
    assert token.startswith("v1:")
    assert ID_NUMBER not in token
    assert ID_NUMBER.encode() not in base64.urlsafe_b64decode(token[3:])


def test_the_same_value_encrypts_differently_each_time():
    tokens = {crypto.encrypt(ID_NUMBER) for _ in range(20)}
    assert len(tokens) == 20
    assert {crypto.decrypt(t) for t in tokens} == {ID_NUMBER}


def test_the_empty_value_stays_empty():
    assert crypto.encrypt("") == ""
    assert crypto.decrypt("") == ""
    assert crypto.keyed_hash("") == ""


def test_a_tampered_ciphertext_is_refused():
    raw = bytearray(base64.urlsafe_b64decode(crypto.encrypt(ID_NUMBER)[3:]))
    raw[-1] ^= 1
    with pytest.raises(InvalidTag):
        crypto.decrypt("v1:" + base64.urlsafe_b64encode(bytes(raw)).decode())


def test_an_unknown_ciphertext_format_is_refused():
    with pytest.raises(ValueError, match="unknown ciphertext format"):
        crypto.decrypt("plain text")


def test_a_value_encrypted_under_another_key_cannot_be_read(settings):
    token = crypto.encrypt(ID_NUMBER)
    settings.FRONTLINE_DATA_KEY = "another-deployment-key"
    with pytest.raises(InvalidTag):
        crypto.decrypt(token)


def test_the_keyed_hash_is_stable_and_ignores_case_and_surrounding_spaces():
    assert crypto.keyed_hash(ID_NUMBER) == crypto.keyed_hash(ID_NUMBER)
    assert crypto.keyed_hash(f"  {ID_NUMBER.lower()} ") == crypto.keyed_hash(ID_NUMBER)
    assert len(crypto.keyed_hash(ID_NUMBER)) == 64


@given(st.text(min_size=1).map(str.strip).filter(bool), st.text(min_size=1).map(str.strip).filter(bool))
def test_different_values_have_different_keyed_hashes(a, b):
    if a.upper() != b.upper():
        assert crypto.keyed_hash(a) != crypto.keyed_hash(b)


def test_the_keyed_hash_depends_on_the_key_so_it_cannot_be_guessed_from_the_value(settings):
    before = crypto.keyed_hash(ID_NUMBER)
    assert before != hashlib.sha256(ID_NUMBER.encode()).hexdigest()
    settings.FRONTLINE_DATA_KEY = "another-deployment-key"
    assert crypto.keyed_hash(ID_NUMBER) != before


def test_the_keyed_hash_and_the_encryption_use_different_keys():
    assert crypto._hash_key() != crypto._encryption_key()
