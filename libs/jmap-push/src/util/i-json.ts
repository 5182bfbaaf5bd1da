/** The characters the scan looks at, as UTF-16 code units. */
const OPEN_BRACE = 0x7b; // {
const CLOSE_BRACE = 0x7d; // }
const OPEN_BRACKET = 0x5b; // [
const CLOSE_BRACKET = 0x5d; // ]
const COMMA = 0x2c;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Why a JSON text is not I-JSON (RFC 7493), or `undefined` when it is. The text must already parse as
 * JSON: `JSON.parse` quietly keeps the last of duplicate member names (section 2.3) and accepts escaped
 * lone surrogates (section 2.1), so one pass over the text finds both. Raw lone surrogates cannot occur:
 * the text was decoded from strict UTF-8.
 */
export function iJsonViolation(text: string): string | undefined {
  /** One entry per open container: the member names of an object so far, or `null` for an array. */
  const open: Array<Set<string> | null> = [];
  let expectingName = false;
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i);
    if (char === OPEN_BRACE) {
      open.push(new Set());
      expectingName = true;
    } else if (char === OPEN_BRACKET) {
      open.push(null);
      expectingName = false;
    } else if (char === CLOSE_BRACE || char === CLOSE_BRACKET) {
      open.pop();
      expectingName = false;
    } else if (char === COMMA) {
      expectingName = open[open.length - 1] instanceof Set;
    } else if (char === QUOTE) {
      const end = closingQuote(text, i);
      const raw = text.slice(i + 1, end);
      // Only an escape can spell a surrogate or make two different spellings of one name.
      const escaped = raw.includes('\\');
      const value = escaped ? (JSON.parse(text.slice(i, end + 1)) as string) : raw;
      if (escaped && hasLoneSurrogate(value)) return 'a string holds a lone surrogate';
      const names = open[open.length - 1];
      if (expectingName && names) {
        if (names.has(value)) return `an object has the member name ${JSON.stringify(value)} twice`;
        names.add(value);
        expectingName = false;
      }
      i = end;
    }
  }
  return undefined;
}

/**
 * The index of the quote that ends the string opened at `start`: the next quote after an even run of
 * backslashes. Each run is looked at once, so this is linear however the string is made.
 */
function closingQuote(text: string, start: number): number {
  let quote = text.indexOf('"', start + 1);
  for (;;) {
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote;
    quote = text.indexOf('"', quote + 1);
  }
}

function hasLoneSurrogate(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const unit = value.charCodeAt(i);
    if (unit >= 0xdc00 && unit <= 0xdfff) return true;
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = value.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return true;
      i++;
    }
  }
  return false;
}
