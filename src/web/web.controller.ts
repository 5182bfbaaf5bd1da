import { applyDecorators, Controller, Get, Header, Req } from '@nestjs/common';
import type { HttpRequest } from '../http/express-types';
import { PAGE_CSS } from './assets/app-css';
import { PAGE_JS } from './assets/app-js';
import { DOM_JS } from './assets/dom-js';
import { EVENT_SOURCE_CHANNEL_JS } from './assets/event-source-channel-js';
import { FEED_JS } from './assets/feed-js';
import { PAGE_HTML } from './assets/index-html';
import { JMAP_CLIENT_JS } from './assets/jmap-client-js';
import { MAILBOX_LIST_JS } from './assets/mailbox-list-js';
import { WEBSOCKET_CHANNEL_JS } from './assets/websocket-channel-js';

/**
 * This origin only: no inline script, no third party, no framing, no form posted anywhere (the script
 * handles them); and no `Referer` leaves the page.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The headers of every file of the page. */
function PageFile(contentType: string): MethodDecorator {
  return applyDecorators(
    Header('Content-Type', contentType),
    Header('Content-Security-Policy', CONTENT_SECURITY_POLICY),
    Header('X-Content-Type-Options', 'nosniff'),
    Header('Referrer-Policy', 'no-referrer'),
    Header('Cache-Control', 'no-cache'),
  );
}

/** The page's ES modules, by file name: `app.js` imports the others. */
const SCRIPTS: Readonly<Record<string, string>> = {
  'app.js': PAGE_JS,
  'dom.js': DOM_JS,
  'feed.js': FEED_JS,
  'jmap-client.js': JMAP_CLIENT_JS,
  'mailbox-list.js': MAILBOX_LIST_JS,
  'event-source-channel.js': EVENT_SOURCE_CHANNEL_JS,
  'websocket-channel.js': WEBSOCKET_CHANNEL_JS,
};

/**
 * `GET /`: the demo page, served by the server itself (no bundler, no CDN). The page, its ES modules and
 * its style are string constants, so `tsc` alone builds them into `dist/`.
 */
@Controller()
export class WebController {
  @Get()
  @PageFile('text/html; charset=utf-8')
  page(): string {
    return PAGE_HTML;
  }

  @Get(Object.keys(SCRIPTS))
  @PageFile('text/javascript; charset=utf-8')
  script(@Req() request: HttpRequest): string {
    return SCRIPTS[new URL(request.url ?? '/', 'http://page').pathname.slice(1)];
  }

  @Get('app.css')
  @PageFile('text/css; charset=utf-8')
  style(): string {
    return PAGE_CSS;
  }
}
