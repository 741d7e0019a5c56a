// Who is signed in, and what they may do: the UI shows only the actions the caller's permissions allow (the
// server refuses the rest anyway).
import { createContext, useContext } from 'react';
import type { Me } from './types.ts';

export interface Session {
  me: Me;
  can(permission: string): boolean;
  signOut(): Promise<void>;
}

export const SessionContext = createContext<Session | undefined>(undefined);

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside a signed-in view');
  return s;
}
