/**
 * The page's mailbox list (`mailbox-list.js`, an ES module): one section per account, with a rename
 * form for writable mailboxes. A string here only so `tsc` copies it into `dist/`.
 */
export const MAILBOX_LIST_JS = String.raw`import { el } from './dom.js';

function byRoleThenName(a, b) {
  if ((a.role === 'inbox') !== (b.role === 'inbox')) return a.role === 'inbox' ? -1 : 1;
  return a.sortOrder - b.sortOrder || a.name.localeCompare(b.name);
}

/** An account's section; 'actions' are rename(mailbox, name) and redraw(). */
export function accountSection(accountId, title, readOnly, mailboxes, actions) {
  const heading = el('h3', {}, title + (readOnly ? ' (read-only)' : ''));
  const items = mailboxes.slice().sort(byRoleThenName).map((mailbox) => mailboxItem(mailbox, readOnly, actions));
  return el('section', { 'data-account': accountId }, heading, el('ul', { class: 'mailboxes' }, ...items));
}

function mailboxItem(mailbox, readOnly, actions) {
  const unread = el('span', { class: mailbox.unreadEmails > 0 ? 'unread some' : 'unread', title: 'unread' }, String(mailbox.unreadEmails));
  const item = el('li', { 'data-mailbox': mailbox.name }, el('span', { class: 'name' }, mailbox.name), unread);
  if (!readOnly) {
    const rename = el('button', { type: 'button' }, 'Rename');
    rename.addEventListener('click', () => item.replaceChildren(renameForm(mailbox, actions)));
    item.append(rename);
  }
  return item;
}

function renameForm(mailbox, actions) {
  const input = el('input', { name: 'name', 'aria-label': 'New name', required: '' });
  input.value = mailbox.name;
  const cancel = el('button', { type: 'button' }, 'Cancel');
  const form = el('form', { class: 'rename' }, input, el('button', { type: 'submit' }, 'Save'), cancel);
  cancel.addEventListener('click', () => actions.redraw());
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const name = input.value.trim();
    // A real rename is pushed, and the push redraws the list; no change, no push: just redraw.
    if (name === mailbox.name) actions.redraw();
    else actions.rename(mailbox, name);
  });
  queueMicrotask(() => input.focus());
  return form;
}
`;
