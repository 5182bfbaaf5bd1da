import { Injectable } from '@nestjs/common';
import type { MethodDefinition, MethodHandler } from './method-context';

/** The methods the API knows, by name. Feature modules register theirs when they start. */
@Injectable()
export class MethodRegistry {
  private readonly methods = new Map<string, MethodDefinition>();

  register(name: string, capability: string, handler: MethodHandler): void {
    if (this.methods.has(name)) throw new Error(`method ${name} registered twice`);
    this.methods.set(name, { name, capability, handler });
  }

  find(name: string): MethodDefinition | undefined {
    return this.methods.get(name);
  }
}
