// The commands every plugin noun (issuer, destination, source) has: plugins, list, show, add, set, remove, all
// over /api/v1/<noun>s. One factory, so the nouns behave alike; each keeps its own words (create/update/delete
// for destinations), its own table and view, and registers its extra commands on the noun it gets back.
import type { Command } from 'commander';
import { type ApiClient, type ClientFlags, connect, withClientOptions } from './client.ts';
import { idOrName } from './options.ts';
import { type Cell, print, printJson, printTable } from './output.ts';
import {
  type PluginDescription,
  printPlugins,
  reportInstance,
  resolveInstance,
  type SettingsFlags,
  settings,
  withSettings,
} from './plugin-settings.ts';

type Instance = { id: number; name: string };

export interface InstanceNoun<T extends Instance, F extends SettingsFlags> {
  noun: string;
  description: string;
  /** The verbs and their past tense, e.g. `['add', 'added']`. */
  verbs: { add: [string, string]; set: [string, string]; remove: [string, string] };
  list: { description?: string; empty: string; columns: string[]; row: (i: T) => Cell[] };
  show: (i: T) => void;
  add: { description: string; example: string; plugins: string; headline?: (i: T) => string };
  setDescription: string;
  removeDescription: string;
  /** Extra flags for add and set, and the request body they make (default: the settings flags). */
  flags?: (c: Command) => Command;
  body?: (flags: F) => object;
  /** The noun's own commands, registered before remove (so help lists them where they always were). */
  more?: (noun: Command, resolve: (client: ApiClient, ref: number | string) => Promise<{ id: number }>) => void;
}

/** Registers the noun and its six common commands; returns the noun (for its own commands) and its resolver. */
export function registerInstanceCommands<T extends Instance, F extends SettingsFlags = SettingsFlags>(
  program: Command,
  n: InstanceNoun<T, F>,
) {
  const path = `/api/v1/${n.noun}s`;
  const noun = program.command(n.noun).description(n.description);
  const resolve = (client: ApiClient, ref: number | string) => resolveInstance<T>(client, ref, n.noun);
  const body = n.body ?? ((flags: F) => settings(flags));
  const withFlags = (c: Command) => (n.flags ? n.flags(withSettings(c)) : withSettings(c));
  const ref = (c: Command) => c.argument(`<${n.noun}>`, 'id or name', idOrName);

  withClientOptions(noun.command('plugins').description(`the ${n.noun} plugins and their settings`)).action(
    async (flags: ClientFlags) => {
      printPlugins(flags, (await connect(flags).json<{ items: PluginDescription[] }>('GET', `${path}/plugins`)).body);
    },
  );

  withClientOptions(noun.command('list').description(n.list.description ?? `list ${n.noun}s`)).action(
    async (flags: ClientFlags) => {
      const { body: page } = await connect(flags).json<{ items: T[] }>('GET', path);
      if (flags.json) printJson(page);
      else if (page.items.length === 0) print(n.list.empty);
      else printTable(n.list.columns, page.items.map(n.list.row));
    },
  );

  withClientOptions(ref(noun.command('show').description(`show one ${n.noun}`))).action(
    async (r: number | string, flags: ClientFlags) => {
      const client = connect(flags);
      const { id } = await resolve(client, r);
      const { body: one } = await client.json<T>('GET', `${path}/${id}`);
      if (flags.json) printJson(one);
      else n.show(one);
    },
  );

  const [add, added] = n.verbs.add;
  withClientOptions(
    withFlags(
      noun
        .command(add)
        .description(n.add.description)
        .argument('<name>', `a unique name, e.g. ${n.add.example}`)
        .requiredOption('--plugin <type>', n.add.plugins),
    ),
  ).action(async (name: string, flags: F & { plugin: string }) => {
    const reply = await connect(flags).json<T>('POST', path, { body: { name, plugin: flags.plugin, ...body(flags) } });
    const headline = n.add.headline?.(reply.body) ?? `${added} ${n.noun} ${reply.body.id}`;
    reportInstance(flags, reply.body, headline, n.show);
  });

  const [set, updated] = n.verbs.set;
  withClientOptions(withFlags(ref(noun.command(set).description(n.setDescription)))).action(
    async (r: number | string, flags: F) => {
      const client = connect(flags);
      const { id } = await resolve(client, r);
      const reply = await client.json<T>('PATCH', `${path}/${id}`, { body: body(flags) });
      reportInstance(flags, reply.body, `${updated} ${n.noun} ${id}`, n.show);
    },
  );

  n.more?.(noun, resolve);
  const [remove, removed] = n.verbs.remove;
  withClientOptions(ref(noun.command(remove).description(n.removeDescription))).action(
    async (r: number | string, flags: ClientFlags) => {
      const client = connect(flags);
      const { id } = await resolve(client, r);
      await client.bytes('DELETE', `${path}/${id}`);
      if (flags.json) printJson({ id, [removed]: true });
      else print(`${removed} ${n.noun} ${id}`);
    },
  );

  return { noun, resolve };
}
