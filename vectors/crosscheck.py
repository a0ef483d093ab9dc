#!/usr/bin/env python3
"""Checks linkspec's crypto test vectors (vectors/crypto.json) with an implementation that is not
linkspec's: libsodium through PyNaCl (Debian: apt-get install python3-nacl) and Python's own
hashlib/hmac/json/struct. Every output is recomputed here from the vector's inputs, including the
canonical bytes (details layout, signed messages, device-list JSON), never copied from the file.

Usage: /usr/bin/python3 vectors/crosscheck.py [vectors-dir]
Exit 0: every vector agrees. 1: a vector disagrees (each printed). 2: PyNaCl is missing or the file
cannot be read. The last line is 'N passed, N failed'.
"""
import base64
import hashlib
import hmac
import json
import os
import struct
import sys

try:
    from nacl.public import Box, PrivateKey, PublicKey
    from nacl.signing import SigningKey, VerifyKey
except ImportError:
    print("crosscheck.py: PyNaCl is missing: apt-get install python3-nacl (and run Debian's /usr/bin/python3)", file=sys.stderr)
    sys.exit(2)

B = bytes.fromhex


def b64(data):
    return base64.b64encode(data).decode("ascii")


def signing_key(seed_hex):
    return SigningKey(B(seed_hex))


def check_signing_key(v):
    public = bytes(signing_key(v["input"]["seed"]).verify_key)
    return {"publicKey": public.hex(), "publicKeyBase64": b64(public)}


def check_box_key(v):
    public = bytes(PrivateKey(B(v["input"]["secretKey"])).public_key)
    return {"publicKey": public.hex(), "publicKeyBase64": b64(public)}


def check_details(v):
    i = v["input"]
    return {"bytes": struct.pack(">IQI", i["rawId"], i["timestamp"], i["keyIndex"]).hex()}


def check_hmac(v):
    i = v["input"]
    return {"hmac": hmac.new(B(i["linkingSecret"]), B(i["details"]), hashlib.sha256).hexdigest()}


def sign_checked(seed_hex, message):
    key = signing_key(seed_hex)
    signature = key.sign(message).signature
    key.verify_key.verify(message, signature)  # raises if libsodium disagrees with itself
    return signature


def check_account_signature(v):
    i = v["input"]
    message = b"\x06\x00" + B(i["details"]) + B(i["companionIdentityPublic"])
    return {"message": message.hex(), "signature": sign_checked(i["primarySeed"], message).hex()}


def check_device_signature(v):
    i = v["input"]
    message = b"\x06\x01" + B(i["details"]) + B(i["companionIdentityPublic"]) + B(i["primaryIdentityPublic"])
    return {"message": message.hex(), "signature": sign_checked(i["companionSeed"], message).hex()}


def utf16_key(text):
    # JavaScript compares strings by UTF-16 code units.
    return text.encode("utf-16-be")


def canonical_device_list(lst):
    devices = sorted(([d["id"], d["identityKey"]] for d in lst["devices"]), key=lambda d: (utf16_key(d[0]), utf16_key(d[1])))
    return json.dumps([lst["account"], lst["version"], devices], separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def check_device_list(v):
    i = v["input"]
    data = canonical_device_list(i["list"])
    message = b"\x06\x02" + data
    return {"canonicalText": data.decode("utf-8"), "canonicalBytes": data.hex(), "message": message.hex(), "signature": sign_checked(i["primarySeed"], message).hex()}


def check_envelope(v):
    i = v["input"]
    box = Box(PrivateKey(B(i["senderBoxSecret"])), PublicKey(B(i["recipientBoxPublic"])))
    ciphertext = box.encrypt(B(i["plaintext"]), B(i["nonce"])).ciphertext
    # The recipient opens it with its own secret and the sender's public key.
    opened = Box(PrivateKey(B(i["recipientBoxSecret"])), PublicKey(B(i["senderBoxPublic"]))).decrypt(ciphertext, B(i["nonce"]))
    assert opened == B(i["plaintext"])
    return {"ciphertext": ciphertext.hex(), "wire": {"nonce": b64(B(i["nonce"])), "ciphertext": b64(ciphertext)}}


def check_qr_text(v):
    i = v["input"]
    fields = [i["ref"], i["noisePublic"], i["identityPublic"], i["advSecret"]]
    if "platform" in i:
        fields.append(i["platform"])
    return {"text": ",".join(fields)}


def check_code_from_bytes(v):
    i = v["input"]
    alphabet = i["alphabet"]
    bits = len(alphabet).bit_length() - 1
    value = int.from_bytes(B(i["bytes"]), "big")
    total = len(B(i["bytes"])) * 8
    code = "".join(alphabet[(value >> (total - bits * (k + 1))) & ((1 << bits) - 1)] for k in range(i["length"]))
    return {"code": code, "shown": "-".join(code[k:k + 4] for k in range(0, len(code), 4))}


def check_normalise(v):
    i = v["input"]
    alphabet = i["alphabet"]
    out = []
    for ch in i["typed"]:
        if ch == "-" or ch.isspace():
            continue
        c = ch if ch in alphabet else ch.upper()
        if c not in alphabet:
            return {"code": None}
        out.append(c)
    return {"code": "".join(out) if len(out) == i["length"] else None}


def check_kdf(v):
    i = v["input"]
    return {"key": hashlib.pbkdf2_hmac("sha256", i["code"].encode("utf-8"), B(i["salt"]), i["iterations"], 32).hex()}


CHECKS = {
    "signing-key-from-seed": check_signing_key,
    "box-key-from-secret": check_box_key,
    "link-details": check_details,
    "details-hmac": check_hmac,
    "account-signature": check_account_signature,
    "device-signature": check_device_signature,
    "device-list": check_device_list,
    "sealed-envelope": check_envelope,
    "qr-text": check_qr_text,
    "pairing-code-from-bytes": check_code_from_bytes,
    "pairing-code-normalise": check_normalise,
    "pairing-code-kdf": check_kdf,
}


def main():
    directory = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    try:
        with open(os.path.join(directory, "crypto.json"), encoding="utf-8") as f:
            vectors = json.load(f)["vectors"]
    except (OSError, ValueError, KeyError) as error:
        print(f"crosscheck.py: cannot read {directory}/crypto.json: {error}", file=sys.stderr)
        sys.exit(2)
    passed = failed = 0
    for v in vectors:
        check = CHECKS.get(v["kind"])
        if check is None:
            print(f"FAIL {v['id']}: no independent check for kind {v['kind']!r}")
            failed += 1
            continue
        try:
            got = check(v)
        except Exception as error:  # a libsodium refusal is a disagreement, reported as such
            got = {"error": repr(error)}
        if got == v["output"]:
            passed += 1
        else:
            failed += 1
            print(f"FAIL {v['id']}: expected {json.dumps(v['output'], ensure_ascii=False)[:300]}, independent {json.dumps(got, ensure_ascii=False)[:300]}")
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
