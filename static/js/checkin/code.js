// A ticket's short code as volunteers type it: the twin of checkin/services/tokens.py normalise_code (a browser
// test runs both on one table and compares). Forgiven: full-width characters (NFKC), spaces, any dash look-alike
// or no dash at all, lower case, and O, I, L for 0, 1, 1 (letters Crockford's base32 leaves out).

const SPACES = /[\s\u200b-\u200d\u2060\ufeff]+/gu;
const DASHES = /[\u2010-\u2015\u2212\u2e3a\u2e3b\ufe58\ufe63\uff0d]/gu;
const PATTERN = /^([0-9]{1,10})-?([0-9A-Z]{4})$/;
const LOOK_ALIKES = { O: "0", I: "1", L: "1" };

/** The code in its printed form ("1234-K7QX"), or null when the text cannot be one. */
export function normaliseCode(text) {
  text = String(text ?? "");
  if ([...text].length > 64) return null; // a code is at most 15 characters; a token (117) is never one
  const cleaned = text
    .normalize("NFKC")
    .replace(SPACES, "")
    .replace(DASHES, "-")
    .toUpperCase()
    .replace(/[OIL]/g, (c) => LOOK_ALIKES[c]);
  const match = PATTERN.exec(cleaned);
  if (!match) return null;
  return `${match[1].replace(/^0+(?=[0-9])/, "")}-${match[2]}`;
}
