// What is there now at each destination a certificate was deployed to, read back through the plugin's current():
// the deployment record says what Tarsier did, this says whether it is still so (a file replaced by hand shows).
import { X509Certificate } from 'node:crypto';
import type { DeploymentDeps } from './deploy.ts';
import * as store from './store.ts';

export function createInspector({
  db,
  destinations,
  certificate,
}: Pick<DeploymentDeps, 'db' | 'destinations' | 'certificate'>) {
  /**
   * What is there now at each destination the certificate was deployed to: this certificate (`current`),
   * another one (`other`, e.g. replaced by hand), nothing (`missing`), or `unknown` where the plugin cannot
   * read back (webhooks, PKCS#12) or the destination could not be reached (`error` says why).
   */
  return async function inspect(certificateId: number) {
    const cert = await certificate(certificateId);
    type State = 'current' | 'other' | 'missing' | 'unknown';
    const bare = (hex: string) => hex.toLowerCase().replace(/^0+/, '');
    const out: {
      destinationId: number;
      destination: string;
      state: State;
      serial: string | null;
      error: string | null;
    }[] = [];
    for (const id of await store.destinationIdsOf(db, certificateId)) {
      const dest = await destinations.row(id);
      const plugin = destinations.pluginOf(dest);
      let state: State = 'unknown';
      let serial: string | null = null;
      let error: string | null = null;
      try {
        const pem = plugin.current
          ? await plugin.current(
              { certificateId, commonName: cert.common_name, serial: cert.serial, notAfter: cert.not_after },
              await destinations.configOf(dest),
              destinations.contextFor(dest),
            )
          : undefined;
        if (plugin.current && pem === undefined) state = 'missing';
        if (pem !== undefined) {
          serial = new X509Certificate(pem).serialNumber.toLowerCase();
          state = bare(serial) === bare(cert.serial) ? 'current' : 'other';
        }
      } catch (e) {
        error = (e as Error).message;
      }
      out.push({ destinationId: id, destination: dest.name, state, serial, error });
    }
    return out;
  };
}
