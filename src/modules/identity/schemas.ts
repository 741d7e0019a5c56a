import { Type } from 'typebox';

export const LoginBody = Type.Object(
  { username: Type.String({ minLength: 1, maxLength: 255 }), password: Type.String({ maxLength: 1024 }) },
  { additionalProperties: false },
);
export const LoginReply = Type.Object({ token: Type.String(), expiresAt: Type.String({ format: 'date-time' }) });
