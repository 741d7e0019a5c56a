// /api/v1/auth: password login for a bearer token.
import type { App } from '../../http/types.ts';
import type { Services } from '../../services.ts';
import { LoginBody, LoginReply } from './schemas.ts';

export function registerIdentityRoutes(app: App, { identity }: Pick<Services, 'identity'>): void {
  app.post(
    '/api/v1/auth/login',
    {
      config: { public: true },
      schema: { tags: ['auth'], security: [], body: LoginBody, response: { 200: LoginReply } },
    },
    async (request) => identity.login(request.body.username, request.body.password, request.ip),
  );
}
