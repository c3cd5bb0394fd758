// What one forum instance keeps for moderation (built in forum.ts, passed in through ForumDeps). Types only, so
// deps.ts can name it without importing a service.
import type { ModerationSettings } from '../../shared/schemas';

export interface SettingsHolder {
  /** The settings in force on this instance: the environment's defaults until an admin saved settings. */
  current(): ModerationSettings;
  /** Reads the saved settings again (start-up, the poll, after this instance's own change). */
  refresh(): Promise<void>;
  close(): void;
}
