/** The demo page's style. */
export const PAGE_CSS = `
:root { font: 15px/1.45 system-ui, sans-serif; color: #1d2330; background: #f4f5f7; }
body { margin: 0; }
header { display: flex; align-items: center; gap: 1rem; padding: .6rem 1.2rem; background: #1d2330; color: #fff; }
header h1 { font-size: 1.1rem; margin: 0; }
header p { margin: 0; }
#who { margin-left: auto; opacity: .8; }
main { display: grid; gap: 1rem; padding: 1rem 1.2rem; max-width: 72rem; }
#app { display: grid; grid-template-columns: minmax(16rem, 1fr) 2fr; gap: 1rem; }
[hidden] { display: none !important; }
.card { background: #fff; border-radius: 6px; padding: .8rem 1rem; box-shadow: 0 1px 2px #0002; }
.card h2 { font-size: 1rem; margin: 0 0 .6rem; }
#sign-in { display: grid; gap: .5rem; max-width: 20rem; }
label { display: grid; gap: .15rem; font-size: .9rem; }
input, button { font: inherit; padding: .25rem .5rem; }
.status { padding: .1rem .6rem; border-radius: 1rem; font-size: .85rem; background: #555; }
.status[data-state="live"] { background: #1e7d3a; }
.status[data-state="connecting"] { background: #9a6b00; }
.status[data-state="disconnected"] { background: #b3261e; }
.error { color: #b3261e; margin: .4rem 0 0; min-height: 1.2em; }
.hint { color: #5b6270; font-size: .85rem; margin-top: 0; }
h3 { font-size: .9rem; margin: .6rem 0 .2rem; color: #5b6270; }
.mailboxes { list-style: none; margin: 0 0 .6rem; padding: 0; }
.mailboxes li { display: flex; align-items: center; gap: .5rem; padding: .2rem 0; }
.mailboxes .name { flex: 1; }
.unread { min-width: 1.4rem; text-align: center; border-radius: 1rem; font-size: .8rem; background: #e4e7ec; }
.unread.some { background: #1d4ed8; color: #fff; font-weight: 600; }
.mailboxes button { font-size: .8rem; }
#create-mailbox { display: flex; gap: .5rem; }
.channel { display: flex; align-items: center; gap: .8rem; margin: 0 0 .4rem; font-size: .9rem; }
.channel label { display: flex; align-items: center; gap: .25rem; }
#feed { list-style: none; margin: 0; padding: 0; font: .85rem/1.4 ui-monospace, monospace; max-height: 32rem; overflow-y: auto; }
#feed li { display: grid; grid-template-columns: 5.5rem 3.5rem 1fr; gap: .5rem; padding: .2rem 0; border-bottom: 1px solid #eef0f3; }
#feed .event-state { color: #1d4ed8; font-weight: 600; }
#feed .event-ping, #feed .event-open { color: #5b6270; }
#feed .event-error { color: #b3261e; }
#feed .changes { grid-column: 3; }
`;
