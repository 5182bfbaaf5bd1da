/**
 * The demo page's script (`app.js`, an ES module): plain JavaScript, no framework, no build step. It is
 * a string here only so `tsc` copies it into `dist/` (hence no backticks in it).
 *
 * How it signs in: the password checks out against the Session (`GET /.well-known/jmap`, Basic), then
 * `POST {eventsource}/session` (Basic again) sets the HttpOnly cookies of the event source and of the
 * WebSocket; the channel the user picks (the browser's own `EventSource` or `WebSocket`) sends its
 * cookie. JMAP API calls carry `Authorization`, from credentials kept in this page's memory only.
 */
export const PAGE_JS = String.raw`import { byId, showError } from './dom.js';
import { openEventSource } from './event-source-channel.js';
import { addFeedItem as addFeed } from './feed.js';
import { basic, jmap as jmapRequest, mintPushSession, pushSessionUrl } from './jmap-client.js';
import { accountSection } from './mailbox-list.js';
import { offersWebSocket, openWebSocket } from './websocket-channel.js';

{
  const MAIL = 'urn:ietf:params:jmap:mail';
  const RETRY_FIRST_MS = 1000;
  const RETRY_LAST_MS = 30000;

  const CHANNEL_NAMES = { eventsource: 'EventSource', websocket: 'WebSocket' };
  const ui = {
    status: byId('status'),
    who: byId('who'),
    signOut: byId('sign-out'),
    signIn: byId('sign-in'),
    signInError: byId('sign-in-error'),
    app: byId('app'),
    accounts: byId('accounts'),
    create: byId('create-mailbox'),
    appError: byId('app-error'),
    feed: byId('feed'),
    channel: byId('channel'),
  };

  /** Signed-in state: credentials stay in memory (never in storage, never in a URL). */
  let authorization = null;
  let session = null;
  /** The open push channel ('close()' only), and the last pushState a WebSocket brought. */
  let channel = null;
  let pushState = null;
  let retryTimer = null;
  let retryMs = RETRY_FIRST_MS;
  let refreshes = 0;

  function setStatus(state, text) {
    ui.status.dataset.state = state;
    ui.status.dataset.channel = chosenChannel();
    ui.status.textContent = text + ' (' + CHANNEL_NAMES[chosenChannel()] + ')';
  }

  function chosenChannel() {
    return ui.channel.elements.channel.value;
  }

  // --- JMAP -----------------------------------------------------------------------------------------

  const jmap = (methodCalls) => jmapRequest(session, authorization, methodCalls);

  function accountName(accountId) {
    const account = session.accounts[accountId];
    return account ? account.name : accountId;
  }

  /** Fetches the mailboxes of every account; only the newest of overlapping refreshes is shown. */
  async function refreshMailboxes() {
    if (!session) return;
    const refresh = ++refreshes;
    const accountIds = Object.keys(session.accounts);
    try {
      const responses = await jmap(accountIds.map((accountId, i) => [
        'Mailbox/get',
        { accountId, ids: null, properties: ['name', 'role', 'sortOrder', 'unreadEmails'] },
        String(i),
      ]));
      if (refresh === refreshes && session) renderAccounts(responses.map(([, args]) => args));
    } catch (error) {
      showError(ui.appError, error);
    }
  }

  function renderAccounts(results) {
    ui.accounts.replaceChildren(...results.map(({ accountId, list }) => {
      const actions = {
        rename: (mailbox, name) => setMailbox(accountId, { update: { [mailbox.id]: { name } } }, 'notUpdated'),
        redraw: () => refreshMailboxes(),
      };
      return accountSection(accountId, accountName(accountId), session.accounts[accountId].isReadOnly, list, actions);
    }));
  }

  /** Mailbox/set; the list itself follows from the push that the change causes. */
  async function setMailbox(accountId, changes, failures) {
    showError(ui.appError, null);
    try {
      const [[, result]] = await jmap([['Mailbox/set', { accountId, ...changes }, 's']]);
      const refused = Object.values(result[failures] || {})[0];
      if (refused) throw new Error('Refused: ' + refused.type + (refused.description ? ' (' + refused.description + ')' : ''));
      return true;
    } catch (error) {
      showError(ui.appError, error);
      await refreshMailboxes();
      return false;
    }
  }

  // --- Push -----------------------------------------------------------------------------------------

  const addFeedItem = (name, id, changed, note) => addFeed(ui.feed, accountName, name, id, changed, note);

  /** Opens the chosen channel; each reports to the same feed and status. */
  function connect() {
    clearTimeout(retryTimer);
    setStatus('connecting', 'connecting');
    const events = {
      open(note) {
        retryMs = RETRY_FIRST_MS;
        setStatus('live', 'live');
        addFeedItem('open', null, null, note);
        // A reconnect may follow a restart with a fresh store and no replay: read the lists again.
        refreshMailboxes();
      },
      lost(note) {
        if (note) addFeedItem('error', null, null, note);
        setStatus('disconnected', 'disconnected, reconnecting');
      },
      closed(note) {
        if (note && ui.status.dataset.state === 'live') addFeedItem('error', null, null, note);
        channel = null;
        retryLater();
      },
      state(id, changed) {
        if (chosenChannel() === 'websocket') pushState = id;
        addFeedItem('state', id, changed);
        if (Object.values(changed).some((types) => 'Mailbox' in types)) refreshMailboxes();
      },
      ping: (id) => addFeedItem('ping', id, null),
    };
    channel = chosenChannel() === 'websocket' ? openWebSocket(session, pushState, events) : openEventSource(session, events);
  }

  function disconnect() {
    clearTimeout(retryTimer);
    if (channel) channel.close();
    channel = null;
  }

  /** A new cookie and a new channel, after a delay that doubles up to RETRY_LAST_MS while it fails. */
  function retryLater() {
    setStatus('disconnected', 'disconnected, retrying in ' + Math.round(retryMs / 1000) + ' s');
    retryTimer = setTimeout(reconnect, retryMs);
    retryMs = Math.min(retryMs * 2, RETRY_LAST_MS);
  }

  async function reconnect() {
    if (!session) return;
    try {
      await mintPushSession(session, authorization);
      connect();
    } catch {
      retryLater();
    }
  }

  // --- Sign in and out ------------------------------------------------------------------------------

  async function signIn(username, password) {
    const candidate = basic(username, password);
    // credentials 'omit': a wrong password is answered here, without the browser's own login prompt.
    const response = await fetch('.well-known/jmap', { headers: { Authorization: candidate }, credentials: 'omit', cache: 'no-store' });
    if (response.status === 401) throw new Error('Wrong username or password.');
    if (!response.ok) throw new Error('The server answered ' + response.status + '.');
    session = await response.json();
    authorization = candidate;
    ui.channel.elements.websocket.disabled = !offersWebSocket(session);
    await mintPushSession(session, authorization);
    ui.who.textContent = session.username;
    ui.signIn.hidden = true;
    ui.app.hidden = false;
    ui.signOut.hidden = false;
    connect();
    await refreshMailboxes();
  }

  async function signOut() {
    const url = pushSessionUrl(session);
    disconnect();
    pushState = null;
    session = null;
    authorization = null;
    await fetch(url, { method: 'DELETE', credentials: 'same-origin' }).catch(() => undefined);
    ui.accounts.replaceChildren();
    ui.feed.replaceChildren();
    ui.who.textContent = '';
    ui.app.hidden = true;
    ui.signOut.hidden = true;
    ui.signIn.hidden = false;
    setStatus('signed-out', 'signed out');
  }

  ui.signIn.addEventListener('submit', async (event) => {
    event.preventDefault();
    const form = new FormData(ui.signIn);
    showError(ui.signInError, null);
    try {
      await signIn(String(form.get('username')).trim(), String(form.get('password')));
      ui.signIn.reset();
    } catch (error) {
      session = null;
      authorization = null;
      showError(ui.signInError, error);
    }
  });

  ui.create.addEventListener('submit', async (event) => {
    event.preventDefault();
    const input = ui.create.elements.name;
    const accountId = session.primaryAccounts[MAIL];
    if (await setMailbox(accountId, { create: { new: { name: input.value.trim() } } }, 'notCreated')) input.value = '';
  });

  ui.signOut.addEventListener('click', () => signOut());

  // Another channel: the open one closes, the other opens with the same cookie session.
  ui.channel.addEventListener('change', () => {
    if (!session) return;
    disconnect();
    connect();
  });
}
`;
