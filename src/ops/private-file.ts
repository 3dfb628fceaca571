import { chmodSync, closeSync, fsyncSync, openSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Creates an empty file only the owner can read (0600) and fails when it exists. SQLite keeps the
 * mode of a file it opens, and gives its journal the same: a copy of the database, which holds the
 * app secrets in clear, is never readable by others, not even for a moment.
 */
export function createPrivateFile(path: string): void {
  closeSync(openSync(path, 'wx', 0o600));
  chmodSync(path, 0o600); // whatever the umask
}

/** fsyncs the file, renames it over `target` in one step and fsyncs the directory: all or nothing. */
export function moveIntoPlace(file: string, target: string): void {
  const fd = openSync(file, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(file, target);
  const dir = openSync(dirname(target), 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}

/** Removes a temporary file and the journal files SQLite may have left beside it. */
export function removeWithJournals(path: string): void {
  for (const suffix of ['', '-journal', '-wal', '-shm']) rmSync(path + suffix, { force: true });
}
