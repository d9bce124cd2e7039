// Ticket tokens read in the browser, for the offline verdict. A token is base45(payload || signature):
// payload = 14 bytes big-endian — version u8 (1), key id u8, ticket id u32, activity id u32, issued at u32 (unix
// seconds) — and signature = Ed25519 over the payload (64 bytes). The signature is checked with WebCrypto's
// Ed25519 where the browser has it, else with the vendored @noble/ed25519 (pure JS).

import { decodeBase45 } from "./base45.js";

export const PAYLOAD_LENGTH = 14;
export const SIGNATURE_LENGTH = 64;
export const VERSION = 1;

/** The fields of a token, or null when the text is not one (wrong alphabet, length or version). */
export function parseToken(text) {
  let bytes;
  try {
    // as the server reads it: line ends dropped, upper case (a wedge scanner with Caps Lock on inverts letters)
    bytes = decodeBase45(String(text).replace(/^[\r\n\t]+|[\r\n\t]+$/g, "").toUpperCase());
  } catch (_) {
    return null;
  }
  if (bytes.length !== PAYLOAD_LENGTH + SIGNATURE_LENGTH) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint8(0);
  if (version !== VERSION) return null;
  return {
    version,
    keyId: view.getUint8(1),
    ticketId: view.getUint32(2),
    activityId: view.getUint32(6),
    issuedAt: view.getUint32(10),
    payload: bytes.slice(0, PAYLOAD_LENGTH),
    signature: bytes.slice(PAYLOAD_LENGTH),
  };
}

/** Bytes of a base64url string (the public keys of /checkin/api/keys). */
export function fromBase64Url(text) {
  const b64 = text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4);
  const raw = atob(b64);
  return Uint8Array.from(raw, (c) => c.charCodeAt(0));
}

let webCryptoWorks = null; // null: not tried yet

async function verifyWebCrypto(publicKey, signature, payload) {
  const key = await crypto.subtle.importKey("raw", publicKey, { name: "Ed25519" }, false, ["verify"]);
  return crypto.subtle.verify({ name: "Ed25519" }, key, signature, payload);
}

async function verifyNoble(publicKey, signature, payload) {
  const ed = await import("../../vendor/noble-ed25519/index.js");
  return ed.verifyAsync(signature, payload, publicKey);
}

/** Which verifier this browser uses: "webcrypto" or "noble" (after the first check). */
export function verifierName() {
  return webCryptoWorks === false ? "noble" : "webcrypto";
}

/** Force the pure-JS verifier (the tests use this to check the fallback in a browser that has WebCrypto). */
export function useNoble() {
  webCryptoWorks = false;
}

/** True when the token's signature is good under the key it names. `keys` is the list of the sync answer:
 * [{id, algorithm, public_key}]. */
export async function verifyToken(token, keys) {
  const entry = (keys || []).find((k) => k.id === token.keyId && k.algorithm === "Ed25519");
  if (!entry) return false;
  const publicKey = fromBase64Url(entry.public_key);
  if (publicKey.length !== 32) return false;
  if (webCryptoWorks !== false && globalThis.crypto && crypto.subtle) {
    try {
      const ok = await verifyWebCrypto(publicKey, token.signature, token.payload);
      webCryptoWorks = true;
      return ok;
    } catch (_) {
      webCryptoWorks = false; // no Ed25519 in this browser's WebCrypto: use the pure-JS verifier from now on
    }
  }
  try {
    return await verifyNoble(publicKey, token.signature, token.payload);
  } catch (_) {
    return false;
  }
}
