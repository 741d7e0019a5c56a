// Turns a Fastify request into the RequestContext services take.
import type { FastifyRequest } from 'fastify';
import { UnauthenticatedError } from '../errors.ts';
import type { RequestContext } from '../modules/request-context.ts';

export function contextOf(request: FastifyRequest): RequestContext {
  if (!request.principal) throw new UnauthenticatedError();
  return { principal: request.principal, clientAddress: request.ip };
}
