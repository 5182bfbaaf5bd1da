import { Module } from '@nestjs/common';
import { BasicAuthGuard } from './basic-auth.guard';
import { UserDirectory } from './user-directory.service';

/** Who the users are, and the guard that checks them. Needs `SERVER_CONFIG` (global, from `ConfigModule`). */
@Module({
  providers: [UserDirectory, BasicAuthGuard],
  exports: [UserDirectory, BasicAuthGuard],
})
export class AuthModule {}
