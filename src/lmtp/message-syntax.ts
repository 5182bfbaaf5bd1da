/**
 * A cheap structural check before a message is parsed: mailparser accepts nearly anything (it is built
 * to salvage real-world mail), so "malformed" is decided here. A message must start with a header
 * section of RFC 5322 fields (`name: value`, folded lines starting with white space), carry a From
 * field, and contain no NUL bytes.
 */
export function findSyntaxProblem(raw: Buffer): string | undefined {
  if (raw.length === 0) return 'the message is empty';
  if (raw.includes(0)) return 'the message contains NUL bytes';
  const text = raw.toString('latin1');
  const end = text.search(/\r?\n\r?\n/);
  const header = end < 0 ? text : text.slice(0, end);
  const lines = header.split(/\r?\n/);
  let fields = 0;
  let hasFrom = false;
  for (const [index, line] of lines.entries()) {
    if (/^[ \t]/.test(line)) {
      if (index === 0) return 'the message starts with a continuation line';
      continue;
    }
    const match = /^([\x21-\x39\x3b-\x7e]+)[ \t]*:/.exec(line);
    if (!match) return `line ${index + 1} of the header is not a header field`;
    fields++;
    if (match[1].toLowerCase() === 'from') hasFrom = true;
  }
  if (fields === 0) return 'the message has no header fields';
  if (!hasFrom) return 'the message has no From field';
  return undefined;
}
