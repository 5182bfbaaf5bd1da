import type { ArgumentReader } from '../argument-reader';
import { MAX_QUERY_LIMIT } from '../capabilities';
import { MethodError } from '../method-error';

/** The arguments every `/query` takes besides its own filter and sort. */
export const QUERY_WINDOW_ARGUMENTS = ['position', 'anchor', 'anchorOffset', 'limit', 'calculateTotal'] as const;

/**
 * Cuts the sorted, filtered ids to the window the client asked for (RFC 8620 section 5.5): `anchor`
 * (with `anchorOffset`) wins over `position`; a negative position counts from the end; the limit is
 * capped at `MAX_QUERY_LIMIT`, and reported when the server set or changed it.
 */
export function applyQueryWindow(
  ids: readonly string[],
  reader: ArgumentReader,
  resolveAnchor: (id: string) => string | undefined,
): Record<string, unknown> {
  const requestedLimit = reader.unsignedInt('limit');
  const limit = requestedLimit === null ? MAX_QUERY_LIMIT : Math.min(requestedLimit, MAX_QUERY_LIMIT);
  const anchorArgument = reader.optionalString('anchor');
  const anchorOffset = reader.int('anchorOffset', 0);
  let position = reader.int('position', 0);
  if (anchorArgument !== null) {
    const anchorId = resolveAnchor(anchorArgument);
    const index = anchorId === undefined ? -1 : ids.indexOf(anchorId);
    if (index < 0) throw new MethodError('anchorNotFound', `"${anchorArgument}" is not in the results`);
    position = Math.max(0, index + anchorOffset);
  } else if (position < 0) {
    position = Math.max(0, ids.length + position);
  }
  const response: Record<string, unknown> = {
    position,
    ids: ids.slice(position, position + limit),
  };
  if (reader.boolean('calculateTotal', false)) response.total = ids.length;
  if (limit !== requestedLimit) response.limit = limit;
  return response;
}
