/**
 * Retries `check` (an async assertion) until it passes, and rethrows its last failure after `timeoutMs`:
 * for state the test can only observe by asking Redis (CLIENT LIST, CLUSTER NODES).
 */
export async function eventually(check: () => Promise<void>, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) {
        throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}: ${String(error)}`);
      }
    }
    await new Promise((wake) => setTimeout(wake, 20));
  }
}
