import { Type } from 'typebox';

export const DomainSchema = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  sensitive: Type.Boolean(),
  description: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
  createdBy: Type.Union([Type.String(), Type.Null()]),
});
export const DomainList = Type.Object({ items: Type.Array(DomainSchema) });
export const CreateDomainBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 253, description: 'e.g. example.com or *.payments.example.com' }),
    sensitive: Type.Optional(Type.Boolean({ description: 'requests for names under it need approval' })),
    description: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);
export const UpdateDomainBody = Type.Object(
  { sensitive: Type.Optional(Type.Boolean()), description: Type.Optional(Type.String({ maxLength: 500 })) },
  { additionalProperties: false },
);
