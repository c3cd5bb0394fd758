// Moderation settings: the environment's values are the defaults; what an admin saves (one document) wins.
// Every instance polls the document each second, so a change holds everywhere within 2 s with or without Redis;
// the instance that saved it reloads at once.
import type { ModerationSettings, SettingsPatch } from '../../shared/schemas';
import type { UserDTO } from '../../shared/types';
import type { Config } from '../config';
import type { Database } from '../db/connection';
import type { Logger } from 'pino';
import type { ForumDeps } from '../deps';
import { recordAction } from './log';
import { settingsModel, type SettingsRecord } from './model';
import { requireRole } from './roles';
import type { SettingsHolder } from './types';

const ID = 'moderation';
export const SETTINGS_POLL_MS = 1000;
const KEYS = ['premoderation', 'guestPosting', 'bannedWords', 'suspectWords', 'maxLinks', 'flagThreshold'] as const;

/** The saved values over the defaults (a document saved before a setting existed keeps that setting's default). */
function merged(defaults: ModerationSettings, saved: Partial<SettingsRecord> | null): ModerationSettings {
  const out: Record<string, unknown> = { ...defaults };
  for (const k of KEYS) if (saved && saved[k] !== undefined && saved[k] !== null) out[k] = Array.isArray(saved[k]) ? [...(saved[k] as string[])] : saved[k];
  return out as ModerationSettings;
}

export async function createSettingsHolder(deps: { config: Readonly<Config>; db: Database; logger: Logger }): Promise<SettingsHolder> {
  const defaults: ModerationSettings = { ...deps.config.moderationDefaults, bannedWords: [...deps.config.moderationDefaults.bannedWords], suspectWords: [...deps.config.moderationDefaults.suspectWords] };
  let now = merged(defaults, null);
  let closed = false;
  const refresh = async () => {
    const saved = await settingsModel(deps.db.conn).findOne({ _id: ID }).lean<SettingsRecord>();
    if (!closed) now = merged(defaults, saved);
  };
  await refresh();
  let polling = false;
  const timer = setInterval(() => {
    if (polling || !deps.db.isUp()) return;
    polling = true;
    refresh()
      .catch((err) => deps.logger.warn({ err: (err as Error).message }, 'settings not reloaded'))
      .finally(() => (polling = false));
  }, SETTINGS_POLL_MS);
  timer.unref();
  return {
    current: () => now,
    refresh,
    close: () => {
      closed = true;
      clearInterval(timer);
    },
  };
}

type Deps = Pick<ForumDeps, 'db' | 'settings'>;

export function getSettings(deps: Pick<ForumDeps, 'settings'>, actor: UserDTO | null): ModerationSettings {
  requireRole(actor, 'admin');
  return deps.settings.current();
}

/** Saves the whole set (the defaults filled in), so later changes to the environment never half-apply. */
export async function updateSettings(deps: Deps, actor: UserDTO | null, patch: SettingsPatch): Promise<ModerationSettings> {
  requireRole(actor, 'admin');
  const before = deps.settings.current();
  const change = settingsChange(before, patch);
  // The page form sends every setting: saved as they were, nothing is written or logged.
  if (!change) return before;
  await settingsModel(deps.db.conn).updateOne({ _id: ID }, { $set: { ...before, ...patch, updatedAt: new Date() } }, { upsert: true });
  await deps.settings.refresh();
  await recordAction(deps, actor, 'settings.update', { kind: 'settings', id: ID }, change);
  return deps.settings.current();
}

/**
 * What a change of settings changed, for the log: only what differs from before (the page form sends every field),
 * a value as it was and is, a word list by how it moved (its words are not repeated in the log); null: nothing changed.
 */
/** Each setting as the log names it. */
const IN_WORDS: Record<(typeof KEYS)[number], string> = {
  premoderation: 'premoderation',
  guestPosting: 'guest posting',
  bannedWords: 'banned words',
  suspectWords: 'suspect words',
  maxLinks: 'most links',
  flagThreshold: 'flags that hold a comment',
};
const valueInWords = (v: unknown) => (v === true ? 'on' : v === false ? 'off' : String(v));

export function settingsChange(before: ModerationSettings, patch: SettingsPatch): string | null {
  const parts: string[] = [];
  for (const k of KEYS) {
    const [was, is] = [before[k], patch[k]];
    if (is === undefined || JSON.stringify(was) === JSON.stringify(is)) continue;
    if (Array.isArray(was) && Array.isArray(is)) {
      const added = is.filter((w) => !was.includes(w)).length;
      const dropped = was.filter((w) => !is.includes(w)).length;
      parts.push(`${IN_WORDS[k]} (${[added && `${added} added`, dropped && `${dropped} removed`].filter(Boolean).join(', ') || 'reordered'})`);
    } else parts.push(`${IN_WORDS[k]} ${valueInWords(was)} → ${valueInWords(is)}`);
  }
  return parts.length ? `changed ${parts.join('; ')}` : null;
}

/** One-off upkeep steps recorded on the settings document, so each runs once per database. */
export async function upkeepDone(deps: Pick<ForumDeps, 'db'>, step: string): Promise<boolean> {
  const saved = await settingsModel(deps.db.conn).findOne({ _id: ID }, { upkeep: 1 }).lean<SettingsRecord>();
  return !!saved?.upkeep?.includes(step);
}

export async function markUpkeep(deps: Pick<ForumDeps, 'db'>, step: string): Promise<void> {
  await settingsModel(deps.db.conn).updateOne({ _id: ID }, { $addToSet: { upkeep: step } }, { upsert: true });
}
