/**
 * What a `describe` block set up, undone in reverse order after it: each resource is added as it is made,
 * so a setup that failed halfway still undoes what it made (no server process or temporary file left).
 */
export class Teardown {
  private readonly steps: Array<() => unknown> = [];

  /** Keeps `undo` for later and answers `resource`. */
  add<T>(resource: T, undo: (resource: T) => unknown): T {
    this.steps.push(() => undo(resource));
    return resource;
  }

  async run(): Promise<void> {
    for (const step of this.steps.splice(0).reverse()) await step();
  }
}
