/**
 * Push over the browser's own `EventSource` (`event-source-channel.js`, an ES module; RFC 8620 section
 * 7.3), signed in by the HttpOnly cookie of `Path=/jmap/eventsource`. The browser reconnects by itself
 * and sends `Last-Event-ID`, so what it missed arrives as one event.
 */
export const EVENT_SOURCE_CHANNEL_JS = String.raw`
/**
 * Opens the event source of the Session; tells 'events' when it is open, lost (the browser retries),
 * closed for good (an answer other than 200: the page signs in again), and of each state and ping.
 */
export function openEventSource(session, events) {
  const url = session.eventSourceUrl.replace('{types}', '*').replace('{closeafter}', 'no').replace('{ping}', '30');
  const es = new EventSource(url);
  let live = false;
  es.onopen = () => {
    live = true;
    events.open('stream open');
  };
  es.onerror = () => {
    if (es.readyState === EventSource.CONNECTING) {
      events.lost(live ? 'stream lost; the browser reconnects with Last-Event-ID' : null);
      live = false;
      return;
    }
    // CLOSED: a 401 once the cookie expired or the server's key changed, a 503 from a server shutting down...
    es.close();
    events.closed();
  };
  es.addEventListener('state', (event) => events.state(event.lastEventId, JSON.parse(event.data).changed));
  es.addEventListener('ping', (event) => events.ping(event.lastEventId));
  return { close: () => es.close() };
}
`;
