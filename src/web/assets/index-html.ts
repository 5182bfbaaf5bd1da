/** The demo page. Its script (`app-js.ts` and the modules it imports) fills it in; it holds no data of its own. */
export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>jmap-push: live mailboxes</title>
  <link rel="icon" href="data:,">
  <link rel="stylesheet" href="app.css">
  <script type="module" src="app.js"></script>
</head>
<body>
  <header>
    <h1>jmap-push</h1>
    <p id="status" class="status" data-state="signed-out" role="status">signed out</p>
    <p id="who"></p>
    <button id="sign-out" type="button" hidden>Sign out</button>
  </header>

  <main>
    <form id="sign-in" class="card" method="post">
      <h2>Sign in</h2>
      <label>Username <input name="username" autocomplete="username" required></label>
      <label>Password <input name="password" type="password" autocomplete="current-password" required></label>
      <button type="submit">Sign in</button>
      <p id="sign-in-error" class="error" role="alert"></p>
    </form>

    <div id="app" hidden>
      <section class="card">
        <h2>Mailboxes</h2>
        <div id="accounts"></div>
        <form id="create-mailbox" method="post">
          <input name="name" placeholder="New mailbox" aria-label="New mailbox name" required>
          <button type="submit">Create</button>
        </form>
        <p id="app-error" class="error" role="alert"></p>
      </section>

      <section class="card">
        <h2>Push events</h2>
        <form id="channel" class="channel">
          <span>Push over</span>
          <label><input type="radio" name="channel" value="eventsource" checked> <code>EventSource</code></label>
          <label><input type="radio" name="channel" value="websocket" id="websocket"> <code>WebSocket</code></label>
        </form>
        <p class="hint">From this page's own <code>EventSource</code> (RFC 8620) or <code>WebSocket</code> (RFC 8887), signed in by an <code>HttpOnly</code> cookie. Newest first.</p>
        <ol id="feed"></ol>
      </section>
    </div>
  </main>
</body>
</html>
`;
