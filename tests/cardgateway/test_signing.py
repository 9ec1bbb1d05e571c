"""The signature of GATEWAY.md, pinned by a fixed test vector (also in README.md)."""

import hashlib
import hmac

from cardgateway.signing import sign, string_to_sign, verify

VECTOR = {
    "secret": "vector-secret-do-not-use",
    "method": "POST",
    "path": "/gateway/v1/purchases",
    "timestamp": "1795425300",
    "nonce": "n0nce-0123456789abcdef",
    "body": b'{"txn_id":"T17-000123","card":"6037990000000006","amount":200000,'
    b'"redeem":0,"occurred_at":"2026-11-23T10:15:00+03:30"}',
}
BODY_SHA256 = "c5ed84866bce9011c2a943658686b056035b71a270220d707077fc093b8e687d"
SIGNATURE = "d771456517926a086ba28706ec07cdc0bf9c323da6fdade9755fc432f050edd5"


def args():
    v = VECTOR
    return v["method"], v["path"], v["timestamp"], v["nonce"], v["body"]


def test_fixed_vector_signs_to_the_documented_signature():
    assert sign(VECTOR["secret"], *args()) == SIGNATURE


def test_signed_string_is_five_lines_with_the_body_hash_last():
    assert string_to_sign(*args()) == (
        f"POST\n/gateway/v1/purchases\n1795425300\nn0nce-0123456789abcdef\n{BODY_SHA256}"
    )


def test_vector_matches_a_plain_hmac_computation():
    message = string_to_sign(*args()).encode()
    expected = hmac.new(VECTOR["secret"].encode(), message, hashlib.sha256).hexdigest()
    assert expected == SIGNATURE


def test_empty_body_hashes_the_empty_string():
    assert string_to_sign("get", "/p", "1", "n" * 16, b"").endswith(hashlib.sha256(b"").hexdigest())
    assert string_to_sign("get", "/p", "1", "n" * 16, b"").startswith("GET\n")


def test_verify_accepts_the_vector_and_refuses_any_change():
    assert verify(VECTOR["secret"], SIGNATURE, *args())
    assert not verify(VECTOR["secret"], SIGNATURE.upper(), *args())
    assert not verify("other", SIGNATURE, *args())
    method, path, timestamp, nonce, body = args()
    assert not verify(VECTOR["secret"], SIGNATURE, method, path, "1795425301", nonce, body)
    assert not verify(VECTOR["secret"], SIGNATURE, method, path, timestamp, nonce, body + b" ")
