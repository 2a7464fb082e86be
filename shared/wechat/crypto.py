"""Encrypted ("safe") mode of the push endpoint, compatible with WeChat's WXBizMsgCrypt.

- key = base64decode(EncodingAESKey + "="), 32 bytes; AES-256-CBC with iv = key[:16]
- plaintext = 16 random bytes + len(xml) as 4-byte big-endian + xml + appid,
  PKCS#7-padded to a multiple of **32** bytes (not AES's 16)
- ``Encrypt`` = base64(ciphertext); ``msg_signature`` = sha1(sorted [token, timestamp,
  nonce, Encrypt] concatenated), hex.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import struct
from collections.abc import Callable
from typing import Any
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeET
from Crypto.Cipher import AES
from defusedxml import DefusedXmlException

__all__ = [
    "DEFAULT_MAX_BYTES",
    "PAD_BLOCK",
    "MessageCrypto",
    "PushCryptoError",
    "cdata",
    "safe_fromstring",
    "sha1_signature",
    "timestamp_is_fresh",
]

PAD_BLOCK = 32
DEFAULT_MAX_BYTES = 64 * 1024


class PushCryptoError(ValueError):
    """An encrypted push failed its signature, freshness, decryption or appid check."""


def sha1_signature(*parts: str) -> str:
    """Hex sha1 of the parts sorted and concatenated, as WeChat signs pushes."""
    return hashlib.sha1("".join(sorted(parts)).encode("utf-8")).hexdigest()


def cdata(text: str) -> str:
    """Wrap ``text`` in CDATA, splitting any ``]]>`` it contains."""
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def safe_fromstring(xml: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Element:
    """Parse untrusted XML: size-limited, no DTD, no entities; raises ValueError subclasses."""
    if len(xml) > max_bytes:
        raise ValueError(f"XML body of {len(xml)} bytes exceeds the {max_bytes}-byte limit")
    try:
        root: Element = SafeET.fromstring(xml, forbid_dtd=True)
    except (DefusedXmlException, ParseError) as exc:
        raise ValueError(f"unsafe or malformed XML: {type(exc).__name__}: {exc}") from exc
    return root


def _pad(data: bytes) -> bytes:
    amount = PAD_BLOCK - len(data) % PAD_BLOCK
    return data + bytes([amount]) * amount


def _unpad(data: bytes) -> bytes:
    amount = data[-1] if data else 0
    if not 1 <= amount <= PAD_BLOCK or data[-amount:] != bytes([amount]) * amount:
        raise PushCryptoError("bad padding")
    return data[:-amount]


class MessageCrypto:
    """Encrypts and decrypts pushes for one account (token, EncodingAESKey, appid)."""

    def __init__(
        self,
        token: str,
        encoding_aes_key: str,
        appid: str,
        *,
        random_bytes: Callable[[int], bytes] = os.urandom,
    ) -> None:
        if len(encoding_aes_key) != 43:
            raise ValueError("EncodingAESKey must be 43 characters")
        try:
            key = base64.b64decode(encoding_aes_key + "=", validate=True)
        except binascii.Error as exc:
            raise ValueError("EncodingAESKey is not valid base64") from exc
        self._token = token
        self._key = key
        self._appid = appid.encode("utf-8")
        self._random_bytes = random_bytes

    def _cipher(self) -> Any:
        return AES.new(self._key, AES.MODE_CBC, iv=self._key[:16])

    def signature(self, timestamp: str, nonce: str, encrypted: str) -> str:
        """The ``msg_signature`` for an ``Encrypt`` value."""
        return sha1_signature(self._token, timestamp, nonce, encrypted)

    def encrypt(self, xml: bytes) -> str:
        """Encrypt a message; returns the base64 ``Encrypt`` value."""
        plain = self._random_bytes(16) + struct.pack(">I", len(xml)) + xml + self._appid
        return base64.b64encode(self._cipher().encrypt(_pad(plain))).decode("ascii")

    def decrypt(self, encrypted: str) -> bytes:
        """Decrypt an ``Encrypt`` value, check its appid and return the inner XML."""
        try:
            raw = base64.b64decode(encrypted, validate=True)
        except binascii.Error as exc:
            raise PushCryptoError("Encrypt is not valid base64") from exc
        if not raw or len(raw) % AES.block_size:
            raise PushCryptoError("ciphertext length is not a multiple of the AES block")
        plain = _unpad(self._cipher().decrypt(raw))
        if len(plain) < 20:
            raise PushCryptoError("plaintext too short")
        (length,) = struct.unpack(">I", plain[16:20])
        xml, appid = plain[20 : 20 + length], plain[20 + length :]
        if len(xml) != length:
            raise PushCryptoError("declared length exceeds the plaintext")
        if not hmac.compare_digest(appid, self._appid):
            raise PushCryptoError("appid mismatch")
        return xml

    def decrypt_message(
        self,
        body: bytes,
        *,
        msg_signature: str,
        timestamp: str,
        nonce: str,
        now: float,
        max_skew: float = 300,
    ) -> bytes:
        """Check and decrypt an encrypted push body; returns the plain message XML."""
        try:
            root = safe_fromstring(body)
        except ValueError as exc:
            raise PushCryptoError(str(exc)) from exc
        encrypted = (root.findtext("Encrypt") or "").strip()
        if not encrypted:
            raise PushCryptoError("no Encrypt element")
        expected = self.signature(timestamp, nonce, encrypted)
        if not hmac.compare_digest(expected, msg_signature.lower()):
            raise PushCryptoError("msg_signature mismatch")
        if not timestamp_is_fresh(timestamp, now, max_skew):
            raise PushCryptoError("stale or invalid timestamp")
        return self.decrypt(encrypted)

    def encrypt_reply(self, xml: bytes, *, timestamp: str, nonce: str) -> bytes:
        """Wrap a passive reply in the encrypted envelope WeChat expects."""
        encrypted = self.encrypt(xml)
        return (
            "<xml>"
            f"<Encrypt>{cdata(encrypted)}</Encrypt>"
            f"<MsgSignature>{cdata(self.signature(timestamp, nonce, encrypted))}</MsgSignature>"
            f"<TimeStamp>{int(timestamp)}</TimeStamp>"
            f"<Nonce>{cdata(nonce)}</Nonce>"
            "</xml>"
        ).encode()


def timestamp_is_fresh(timestamp: str, now: float, max_skew: float) -> bool:
    """True when ``timestamp`` (epoch seconds, as text) is within ``max_skew`` of ``now``."""
    try:
        sent = int(timestamp)
    except ValueError:
        return False
    return abs(now - sent) <= max_skew
