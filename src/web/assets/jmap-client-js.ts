/**
 * The page's JMAP calls (`jmap-client.js`, an ES module): the API over `fetch` with the credentials the
 * page holds in memory, and the push sign-in that sets the channels' cookies. A string here only so
 * `tsc` copies it into `dist/` (hence no backticks in it).
 */
export const JMAP_CLIENT_JS = String.raw`
const CORE = 'urn:ietf:params:jmap:core';
const MAIL = 'urn:ietf:params:jmap:mail';

export function basic(username, password) {
  const bytes = new TextEncoder().encode(username + ':' + password);
  return 'Basic ' + btoa(String.fromCharCode(...bytes));
}

/** One JMAP request; answers the method responses, throwing on an HTTP or method-level error. */
export async function jmap(session, authorization, methodCalls) {
  const response = await fetch(session.apiUrl, {
    method: 'POST',
    headers: { Authorization: authorization, 'Content-Type': 'application/json' },
    body: JSON.stringify({ using: [CORE, MAIL], methodCalls }),
    credentials: 'omit',
  });
  if (!response.ok) throw new Error('The API answered ' + response.status + '.');
  const { methodResponses } = await response.json();
  for (const [name, args] of methodResponses) {
    if (name === 'error') throw new Error('JMAP error: ' + args.type + (args.description ? ' (' + args.description + ')' : ''));
  }
  return methodResponses;
}

/** Where the module mints and revokes the cookies: the event source's path, then /session. */
export function pushSessionUrl(session) {
  return session.eventSourceUrl.split('?')[0] + '/session';
}

/**
 * Asks for the push cookies (one for the event source, one for the WebSocket), with real credentials;
 * the browser stores them, no script can read them.
 */
export async function mintPushSession(session, authorization) {
  const response = await fetch(pushSessionUrl(session), { method: 'POST', headers: { Authorization: authorization }, credentials: 'same-origin' });
  if (response.status !== 204) throw new Error('Push sign-in answered ' + response.status + '.');
}
`;
