// Serves the web UI (the Vite build in dist/web) from the API's own process and port: `/` is the app's page and
// `/assets/*` its hashed, immutable files. The app routes with the URL hash, so no fallback route is needed and
// an unknown path stays an API 404. The build is made by `npm install` (prepare) and `npm start` (prestart).
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import { Type } from 'typebox';
import type { App } from './types.ts';

export const WEB_DIST = fileURLToPath(new URL('../../dist/web/', import.meta.url));

const CSP = "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

const Page = Type.String({ description: 'the web UI (HTML, scripts, styles)' });

export async function registerWebUi(app: App, root: string = WEB_DIST): Promise<void> {
  await app.register(fastifyStatic, { root, serve: false });
  const built = () => fs.existsSync(`${root}index.html`);
  app.get(
    '/',
    { config: { public: true }, schema: { hide: true, response: { 200: Page, 503: Page } } },
    async (_req, reply) => {
      if (!built()) {
        return reply
          .status(503)
          .type('text/plain')
          .send('The web UI is not built: run `npm run build:web` (npm install and npm start do it for you).');
      }
      // The page names the current hashed assets, so it must never be cached. The policy allows only this
      // server's own scripts and styles: an injected script or a framing page gets nothing.
      return reply
        .header('cache-control', 'no-store')
        .header('content-security-policy', CSP)
        .header('x-content-type-options', 'nosniff')
        .header('referrer-policy', 'no-referrer')
        .sendFile('index.html', { cacheControl: false });
    },
  );
  app.get<{ Params: { '*': string } }>(
    '/assets/*',
    { config: { public: true }, schema: { hide: true } },
    async (request, reply) => {
      const file = request.params['*'];
      if (!/^[\w.-]+$/.test(file)) return reply.callNotFound();
      return reply.sendFile(`assets/${file}`, { maxAge: '365d', immutable: true });
    },
  );
}
