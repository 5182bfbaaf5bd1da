import { Module } from '@nestjs/common';
import { ApiModule } from '../api/api.module';
import { AuthModule } from '../auth/auth.module';
import { StoreModule } from '../store/store.module';
import { BlobController } from './blob.controller';

/** Download and upload of blobs. */
@Module({
  imports: [AuthModule, StoreModule, ApiModule],
  controllers: [BlobController],
})
export class BlobModule {}
