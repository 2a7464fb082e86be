"""Encrypted (safe) mode, WXBizMsgCrypt-compatible."""

from __future__ import annotations

import base64
import hashlib
import shutil
import struct
import subprocess

import defusedxml.ElementTree as SafeET
import pytest

from shared.wechat import MessageCrypto, PushCryptoError

TOKEN = "pamtest"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
APPID = "wxb11529c136998cb6"
RANDOM = b"0123456789abcdef"
XML = "<xml><ToUserName><![CDATA[gh_test]]></ToUserName><Content><![CDATA[你好]]></Content></xml>"
# Derived with these inputs by MessageCrypto.encrypt and checked independently with the
# openssl CLI below; a regression vector, not one from WeChat's documentation.
VECTOR = (
    "Q3stYC6hdFzMh9T8HCvyDH9UTgHrzXvXNY6dSnJMj7GP6PBSWAA5ouBgYZXATrrqd7zsjLTEn8y8soLZld8E5d1t"
    "rgJ5EXS9udiZfNea/NhZHPOtZDaWmWeJPcXZ15BJx7hb9K1K+z/LC80DLP03A55fOCnYt9cMugDQTmjvE4idz/aS"
    "gb2GLkzHllU9Zs7Vr2tQUxXROzABLODKIXC99A=="
)
NOW = 1_409_304_348.0


@pytest.fixture
def crypto() -> MessageCrypto:
    return MessageCrypto(TOKEN, AES_KEY, APPID, random_bytes=lambda n: RANDOM[:n])


def test_fixed_vector_encrypts_and_decrypts(crypto: MessageCrypto) -> None:
    assert crypto.encrypt(XML.encode()) == VECTOR
    assert crypto.decrypt(VECTOR).decode() == XML


def test_fixed_vector_matches_an_independent_aes_implementation() -> None:
    # Fails rather than skips: without the CLI the vector would go unchecked unnoticed.
    assert shutil.which("openssl"), "needs the openssl CLI (Debian: apt-get install openssl)"
    key = base64.b64decode(AES_KEY + "=")
    body = RANDOM + struct.pack(">I", len(XML.encode())) + XML.encode() + APPID.encode()
    pad = 32 - len(body) % 32
    decrypted = subprocess.run(
        ["openssl", "enc", "-d", "-aes-256-cbc", "-nopad", "-K", key.hex(), "-iv", key[:16].hex()],
        input=base64.b64decode(VECTOR),
        capture_output=True,
        check=True,
    ).stdout

    assert decrypted == body + bytes([pad]) * pad


def test_random_round_trip_with_default_randomness() -> None:
    crypto = MessageCrypto(TOKEN, AES_KEY, APPID)
    xml = b"<xml><Content>" + "长消息".encode() * 100 + b"</Content></xml>"

    first, second = crypto.encrypt(xml), crypto.encrypt(xml)

    assert first != second
    assert crypto.decrypt(first) == crypto.decrypt(second) == xml


@pytest.mark.parametrize("length", [0, 11, 12, 31, 32, 33, 64])
def test_padding_is_to_32_byte_blocks(crypto: MessageCrypto, length: int) -> None:
    xml = b"x" * length
    raw = base64.b64decode(crypto.encrypt(xml))

    assert len(raw) % 32 == 0
    assert crypto.decrypt(crypto.encrypt(xml)) == xml


def test_other_appid_is_rejected(crypto: MessageCrypto) -> None:
    other = MessageCrypto(TOKEN, AES_KEY, "wx-other")

    with pytest.raises(PushCryptoError, match="appid"):
        other.decrypt(crypto.encrypt(b"<xml/>"))


def test_tampered_ciphertext_is_rejected(crypto: MessageCrypto) -> None:
    raw = bytearray(base64.b64decode(VECTOR))
    raw[-1] ^= 0xFF

    with pytest.raises(PushCryptoError):
        crypto.decrypt(base64.b64encode(bytes(raw)).decode())


def test_garbage_is_rejected(crypto: MessageCrypto) -> None:
    with pytest.raises(PushCryptoError):
        crypto.decrypt("not base64 at all!")
    with pytest.raises(PushCryptoError):
        crypto.decrypt(base64.b64encode(b"short").decode())


def test_bad_encoding_aes_key_is_refused() -> None:
    with pytest.raises(ValueError, match="43"):
        MessageCrypto(TOKEN, "short", APPID)


def _envelope(encrypted: str) -> bytes:
    return (
        "<xml><ToUserName><![CDATA[gh]]></ToUserName>"
        f"<Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
    ).encode()


def test_decrypt_message_checks_signature_and_freshness(crypto: MessageCrypto) -> None:
    ts, nonce = "1409304348", "xxxxxx"
    signature = hashlib.sha1("".join(sorted([TOKEN, ts, nonce, VECTOR])).encode()).hexdigest()
    body = _envelope(VECTOR)

    xml = crypto.decrypt_message(body, msg_signature=signature, timestamp=ts, nonce=nonce, now=NOW)
    assert parse_message_fields(xml)["Content"] == "你好"

    with pytest.raises(PushCryptoError, match="msg_signature"):
        crypto.decrypt_message(body, msg_signature="0" * 40, timestamp=ts, nonce=nonce, now=NOW)
    with pytest.raises(PushCryptoError, match="stale"):
        crypto.decrypt_message(
            body, msg_signature=signature, timestamp=ts, nonce=nonce, now=NOW + 301
        )


def test_decrypt_message_rejects_unsafe_xml(crypto: MessageCrypto) -> None:
    body = b'<!DOCTYPE x [<!ENTITY a "b">]><xml><Encrypt>&a;</Encrypt></xml>'

    with pytest.raises(PushCryptoError):
        crypto.decrypt_message(body, msg_signature="", timestamp="1", nonce="n", now=1)


def test_encrypted_reply_is_readable_by_the_receiving_side(crypto: MessageCrypto) -> None:
    reply = b"<xml><Content><![CDATA[ok]]></Content></xml>"
    envelope = crypto.encrypt_reply(reply, timestamp="1409304348", nonce="abc")

    fields = parse_message_fields(envelope)
    assert fields["TimeStamp"] == "1409304348"
    assert fields["Nonce"] == "abc"
    assert fields["MsgSignature"] == crypto.signature("1409304348", "abc", fields["Encrypt"])
    assert (
        crypto.decrypt_message(
            envelope,
            msg_signature=fields["MsgSignature"],
            timestamp="1409304348",
            nonce="abc",
            now=NOW,
        )
        == reply
    )


def parse_message_fields(xml: bytes) -> dict[str, str]:
    return {child.tag: child.text or "" for child in SafeET.fromstring(xml)}
