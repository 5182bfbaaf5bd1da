/**
 * The demo page's script: plain JavaScript, no framework, no build step. It is a string here only so
 * `tsc` copies it into `dist/` (hence no backticks in it). Every text it shows goes in by `textContent`.
 *
 * How it signs in: the password checks out against the Session (`GET /.well-known/jmap`, Basic), then
 * `POST {eventsource}/session` (Basic again) sets an HttpOnly cookie for the event source; the browser's
 * own `EventSource` sends that cookie, and resends the last event id itself when it reconnects. JMAP API
 * calls carry `Authorization`, from credentials kept in this page's memory only.
 */
export const PAGE_JS = String.raw`'use strict';
(() => {
  const CORE = 'urn:ietf:params:jmap:core';
  const MAIL = 'urn:ietf:params:jmap:mail';
  const FEED_LENGTH = 100;
  const RETRY_FIRST_MS = 1000;
  const RETRY_LAST_MS = 30000;

  const byId = (id) => document.getElementById(id);
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
  };

  /** Signed-in state: credentials stay in memory (never in storage, never in a URL). */
  let authorization = null;
  let session = null;
  let source = null;
  let retryTimer = null;
  let retryMs = RETRY_FIRST_MS;
  let refreshes = 0;

  /** An element with attributes and children; strings become text nodes, never markup. */
  function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, value);
    for (const child of children) node.append(typeof child === 'string' ? document.createTextNode(child) : child);
    return node;
  }

  function basic(username, password) {
    const bytes = new TextEncoder().encode(username + ':' + password);
    return 'Basic ' + btoa(String.fromCharCode(...bytes));
  }

  function setStatus(state, text) {
    ui.status.dataset.state = state;
    ui.status.textContent = text;
  }

  function showError(target, error) {
    target.textContent = error ? String(error.message || error) : '';
  }

  // --- JMAP -----------------------------------------------------------------------------------------

  /** One JMAP request; answers the method responses, throwing on an HTTP or method-level error. */
  async function jmap(methodCalls) {
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

  function byRoleThenName(a, b) {
    if ((a.role === 'inbox') !== (b.role === 'inbox')) return a.role === 'inbox' ? -1 : 1;
    return a.sortOrder - b.sortOrder || a.name.localeCompare(b.name);
  }

  function renderAccounts(results) {
    ui.accounts.replaceChildren(...results.map(({ accountId, list }) => {
      const readOnly = session.accounts[accountId].isReadOnly;
      const heading = el('h3', {}, accountName(accountId) + (readOnly ? ' (read-only)' : ''));
      const items = list.slice().sort(byRoleThenName).map((mailbox) => mailboxItem(accountId, mailbox, readOnly));
      return el('section', { 'data-account': accountId }, heading, el('ul', { class: 'mailboxes' }, ...items));
    }));
  }

  function mailboxItem(accountId, mailbox, readOnly) {
    const unread = el('span', { class: mailbox.unreadEmails > 0 ? 'unread some' : 'unread', title: 'unread' }, String(mailbox.unreadEmails));
    const item = el('li', { 'data-mailbox': mailbox.name }, el('span', { class: 'name' }, mailbox.name), unread);
    if (!readOnly) {
      const rename = el('button', { type: 'button' }, 'Rename');
      rename.addEventListener('click', () => item.replaceChildren(renameForm(accountId, mailbox, item)));
      item.append(rename);
    }
    return item;
  }

  function renameForm(accountId, mailbox, item) {
    const input = el('input', { name: 'name', 'aria-label': 'New name', required: '' });
    input.value = mailbox.name;
    const cancel = el('button', { type: 'button' }, 'Cancel');
    const form = el('form', { class: 'rename' }, input, el('button', { type: 'submit' }, 'Save'), cancel);
    cancel.addEventListener('click', () => refreshMailboxes());
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const name = input.value.trim();
      // A real rename is pushed, and the push redraws the list; no change, no push: just redraw.
      if (name === mailbox.name) refreshMailboxes();
      else setMailbox(accountId, { update: { [mailbox.id]: { name } } }, 'notUpdated');
    });
    queueMicrotask(() => input.focus());
    return form;
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

  function eventSourceUrl() {
    return session.eventSourceUrl
      .replace('{types}', '*')
      .replace('{closeafter}', 'no')
      .replace('{ping}', '30');
  }

  /** Where the module mints and revokes the cookie: the event source's path, then /session. */
  function sessionUrl() {
    return session.eventSourceUrl.split('?')[0] + '/session';
  }

  /** Asks for the event-source cookie, with real credentials; the browser stores it, no script can read it. */
  async function mintPushSession() {
    const response = await fetch(sessionUrl(), { method: 'POST', headers: { Authorization: authorization }, credentials: 'same-origin' });
    if (response.status !== 204) throw new Error('Push sign-in answered ' + response.status + '.');
  }

  function connect() {
    clearTimeout(retryTimer);
    setStatus('connecting', 'connecting');
    const es = new EventSource(eventSourceUrl());
    source = es;
    es.onopen = () => {
      retryMs = RETRY_FIRST_MS;
      setStatus('live', 'live');
      addFeedItem('open', null, null, 'stream open');
      // A reconnect may follow a restart with a fresh store and no replay: read the lists again.
      refreshMailboxes();
    };
    es.onerror = () => {
      if (source !== es) return;
      if (es.readyState === EventSource.CONNECTING) {
        // The browser reconnects by itself, sending Last-Event-ID, so missed changes come as one event.
        if (ui.status.dataset.state === 'live') addFeedItem('error', null, null, 'stream lost; the browser reconnects with Last-Event-ID');
        setStatus('disconnected', 'disconnected, reconnecting');
        return;
      }
      // CLOSED: the browser gave up on an answer other than 200 (a 401 once the cookie expired or the
      // server's key changed, a 503 from a server shutting down...). Sign in again, open a new one.
      es.close();
      source = null;
      retryLater();
    };
    es.addEventListener('state', (event) => {
      const { changed } = JSON.parse(event.data);
      addFeedItem('state', event.lastEventId, changed);
      if (Object.values(changed).some((types) => 'Mailbox' in types)) refreshMailboxes();
    });
    es.addEventListener('ping', (event) => addFeedItem('ping', event.lastEventId, null));
  }

  /** A new cookie and a new EventSource, after a delay that doubles up to RETRY_LAST_MS while it fails. */
  function retryLater() {
    setStatus('disconnected', 'disconnected, retrying in ' + Math.round(retryMs / 1000) + ' s');
    retryTimer = setTimeout(reconnect, retryMs);
    retryMs = Math.min(retryMs * 2, RETRY_LAST_MS);
  }

  async function reconnect() {
    if (!session) return;
    try {
      await mintPushSession();
      connect();
    } catch {
      retryLater();
    }
  }

  /** A feed line: the event's name and id, and the changed types of each account (or a note). */
  function addFeedItem(name, id, changed, note) {
    const details = el('div', { class: 'details' });
    if (id) details.append(el('div', { class: 'id' }, 'id ' + id));
    if (note) details.append(el('div', { class: 'note' }, note));
    for (const [accountId, types] of Object.entries(changed || {})) {
      details.append(el('div', { class: 'changes' }, accountName(accountId) + ': ' + Object.keys(types).join(', ')));
    }
    const time = new Date().toLocaleTimeString([], { hour12: false });
    const item = el('li', { 'data-event': name, 'data-id': id || '' },
      el('span', { class: 'time' }, time), el('span', { class: 'event-' + name }, name), details);
    ui.feed.prepend(item);
    while (ui.feed.children.length > FEED_LENGTH) ui.feed.lastElementChild.remove();
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
    await mintPushSession();
    ui.who.textContent = session.username;
    ui.signIn.hidden = true;
    ui.app.hidden = false;
    ui.signOut.hidden = false;
    connect();
    await refreshMailboxes();
  }

  async function signOut() {
    const url = sessionUrl();
    clearTimeout(retryTimer);
    if (source) source.close();
    source = null;
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
})();
`;
