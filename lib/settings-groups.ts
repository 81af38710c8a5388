import type { schema } from './env-schema.js';

/** The shape of the settings reference (settings-reference.ts) and its sections. */
export type SettingGroup = (typeof GROUPS)[number];

export type SettingReference = {
  group: SettingGroup;
  /** Which processes read it: `all`, `gateway`, `subgraphs`, `scripts`… */
  usedBy: string;
  meaning: string;
  /** The default as people should read it, when the schema's own (or its absence) does not say it: one that depends on NODE_ENV, say. */
  default?: string;
};

/** The sections of docs/SETTINGS.md, in order. */
export const GROUPS = [
  'Every process',
  'Logs, metrics and traces',
  'Database',
  'Subgraphs and composition',
  'Gateway: requests',
  'Gateway: browsers on other origins',
  'Gateway: who is calling',
  'Gateway: what is exposed',
  'Gateway: persisted documents',
  'Gateway: rate limits',
  'Gateway: demand control',
  'Gateway: slow and greedy clients',
  'Gateway: query planning',
  'Gateway: subgraph faults',
  'Gateway: subscriptions',
  'Gateway: contracts and progressive override',
] as const;

export type Variable = keyof typeof schema.shape;
