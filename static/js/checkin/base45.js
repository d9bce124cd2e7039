// Base45 (RFC 9285): the encoding of ticket tokens, chosen because its 45 characters are exactly the QR code's
// alphanumeric mode. Every 2 bytes are 3 characters (c + d*45 + e*45*45, least significant first); a last odd
// byte is 2 characters.

export const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

const VALUES = new Map(Array.from(ALPHABET, (ch, i) => [ch, i]));

export class Base45Error extends Error {
  constructor(message) {
    super(message);
    this.name = "Base45Error";
  }
}

/** The bytes a base45 string stands for; throws Base45Error on a character outside the alphabet, a length
 * that leaves one character over, or a group worth more than its bytes can hold. */
export function decodeBase45(text) {
  if (typeof text !== "string") throw new Base45Error("not a string");
  if (text.length % 3 === 1) throw new Base45Error("bad length");
  const out = new Uint8Array(Math.floor(text.length / 3) * 2 + (text.length % 3 === 2 ? 1 : 0));
  let o = 0;
  for (let i = 0; i < text.length; i += 3) {
    const group = text.slice(i, i + 3);
    let n = 0;
    for (let j = group.length - 1; j >= 0; j--) {
      const v = VALUES.get(group[j]);
      if (v === undefined) throw new Base45Error("bad character");
      n = n * 45 + v;
    }
    if (group.length === 3) {
      if (n > 0xffff) throw new Base45Error("group too large");
      out[o++] = n >> 8;
      out[o++] = n & 0xff;
    } else {
      if (n > 0xff) throw new Base45Error("group too large");
      out[o++] = n;
    }
  }
  return out;
}

/** The base45 text of some bytes (used by the tests and for symmetry). */
export function encodeBase45(bytes) {
  let text = "";
  for (let i = 0; i + 1 < bytes.length; i += 2) {
    let n = bytes[i] * 256 + bytes[i + 1];
    for (let k = 0; k < 3; k++) { text += ALPHABET[n % 45]; n = Math.floor(n / 45); }
  }
  if (bytes.length % 2 === 1) {
    let n = bytes[bytes.length - 1];
    text += ALPHABET[n % 45] + ALPHABET[Math.floor(n / 45)];
  }
  return text;
}
