// Schema helpers shared by every schemas.ts. StringEnum gives one `{"type":"string","enum":[…]}` rather than a
// union of constants, so the OpenAPI document lists the choices plainly and errors can say "must be one of: …".
import { type TUnsafe, Type } from 'typebox';

export function StringEnum<const T extends readonly string[]>(
  values: T,
  options: { description?: string } = {},
): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
}
