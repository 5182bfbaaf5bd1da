/**
 * The page's DOM helpers (`dom.js`, an ES module): plain JavaScript, a string here only so `tsc` copies
 * it into `dist/` (hence no backticks in it). Every text goes in by text nodes, never as markup.
 */
export const DOM_JS = String.raw`
export const byId = (id) => document.getElementById(id);

/** An element with attributes and children; strings become text nodes, never markup. */
export function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, value);
  for (const child of children) node.append(typeof child === 'string' ? document.createTextNode(child) : child);
  return node;
}

export function showError(target, error) {
  target.textContent = error ? String(error.message || error) : '';
}
`;
