import { Inject, Injectable } from '@nestjs/common';
import { PUSH_SETTINGS } from '../jmap-push.internal-constants';
import type { PushSettings } from '../push-settings';

/** The type names this server pushes: what `types` may name and what `publish()` may carry. */
@Injectable()
export class TypeRegistry {
  private readonly names: ReadonlySet<string>;

  /** @internal */
  constructor(@Inject(PUSH_SETTINGS) settings: PushSettings) {
    this.names = new Set(settings.types);
  }

  /** Whether clients may name `name` in `types` and `publish()` may carry it. */
  has(name: string): boolean {
    return this.names.has(name);
  }

  /** Every type name, defaults first. */
  list(): readonly string[] {
    return [...this.names];
  }
}
