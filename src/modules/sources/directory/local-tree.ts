// The local disk as a FileTree, for the directory source on the Tarsier host. The SFTP tree (destinations work)
// implements the same interface, so the directory source scans either without knowing which.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { FileTree } from '../plugin.ts';

export function localFileTree(): FileTree {
  return {
    name: 'local',
    async list(dir) {
      const entries = await fs.readdir(dir, { withFileTypes: true });
      return Promise.all(
        entries.map(async (e) => {
          const full = path.join(dir, e.name);
          // Symbolic links are followed for files only; a linked directory could loop.
          const st = e.isSymbolicLink() ? await fs.stat(full).catch(() => undefined) : undefined;
          const isDirectory = e.isDirectory();
          const size = st?.isFile() || e.isFile() ? (st ?? (await fs.stat(full))).size : 0;
          return { name: e.name, isDirectory, size };
        }),
      );
    },
    read: async (file) => new Uint8Array(await fs.readFile(file)),
  };
}
