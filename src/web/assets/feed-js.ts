/** The page's feed of push events (`feed.js`, an ES module); a string so `tsc` copies it into `dist/`. */
export const FEED_JS = String.raw`import { el } from './dom.js';

const FEED_LENGTH = 100;

/** A feed line, newest first: the event's name and id, and the changed types of each account (or a note). */
export function addFeedItem(feed, accountName, name, id, changed, note) {
  const details = el('div', { class: 'details' });
  if (id) details.append(el('div', { class: 'id' }, 'id ' + id));
  if (note) details.append(el('div', { class: 'note' }, note));
  for (const [accountId, types] of Object.entries(changed || {})) {
    details.append(el('div', { class: 'changes' }, accountName(accountId) + ': ' + Object.keys(types).join(', ')));
  }
  const time = new Date().toLocaleTimeString([], { hour12: false });
  const item = el('li', { 'data-event': name, 'data-id': id || '' },
    el('span', { class: 'time' }, time), el('span', { class: 'event-' + name }, name), details);
  feed.prepend(item);
  while (feed.children.length > FEED_LENGTH) feed.lastElementChild.remove();
}
`;
