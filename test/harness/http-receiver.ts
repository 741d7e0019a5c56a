// A plain HTTP server on 127.0.0.1 that records every request (path, headers, body) and answers 200 "ok": the
// receiving end of webhook and Slack-compatible notifications in the tests.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Posted {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export async function startReceiver() {
  const posts: Posted[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      posts.push({ path: req.url ?? '', headers: req.headers, body });
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, posts, stop: () => new Promise<void>((r) => server.close(() => r())) };
}
