import { Controller, Get, HttpCode, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import type { HttpRequest, HttpResponse } from '../http/express-types';
import { ConcurrencyLimiter } from '../api/concurrency-limiter';
import { CORE_LIMITS } from '../api/capabilities';
import { JmapAuthGuard } from '../auth/jmap-auth.guard';
import { CurrentUser } from '../auth/current-user.decorator';
import type { JmapUser } from '../auth/jmap-user';
import { JmapProblem, ProblemDetailsException } from '../http/problem-details.exception';
import { BodyTooLargeError, readBody } from '../http/read-body';
import { MailStore } from '../store/mail-store.service';

/** Binary data (RFC 8620 section 6): the Session's `downloadUrl` and `uploadUrl`. */
@Controller('jmap')
@UseGuards(JmapAuthGuard)
export class BlobController {
  constructor(
    private readonly store: MailStore,
    private readonly limiter: ConcurrencyLimiter,
  ) {}

  @Get('download/:accountId/:blobId/:name')
  download(
    @CurrentUser() user: JmapUser,
    @Param('accountId') accountId: string,
    @Param('blobId') blobId: string,
    @Param('name') name: string,
    @Query('accept') accept: string | undefined,
    @Res() response: HttpResponse,
  ): void {
    const account = user.accounts.has(accountId) ? this.store.account(accountId) : undefined;
    const blob = account?.blob(blobId);
    // An account the user may not read looks exactly like a missing blob.
    if (!blob) throw problem(404, 'No such blob in this account.');
    const type = accept && /^[\w.+-]+\/[\w.+-]+$/.test(accept) ? accept : blob.type;
    response
      .status(200)
      .type(type)
      .setHeader('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(name)}`);
    // Blob ids name their content, so a blob never changes (RFC 8620 section 6.2 suggests caching).
    response.setHeader('Cache-Control', 'private, immutable, max-age=31536000');
    response.send(blob.data);
  }

  @Post('upload/:accountId')
  @HttpCode(201)
  async upload(
    @CurrentUser() user: JmapUser,
    @Param('accountId') accountId: string,
    @Req() request: HttpRequest,
  ): Promise<Record<string, unknown>> {
    const access = user.accounts.get(accountId);
    if (!access || !this.store.account(accountId)) throw problem(404, 'No such account.');
    if (access.isReadOnly) throw problem(403, 'This account is read-only.');
    const release = this.limiter.acquire(`upload:${user.id}`, CORE_LIMITS.maxConcurrentUpload);
    if (!release)
      throw new ProblemDetailsException({ type: JmapProblem.limit, status: 429, limit: 'maxConcurrentUpload' });
    try {
      const data = await readBody(request, CORE_LIMITS.maxSizeUpload).catch((error: unknown) => {
        if (error instanceof BodyTooLargeError)
          throw new ProblemDetailsException({ type: JmapProblem.limit, status: 413, limit: 'maxSizeUpload' });
        throw error;
      });
      const type = request.get('content-type') || 'application/octet-stream';
      // Storing a blob changes no JMAP state, so the write publishes nothing.
      const blobId = this.store.write(accountId, (account) => account.putBlob(data, type));
      return { accountId, blobId, type, size: data.length };
    } finally {
      release();
    }
  }
}

function problem(status: number, detail: string): ProblemDetailsException {
  return new ProblemDetailsException({ type: JmapProblem.blank, status, detail });
}
