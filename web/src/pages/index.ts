// Every page of the UI: its address, its place in the navigation and the permission that shows it. Adding a
// page (sources, endpoints, notifications, jobs) is one file in pages/ and one line here.
import type { ComponentType } from 'react';
import { Approvals } from './approvals.tsx';
import { Audit } from './audit.tsx';
import { Authorities } from './authorities.tsx';
import { CertificateDetail } from './certificate-detail.tsx';
import { Certificates } from './certificates.tsx';
import { Dashboard } from './dashboard.tsx';
import { Destinations } from './destinations.tsx';
import { Domains } from './domains.tsx';
import { Endpoints } from './endpoints.tsx';
import { Jobs } from './jobs.tsx';
import { Notifications } from './notifications.tsx';
import { RequestWizard } from './request-wizard.tsx';
import { Sources } from './sources.tsx';
import { Users } from './users.tsx';

export interface PageEntry {
  path: string;
  /** Shown in the navigation when set. */
  label?: string;
  /** Any one of these shows the page. */
  permissions: string[];
  component: ComponentType<Record<string, string>>;
}

export const PAGES: PageEntry[] = [
  { path: '/', label: 'Dashboard', permissions: ['certificate:read'], component: Dashboard },
  { path: '/certificates', label: 'Certificates', permissions: ['certificate:read'], component: Certificates },
  {
    path: '/certificates/:id',
    permissions: ['certificate:read'],
    component: CertificateDetail as PageEntry['component'],
  },
  { path: '/request', label: 'Request', permissions: ['certificate:issue'], component: RequestWizard },
  { path: '/authorities', label: 'Authorities', permissions: ['authority:read'], component: Authorities },
  { path: '/destinations', label: 'Destinations', permissions: ['destination:read'], component: Destinations },
  { path: '/sources', label: 'Sources', permissions: ['source:read'], component: Sources },
  { path: '/endpoints', label: 'Endpoints', permissions: ['endpoint:read'], component: Endpoints },
  { path: '/notifications', label: 'Notifications', permissions: ['notification:read'], component: Notifications },
  { path: '/jobs', label: 'Jobs', permissions: ['job:read'], component: Jobs },
  { path: '/domains', label: 'Domains', permissions: ['domain:read'], component: Domains },
  { path: '/approvals', label: 'Approvals', permissions: ['request:read'], component: Approvals },
  { path: '/users', label: 'Users and keys', permissions: ['user:read', 'api-key:manage'], component: Users },
  { path: '/audit', label: 'Audit log', permissions: ['audit:read'], component: Audit },
];
