// A child process serving one certificate on many TLS ports of 127.0.0.1: the 1,000 endpoints of the discovery
// benchmark. It runs apart from the scanner so that the two do not share one JavaScript thread; it prints the
// ports as one JSON line and serves until its standard input closes.
import { startManyNodeTls } from '../../test/harness/tls-servers.ts';

const [certFile, keyFile, countText] = process.argv.slice(2);
const fs = await import('node:fs');
const farm = await startManyNodeTls(Number(countText), {
  certPem: fs.readFileSync(certFile!, 'utf8'),
  keyPem: fs.readFileSync(keyFile!, 'utf8'),
});
process.stdout.write(`${JSON.stringify(farm.ports)}\n`);
process.stdin.resume();
process.stdin.on('end', () => void farm.stop().then(() => process.exit(0)));
