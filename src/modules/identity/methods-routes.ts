// /api/v1/auth/methods: which sign-in methods this server offers, so the sign-in page shows an LDAP form or an
// OIDC button only when they are configured. Public: it is asked before anyone is signed in, and says nothing
// beyond what trying the endpoints would.
import { Type } from 'typebox';
import type { App } from '../../http/types.ts';
import type { Services } from '../../services.ts';

const MethodsReply = Type.Object({
  local: Type.Boolean({ description: 'user name and password kept by Tarsier' }),
  ldap: Type.Boolean({ description: 'POST /api/v1/auth/ldap/login is configured' }),
  oidc: Type.Boolean({ description: 'GET /api/v1/auth/oidc/login is configured' }),
});

export function registerAuthMethodRoutes(app: App, { ldap, oidc }: Pick<Services, 'ldap' | 'oidc'>): void {
  app.get(
    '/api/v1/auth/methods',
    { config: { public: true }, schema: { tags: ['auth'], security: [], response: { 200: MethodsReply } } },
    async () => ({ local: true, ldap: Boolean(ldap), oidc: Boolean(oidc) }),
  );
}
