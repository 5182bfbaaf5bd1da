/**
 * Push over the browser's own `WebSocket` (`websocket-channel.js`, an ES module; RFC 8887), signed in
 * by the HttpOnly cookie of `Path=/jmap/ws` that the browser sends with the handshake (a page cannot
 * set headers on it). A browser never reconnects a WebSocket: the page opens another, resuming from the
 * last `pushState` it saw, so the changes it missed arrive at once, merged.
 */
export const WEBSOCKET_CHANNEL_JS = String.raw`
const WEBSOCKET = 'urn:ietf:params:jmap:websocket';
/** The types the page shows; RFC 8887 section 4.3.5.2 would take null for every type. */
const DATA_TYPES = ['Mailbox', 'Email', 'Thread', 'EmailDelivery'];

/** Whether the Session offers JMAP over WebSocket with push. */
export function offersWebSocket(session) {
  const capability = session.capabilities[WEBSOCKET];
  return Boolean(capability && capability.supportsPush);
}

/**
 * Opens the Session's WebSocket with the 'jmap' subprotocol and enables push, from 'resumeFrom' when
 * the page holds a pushState; tells 'events' when it is open, closed (the page opens another), and of
 * each StateChange with its pushState.
 */
export function openWebSocket(session, resumeFrom, events) {
  const ws = new WebSocket(session.capabilities[WEBSOCKET].url, 'jmap');
  let closing = false;
  ws.onopen = () => {
    const enable = { '@type': 'WebSocketPushEnable', dataTypes: DATA_TYPES };
    if (resumeFrom) enable.pushState = resumeFrom;
    ws.send(JSON.stringify(enable));
    events.open(resumeFrom ? 'socket open, push resumed from ' + resumeFrom : 'socket open, push enabled');
  };
  ws.onmessage = (message) => {
    const data = JSON.parse(message.data);
    if (data['@type'] === 'StateChange') events.state(data.pushState, data.changed);
  };
  ws.onclose = (event) => {
    if (!closing) events.closed('socket closed (' + event.code + '); a new one resumes from the last pushState');
  };
  return {
    close() {
      closing = true;
      ws.close();
    },
  };
}
`;
