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
    const char = text[i];
    if (char === '{') {
      open.push(new Set());
      expectingName = true;
    } else if (char === '[') {
      open.push(null);
      expectingName = false;
    } else if (char === '}' || char === ']') {
      open.pop();
      expectingName = false;
    } else if (char === ',') {
      expectingName = open[open.length - 1] instanceof Set;
    } else if (char === '"') {
      const end = closingQuote(text, i);
      const raw = text.slice(i + 1, end);
      // Only an escape can spell a surrogate or make two different spellings of one name.
      const value = raw.includes('\\') ? (JSON.parse(text.slice(i, end + 1)) as string) : raw;
      if (raw.includes('\\') && hasLoneSurrogate(value)) return 'a string holds a lone surrogate';
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

/** The index of the quote that ends the string opened at `start`. */
function closingQuote(text: string, start: number): number {
  let i = start + 1;
  while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
  return i;
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
