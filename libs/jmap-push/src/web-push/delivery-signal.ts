// TEMPORARY STUB (wt-delivery): replaced by wt-methods' DeliverySignal when it lands.
import { Injectable } from '@nestjs/common';

@Injectable()
export class DeliverySignal {
  private readonly listeners = new Set<() => void>();

  notify(): void {
    for (const listener of this.listeners) listener();
  }

  onNotify(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
