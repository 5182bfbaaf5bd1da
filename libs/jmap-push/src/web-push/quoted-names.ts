/** Names as the client sent them, for an error description: the first ten, each cut to 64 characters. */
export function quoted(names: readonly string[]): string {
  return [...new Set(names)]
    .slice(0, 10)
    .map((name) => JSON.stringify(name.slice(0, 64)))
    .join(', ');
}
