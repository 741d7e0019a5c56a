// Schemas every kind of plugin instance (issuers, sources, destinations …) shares: the bodies that create and
// change one, and the free-form settings objects that the plugin's own schema then checks (plugin-options.ts).
import { Type } from 'typebox';

export const Settings = (description: string) => Type.Record(Type.String(), Type.Unknown(), { description });

/** The create and update bodies of a kind of plugin instance; `plugin` and `secrets` say what they are here. */
export function instanceBodies(hints: { name: string; plugin: string; secrets: string }) {
  const described = {
    owner: Type.Optional(Type.String({ maxLength: 255 })),
    description: Type.Optional(Type.String({ maxLength: 2000 })),
  };
  return {
    create: Type.Object(
      {
        name: Type.String({ minLength: 1, maxLength: 64, description: `unique name, e.g. ${hints.name}` }),
        plugin: Type.String({ description: hints.plugin }),
        options: Type.Optional(Settings("the plugin's settings, validated against its options schema")),
        secrets: Type.Optional(Settings(`${hints.secrets}: stored encrypted, never returned`)),
        ...described,
      },
      { additionalProperties: false },
    ),
    update: Type.Object(
      {
        options: Type.Optional(Settings('settings to change; the others stay')),
        secrets: Type.Optional(Settings('credentials to replace; the others stay')),
        ...described,
      },
      { additionalProperties: false },
    ),
  };
}
