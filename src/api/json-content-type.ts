/**
 * Whether a `Content-Type` is `application/json` (RFC 8620 section 3.1: "The content type of the
 * request MUST be application/json"), parameters allowed except a charset other than UTF-8 (JSON is
 * UTF-8, RFC 8259 section 8.1). Anything else, a missing header included, is `notJSON`: what a
 * cross-site `<form>` can send (`text/plain`, form encodings) must never run methods.
 */
export function isJsonContentType(header: string | undefined): boolean {
  if (header === undefined) return false;
  const [type, ...parameters] = header.split(';');
  if (type.trim().toLowerCase() !== 'application/json') return false;
  return parameters.every((parameter) => {
    const [name, value = ''] = parameter.split('=');
    if (name.trim().toLowerCase() !== 'charset') return true;
    const charset = value
      .trim()
      .replace(/^"(.*)"$/, '$1')
      .toLowerCase();
    return charset === 'utf-8' || charset === 'utf8';
  });
}
