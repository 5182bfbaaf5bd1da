import { applyDecorators, Controller, Get, Header } from '@nestjs/common';
import { PAGE_CSS } from './assets/app-css';
import { PAGE_HTML } from './assets/index-html';
import { PAGE_JS } from './assets/app-js';

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

/**
 * `GET /`: the demo page, served by the server itself (no bundler, no CDN). The page, its script and its
 * style are string constants, so `tsc` alone builds them into `dist/`.
 */
@Controller()
export class WebController {
  @Get()
  @PageFile('text/html; charset=utf-8')
  page(): string {
    return PAGE_HTML;
  }

  @Get('app.js')
  @PageFile('text/javascript; charset=utf-8')
  script(): string {
    return PAGE_JS;
  }

  @Get('app.css')
  @PageFile('text/css; charset=utf-8')
  style(): string {
    return PAGE_CSS;
  }
}
