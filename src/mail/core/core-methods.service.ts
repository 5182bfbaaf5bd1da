import { Injectable, OnModuleInit } from '@nestjs/common';
import { CORE_CAPABILITY } from '../../api/capabilities';
import { MethodRegistry } from '../../api/method-registry.service';

/** Core/echo (RFC 8620 section 4): answers its arguments unchanged. */
@Injectable()
export class CoreMethods implements OnModuleInit {
  constructor(private readonly registry: MethodRegistry) {}

  onModuleInit(): void {
    this.registry.register('Core/echo', CORE_CAPABILITY, (args) => args);
  }
}
