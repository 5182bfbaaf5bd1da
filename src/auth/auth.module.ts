import { Module } from '@nestjs/common';
import { JmapAuthGuard } from './jmap-auth.guard';
import { UserDirectory } from './user-directory.service';

/** Who the users are, and the guard that checks them. Needs `SERVER_CONFIG` (global, from `ConfigModule`). */
@Module({
  providers: [UserDirectory, JmapAuthGuard],
  exports: [UserDirectory, JmapAuthGuard],
})
export class AuthModule {}
